// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nvd::test {

// A plugin started by a whole command of the test's making (a wrapper that
// execs the plugin in the same process, e.g. stand_in_host.hpp's), with the
// folders that command gives it as -d and -s ("": a temporary folder of the
// RunningPlugin's own, which the command does not know about).
struct PluginLaunch {
  std::vector<std::string> command;
  std::map<std::string, std::optional<std::string>> environment;
  std::string volumes_dir;
  std::string socket_dir;
};

// The built nvidia-docker-plugin on 127.0.0.1 with an ephemeral port,
// stopped when the object goes away. An empty `inventory` means NVML
// discovery (pass --driver-root in `extra_args`). Its volumes and its volume
// plugin socket are in a temporary folder of its own unless `extra_args`
// names them: a test never touches the host's /run/docker or /var/lib.
class RunningPlugin {
public:
  RunningPlugin(const std::string &binary, const std::string &inventory,
                const std::vector<std::string> &extra_args = {});
  explicit RunningPlugin(const PluginLaunch &launch);
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(m_port); }
  std::string url(const std::string &target) const { return base_url() + target; }
  int port() const { return m_port; }
  Process &process() { return m_process; }
  const Process &process() const { return m_process; }
  pid_t pid() const { return m_process.pid(); }
  // How many requests the plugin has logged so far.
  int request_count() const;
  // The folder of its volume plugin socket, and the socket itself.
  std::string socket_dir() const { return m_socket_dir; }
  std::string socket_path() const { return socket_dir() + "/nvidia-docker.sock"; }
  std::string volumes_dir() const { return m_volumes_dir; }

private:
  void wait_for_rest();

  TempDir m_state{"nvd-plugin"};
  std::string m_socket_dir = m_state.file("plugins");
  std::string m_volumes_dir = m_state.file("volumes");
  Process m_process;
  int m_port = 0;
};

} // namespace nvd::test
