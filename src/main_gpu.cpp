// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client_app.hpp"

int main(int argc, char **argv) { return nvd::client_main(argc, argv); }
