// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <string>
#include <sys/types.h>
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

// Which descriptors a started child gets: -1 keeps the default (/dev/null for
// stdin, ours for stdout and stderr).
struct ChildIo {
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
};

// Starts a child without waiting (posix_spawn, no shell), with signals at
// their defaults. Throws Error when it cannot be started.
pid_t start_child(const std::string &path, const std::vector<std::string> &argv,
                  const std::vector<std::string> &envp, const ChildIo &io);

// Waits for a child (retrying on EINTR); the exit code, or 128 + the signal.
int wait_child(pid_t pid);

} // namespace nvd
