// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "support/process.hpp"

#include <string>
#include <vector>

namespace nvd::test {

// The built nvidia-docker-plugin on 127.0.0.1 with an ephemeral port,
// stopped when the object goes away.
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

private:
  Process m_process;
  int m_port = 0;
};

} // namespace nvd::test
