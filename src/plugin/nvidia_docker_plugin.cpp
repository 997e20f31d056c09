// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/plugin_app.hpp"

int main(int argc, char **argv) { return nvd::plugin_main(argc, argv); }
