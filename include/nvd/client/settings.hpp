// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace nvd {

// The process environment, read once in main.
using Environment = std::map<std::string, std::string>;

// NV_DOCKER split on white space; "docker" when unset. Throws Error when set
// but empty or blank.
std::vector<std::string> docker_command_from(const Environment &env);

// NV_GPU split on commas and white space; empty (all GPUs) when unset or empty.
// Throws Error for a value of separators only or an id that is neither an
// index nor a UUID (prefix).
std::vector<std::string> gpu_ids_from(const Environment &env);

// True when the variable is set to anything but "", "0" or "false".
bool switch_from(const Environment &env, const std::string &name);

// NV_TIMEOUT in seconds (decimals allowed), 10 s by default. Throws Error.
std::chrono::milliseconds timeout_from(const Environment &env);

} // namespace nvd
