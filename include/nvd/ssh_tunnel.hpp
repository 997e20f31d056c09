// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/host_address.hpp"
#include "nvd/settings.hpp"

#include <chrono>
#include <string>
#include <sys/types.h>
#include <vector>

namespace nvd {

// A stream to the plugin on a remote host, through the user's own OpenSSH
// client (`ssh -W`). The HTTP client connects to an abstract unix socket of
// ours (no file to leave behind); each connection from this process is
// accepted and becomes ssh's stdin and stdout. The ssh child never outlives
// this object, and no descriptor of it reaches docker (all are close-on-exec).
class SshTunnel {
public:
  SshTunnel(std::vector<std::string> ssh_command, PluginEndpoint endpoint, Environment env,
            std::chrono::milliseconds timeout);
  ~SshTunnel();
  SshTunnel(const SshTunnel &) = delete;
  SshTunnel &operator=(const SshTunnel &) = delete;

  // The abstract socket name (without its leading NUL) to connect to.
  const std::string &socket_name() const { return m_name; }
  // After a connection to the socket: accepts it and starts ssh on it (ending
  // a previous one). Throws Error when ssh cannot be started.
  void attach();
  // After a failed request: why, from what ssh said ("" when it said nothing).
  std::string diagnose();

private:
  void finish(bool force);

  std::vector<std::string> m_command;
  PluginEndpoint m_endpoint;
  Environment m_env;
  std::chrono::milliseconds m_timeout;
  std::string m_name;
  int m_listener = -1;
  pid_t m_pid = -1;
  int m_stderr = -1;
  int m_status = 0;
  std::string m_said;
};

} // namespace nvd
