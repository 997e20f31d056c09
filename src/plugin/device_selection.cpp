// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/device_selection.hpp"

#include "nvd/common/strings.hpp"

#include <algorithm>

namespace nvd {

std::string driver_volume_instance(const GpuInventory &inventory) {
  return std::string(driver_volume_name) + "_" + inventory.driver_version;
}

static bool select_all(const std::vector<std::string> &tokens) {
  return tokens.empty() || std::find(tokens.begin(), tokens.end(), "*") != tokens.end();
}

DeviceSelection select_devices(const GpuInventory &inventory, std::string_view ids) {
  DeviceSelection selection;
  std::vector<std::string> tokens = split_words(ids);
  if (select_all(tokens)) {
    for (std::size_t i = 0; i < inventory.devices.size(); ++i)
      selection.indexes.push_back(i);
    return selection;
  }
  for (const auto &token : tokens) {
    std::size_t index = inventory.devices.size();
    if (starts_with(token, "GPU-")) {
      std::size_t matches = 0;
      for (std::size_t i = 0; i < inventory.devices.size(); ++i) {
        if (starts_with(inventory.devices[i].uuid, token)) {
          index = i;
          ++matches;
        }
      }
      if (matches > 1) {
        selection.error = "ambiguous device: " + printable(token);
        return selection;
      }
    } else if (is_decimal(token) && token.size() <= 9) {
      index = std::stoul(token);
    }
    if (index >= inventory.devices.size()) {
      selection.error = "invalid device: " + printable(token);
      return selection;
    }
    if (std::find(selection.indexes.begin(), selection.indexes.end(), index) ==
        selection.indexes.end())
      selection.indexes.push_back(index);
  }
  return selection;
}

VolumeSelection select_volumes(std::string_view names) {
  VolumeSelection selection;
  std::vector<std::string> tokens = split_words(names);
  if (select_all(tokens)) {
    selection.names.emplace_back(driver_volume_name);
    return selection;
  }
  for (const auto &token : tokens) {
    if (token != driver_volume_name) {
      selection.error = "invalid volume: " + printable(token);
      return selection;
    }
    if (std::find(selection.names.begin(), selection.names.end(), token) == selection.names.end())
      selection.names.push_back(token);
  }
  return selection;
}

} // namespace nvd
