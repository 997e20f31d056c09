// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/common/gpu_inventory.hpp"

#include <string>

namespace nvd {

// The human-readable table of /gpu/info: versions, then each device.
std::string render_info_text(const GpuInventory &inventory);

// The human-readable live status of /gpu/status, one block per device.
std::string render_status_text(const GpuInventory &inventory);

// The name of a P2P link type as numbered in /gpu/info/json "Topology".
std::string p2p_link_name(const nlohmann::json &link);

} // namespace nvd
