// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/inventory_file_discovery.hpp"

#include "nvd/common/error.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace nvd {

InventoryFileDiscovery::InventoryFileDiscovery(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    throw Error("inventory " + path + ": cannot open: " + std::strerror(errno));
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad())
    throw Error("inventory " + path + ": cannot read: " + std::strerror(errno));
  m_inventory = std::make_shared<const GpuInventory>(parse_inventory_text(text.str(), path));
}

} // namespace nvd
