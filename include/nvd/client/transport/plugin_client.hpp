// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/client/cuda_version.hpp"
#include "nvd/client/host_address.hpp"
#include "nvd/client/plugin_answer.hpp"
#include "nvd/client/settings.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace nvd {

// The questions nvidia-docker asks nvidia-docker-plugin.
class PluginClient {
public:
  virtual ~PluginClient() = default;
  // The docker arguments for these volumes and devices (empty lists: all).
  virtual GpuArguments docker_arguments(const std::vector<std::string> &volumes,
                                        const std::vector<std::string> &devices) = 0;
  // The host's driver and CUDA versions and its GPUs (/gpu/info/json).
  virtual PluginGpuInfo gpu_info() = 0;
};

// The largest answer accepted from a plugin.
inline constexpr std::size_t max_plugin_answer = 1024 * 1024;

// The URL of /docker/cli/json for a selection, ids and names %-encoded, joined by '+'.
std::string docker_cli_url(const std::string &base_url, const std::vector<std::string> &volumes,
                           const std::vector<std::string> &devices);

// Asks the plugin at `endpoint` over HTTP; for ssh:// endpoints through the
// user's OpenSSH client (NV_SSH), which `env` gives its PATH and variables.
std::unique_ptr<PluginClient> connect_plugin(const PluginEndpoint &endpoint,
                                             std::chrono::milliseconds timeout,
                                             const Environment &env);

} // namespace nvd
