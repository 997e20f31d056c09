// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <string>
#include <vector>

namespace nvd::test {

// The built nvidia-docker-plugin on 127.0.0.1 with an ephemeral port,
// stopped when the object goes away. An empty `inventory` means NVML
// discovery (pass --driver-root in `extra_args`). Its volumes and its volume
// plugin socket are in a temporary folder of its own unless `extra_args`
// names them: a test never touches the host's /run/docker or /var/lib.
class RunningPlugin {
public:
  RunningPlugin(const std::string &binary, const std::string &inventory,
                const std::vector<std::string> &extra_args = {});
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(m_port); }
  std::string url(const std::string &target) const { return base_url() + target; }
  int port() const { return m_port; }
  Process &process() { return m_process; }
  // How many requests the plugin has logged so far.
  int request_count() const;
  // The folder of its volume plugin socket, and the socket itself.
  std::string socket_dir() const { return m_state.file("plugins"); }
  std::string socket_path() const { return socket_dir() + "/nvidia-docker.sock"; }
  std::string volumes_dir() const { return m_state.file("volumes"); }

private:
  TempDir m_state{"nvd-plugin"};
  Process m_process;
  int m_port = 0;
};

} // namespace nvd::test
