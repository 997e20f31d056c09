// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/client/grammar/command_line.hpp"
#include "nvd/client/settings.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nvd {

// Reads a docker --env-file as docker does: one VAR=value per line, comments
// (#) and blank lines skipped, a bare VAR taken from `host` when set there.
// Throws Error naming the file and line for a name with white space.
std::vector<std::string> parse_env_file(std::string_view text, const std::string &file,
                                        const Environment &host);

// The environment the container will see: the image's Config.Env, overridden by
// the command's --env-file files, then its -e/--env values (a bare -e VAR comes
// from `host`). `read_file` gives an env file's text, or nullopt.
std::map<std::string, std::string> container_environment(
    const std::vector<std::string> &image_env, const CommandLine &line, const Environment &host,
    const std::function<std::optional<std::string>(const std::string &path)> &read_file);

} // namespace nvd
