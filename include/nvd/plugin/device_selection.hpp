// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/common/gpu_inventory.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace nvd {

// The outcome of a `dev=`/`vol=` selection: either the chosen items or the
// reason the request is refused (the plugin answers it with HTTP 400).
struct DeviceSelection {
  std::vector<std::size_t> indexes;
  std::string error;
};

struct VolumeSelection {
  std::vector<std::string> names;
  std::string error;
};

// The one volume the plugin serves, its mount point, and how it is named.
inline constexpr const char *driver_volume_name = "nvidia_driver";
inline constexpr const char *driver_volume_mount = "/usr/local/nvidia";
std::string driver_volume_instance(const GpuInventory &inventory);

// Selects devices from a decoded query value: ids separated by spaces, each a
// decimal index or a UUID prefix starting with "GPU-"; empty or "*" selects all.
// Devices come back in the order asked for, each once.
DeviceSelection select_devices(const GpuInventory &inventory, std::string_view ids);

// Selects volumes by name from a decoded query value; empty or "*" selects all.
VolumeSelection select_volumes(std::string_view names);

} // namespace nvd
