// SPDX-License-Identifier: BSD-3-Clause
#pragma once

namespace nvd {

// nvidia-docker-plugin: parses its flags, loads discovery, serves until SIGINT/SIGTERM.
int plugin_main(int argc, char **argv);

} // namespace nvd
