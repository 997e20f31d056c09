// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/common/gpu_inventory.hpp"

#include <memory>

namespace nvd {

// Where the plugin learns about the host's GPUs: NVML, or a description file.
class GpuDiscovery {
public:
  virtual ~GpuDiscovery() = default;
  // The GPUs as discovered (driver version, devices, their fixed facts); cheap,
  // served from memory unless the driver changed. Safe from many threads at once.
  virtual std::shared_ptr<const GpuInventory> snapshot() const = 0;
  // The same with each device's `status` read now (for /gpu/status). Sources
  // without live figures answer with their snapshot.
  virtual std::shared_ptr<const GpuInventory> snapshot_with_status() const { return snapshot(); }
};

} // namespace nvd
