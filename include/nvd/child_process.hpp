// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <string>
#include <vector>

namespace nvd {

struct ChildResult {
  int status = 0; // the exit code, or 128 + the signal that ended it
  std::string out;
  std::string err;
};

enum class ChildOutput {
  capture,   // stdout and stderr are collected
  to_stderr, // both go to our stderr (e.g. pull progress, so stdout stays clean)
};

// Runs `path` with `argv` and `envp` (no shell), stdin from /dev/null, and waits.
// Throws Error when it cannot be started.
ChildResult run_child(const std::string &path, const std::vector<std::string> &argv,
                      const std::vector<std::string> &envp, ChildOutput output);

} // namespace nvd
