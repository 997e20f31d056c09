// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/client/grammar/command_line.hpp"

#include <string>
#include <vector>

namespace nvd {

// The command's arguments with `extra` inserted where its options end: before
// the image, or before a "--" that precedes it (after it they would be read as
// the image and its command).
std::vector<std::string> insert_before_image(const CommandLine &line,
                                             const std::vector<std::string> &extra);

// The full argv handed to exec: the docker command words, then the arguments.
std::vector<std::string> docker_argv(const std::vector<std::string> &docker_command,
                                     const std::vector<std::string> &args);

} // namespace nvd
