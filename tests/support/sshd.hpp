// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <memory>
#include <string>

namespace nvd::test {

// A real OpenSSH server on 127.0.0.1 (ephemeral port), with throwaway host and
// user keys, its own authorized_keys, and a known_hosts/ssh command for the
// client side. Stopped and removed with the object.
class LoopbackSshd {
public:
  LoopbackSshd();
  int port() const { return m_port; }
  const std::string &user() const { return m_user; }
  // The NV_SSH value that trusts this server and logs in with the user key.
  std::string ssh_command() const;
  // The same, with a known_hosts that lacks this server (host key unknown).
  std::string ssh_command_unknown_host() const;
  // The same, logging in with a key the server does not accept.
  std::string ssh_command_wrong_key() const;
  std::string nv_host(int plugin_port) const;
  // The known_hosts file the client trusts (also: how its ssh children are found).
  std::string known_hosts() const { return m_dir.file("known_hosts"); }

  // Why the server could not be started, "" when it runs.
  static std::string unavailable_reason();

private:
  TempDir m_dir{"nvd-sshd"};
  std::unique_ptr<Process> m_process;
  int m_port = 0;
  std::string m_user;
};

} // namespace nvd::test
