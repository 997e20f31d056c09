// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/common/gpu_inventory.hpp"

#include <string>
#include <string_view>

namespace nvd {

// URL-safe base64 (RFC 4648 §5) with the trailing '=' padding removed.
std::string base64url_unpadded(std::string_view bytes);

// zlib-compressed bytes (a zlib stream, default level).
std::string zlib_compress(std::string_view bytes);

// The /mesos/cli line: the compressed GPU info as an attribute, the UUIDs as resources.
std::string render_mesos_cli(const GpuInventory &inventory);

} // namespace nvd
