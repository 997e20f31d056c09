// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/client/cuda_version.hpp"
#include "nvd/common/gpu_inventory.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace nvd {

// The docker arguments that give a container its GPUs, as checked values.
struct GpuArguments {
  std::string volume_driver;
  std::vector<std::string> volumes;
  std::vector<std::string> devices;

  // "--volume-driver=…", "--volume=…", "--device=…", in that order.
  std::vector<std::string> to_docker_args() const;
};

// Where dockerd looks for a legacy volume plugin named `driver` (Docker's
// plugin discovery): its socket under /run/docker/plugins, or a spec file.
std::vector<std::string> volume_plugin_locations(const std::string &driver);

// The folder whose presence shows that dockerd's plugin sockets are visible
// from here (they are not, e.g., in a container given only docker.sock).
inline constexpr const char *docker_plugin_socket_folder = "/run/docker/plugins";

// Reads and checks an answer of /docker/cli/json. A plugin is not trusted:
// only nvidia device nodes under /dev, and volumes `<name>_<version>:<abs path>:ro|rw`
// for the names in `requested_volumes`, are accepted. Throws Error naming `source`.
GpuArguments parse_docker_cli_answer(std::string_view body,
                                     const std::vector<std::string> &requested_volumes,
                                     const std::string &source);

// Reads the driver's CUDA version from an answer of /gpu/info/json. Throws Error.
Version parse_gpu_info_cuda(std::string_view body, const std::string &source);

// What /gpu/info/json says of the host, for the requirement checks.
struct PluginGpuInfo {
  Version driver;
  Version cuda;
  struct Device {
    std::string uuid;
    std::string brand; // "Brand" when the plugin reports it, else from "Model"
    std::string arch;
  };
  std::vector<Device> devices; // in index order
};

// Reads an answer of /gpu/info/json. Throws Error naming `source`.
PluginGpuInfo parse_gpu_info(std::string_view body, const std::string &source);

} // namespace nvd
