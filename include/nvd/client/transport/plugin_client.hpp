// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/client/cuda_version.hpp"
#include "nvd/client/host_address.hpp"
#include "nvd/client/plugin_answer.hpp"
#include "nvd/client/settings.hpp"
#include "nvd/client/transport/http_client.hpp"

#include <chrono>
#include <functional>
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

// How a plugin on another host (or any, with NV_USE_LIBCURL=1) is asked:
// libcurl's HttpSession in nvidia-docker-gpu. The static front cannot load
// libcurl; its factory hands the command to the helper instead.
using RemoteHttp =
    std::function<std::unique_ptr<HttpGetter>(std::chrono::milliseconds timeout, std::size_t max_body)>;

// Whether connect_plugin asks this endpoint through `remote` (libcurl): an
// http endpoint on another host, or any with NV_USE_LIBCURL=1.
bool plugin_needs_libcurl(const PluginEndpoint &endpoint, const Environment &env);

// Asks the plugin at `endpoint` over HTTP: our own client for this machine,
// `remote` for other hosts; for ssh:// endpoints through the user's OpenSSH
// client (NV_SSH), which `env` gives its PATH and variables.
std::unique_ptr<PluginClient> connect_plugin(const PluginEndpoint &endpoint,
                                             std::chrono::milliseconds timeout,
                                             const Environment &env, const RemoteHttp &remote);

} // namespace nvd
