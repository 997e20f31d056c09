// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/gpu_inventory.hpp"

#include <memory>

namespace nvd {

// Where the plugin learns about the host's GPUs: a description file now, NVML later.
class GpuDiscovery {
public:
  virtual ~GpuDiscovery() = default;
  // The GPUs with their current status; safe to call from many threads at once.
  virtual std::shared_ptr<const GpuInventory> snapshot() const = 0;
};

} // namespace nvd
