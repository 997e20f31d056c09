// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/client/host_address.hpp"
#include "nvd/client/settings.hpp"

#include <chrono>
#include <string>
#include <sys/types.h>
#include <vector>

namespace nvd {

// A stream to the plugin on a remote host, through the user's own OpenSSH
// client (`ssh -W`): ssh's stdin and stdout are one end of a socket pair, the
// HTTP client has the other. The ssh child never outlives this object, and no
// descriptor of it reaches docker (all are close-on-exec).
class SshTunnel {
public:
  SshTunnel(std::vector<std::string> ssh_command, PluginEndpoint endpoint, Environment env,
            std::chrono::milliseconds timeout);
  ~SshTunnel();
  SshTunnel(const SshTunnel &) = delete;
  SshTunnel &operator=(const SshTunnel &) = delete;

  // Starts ssh (ending a previous one) and returns our end of the stream; the
  // caller owns and closes it. Throws Error when ssh cannot be started.
  int open();
  // After a failed request: why, from what ssh said ("" when it said nothing).
  std::string diagnose();

private:
  void finish(bool force);

  std::vector<std::string> m_command;
  PluginEndpoint m_endpoint;
  Environment m_env;
  std::chrono::milliseconds m_timeout;
  pid_t m_pid = -1;
  int m_stderr = -1;
  int m_status = 0;
  std::string m_said;
};

} // namespace nvd
