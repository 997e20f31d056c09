// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace nvd::test {

// A program the test starts and owns: killed when the object goes away.
class Process {
public:
  // `environment` entries replace or add to the test's own environment;
  // a value of std::nullopt removes the variable.
  Process(const std::vector<std::string> &argv,
          const std::map<std::string, std::optional<std::string>> &environment = {},
          const std::string &stdin_text = "");
  ~Process();
  Process(const Process &) = delete;
  Process &operator=(const Process &) = delete;

  pid_t pid() const { return m_pid; }
  // Sends a signal (no effect once it has been reaped).
  void signal(int number);
  // Waits for the exit; returns the exit status, 128+signal when killed, or
  // -1 after `timeout` (the process is then left running).
  int wait(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Everything written so far.
  std::string stdout_text() const;
  std::string stderr_text() const;
  // Polls stderr until it contains `needle`; false after `timeout` or exit.
  bool wait_for_stderr(const std::string &needle,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));

private:
  pid_t m_pid = -1;
  bool m_reaped = false;
  int m_status = -1;
  std::string m_stdout_path, m_stderr_path, m_dir;
};

// Runs a program to completion: its exit status, stdout and stderr.
struct Completed {
  int status;
  std::string out;
  std::string err;
};
Completed run_program(const std::vector<std::string> &argv,
                      const std::map<std::string, std::optional<std::string>> &environment = {},
                      const std::string &stdin_text = "",
                      std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Runs a program on a pseudo-terminal (for docker's -t), in `cwd`: its exit
// status and everything it wrote to the terminal.
Completed run_in_terminal(const std::vector<std::string> &argv,
                          const std::map<std::string, std::optional<std::string>> &environment,
                          const std::string &cwd,
                          std::chrono::milliseconds timeout = std::chrono::seconds(30));

std::string read_file(const std::string &path);
void write_file(const std::string &path, const std::string &text, bool executable = false);

} // namespace nvd::test
