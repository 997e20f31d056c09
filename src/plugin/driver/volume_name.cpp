// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/driver/volume_plan.hpp"

#include "nvd/common/gpu_inventory.hpp"

namespace nvd {

namespace {
constexpr std::string_view volume_prefix = "nvidia_driver_";
} // namespace

std::string driver_volume_name(const std::string &version) {
  return std::string(volume_prefix) + version;
}

std::optional<std::string> driver_version_of_volume(std::string_view name) {
  if (name.substr(0, volume_prefix.size()) != volume_prefix)
    return std::nullopt;
  std::string_view version = name.substr(volume_prefix.size());
  if (!is_dotted_version(version))
    return std::nullopt;
  return std::string(version);
}

} // namespace nvd
