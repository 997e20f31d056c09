// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <optional>
#include <string>

namespace nvd {

// Finds `name` as execvp would: a name holding '/' is taken as is, anything
// else is looked up in each folder of `search_path`. A candidate that is the
// same file as `self` (our own binary) is skipped, so that `docker` symlinked
// or aliased to nvidia-docker never runs itself again. Returns nullopt when
// nothing executable is found.
std::optional<std::string> find_program(const std::string &name, const std::string &search_path,
                                        const std::string &self);

// The path of the running binary (/proc/self/exe), or "" when unknown.
std::string self_executable();

} // namespace nvd
