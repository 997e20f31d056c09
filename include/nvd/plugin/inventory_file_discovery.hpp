// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/plugin/gpu_discovery.hpp"

#include <string>

namespace nvd {

// Discovery from a JSON description of the host (`--inventory FILE`), read once at start.
class InventoryFileDiscovery : public GpuDiscovery {
public:
  // Throws Error naming the file, the field and the problem.
  explicit InventoryFileDiscovery(const std::string &path);
  std::shared_ptr<const GpuInventory> snapshot() const override { return m_inventory; }

private:
  std::shared_ptr<const GpuInventory> m_inventory;
};

} // namespace nvd
