// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace nvd {

// One GPU as the plugin reports it. `info` and `status` are the normalized JSON
// objects served by /gpu/info/json and /gpu/status/json: every documented field
// present, unknown figures null.
struct GpuDevice {
  std::string uuid;
  std::string path;
  nlohmann::json info;
  nlohmann::json status;
};

// What the plugin knows about its host. Devices are in PCI bus order, which is
// the order of their indexes.
struct GpuInventory {
  std::string driver_version;
  std::string cuda_version;
  std::vector<std::string> control_devices;
  std::vector<GpuDevice> devices;
};

// The control devices every GPU container needs, in the order they are handed out.
std::vector<std::string> default_control_devices();

// Builds an inventory from its JSON description (see docs/inventory.md).
// Throws Error naming `source`, the field (as a JSON pointer) and the problem.
GpuInventory parse_inventory(const nlohmann::json &document, std::string_view source);

// Parses the text of an inventory file; malformed JSON is an Error naming `source`.
GpuInventory parse_inventory_text(std::string_view text, std::string_view source);

// The body of /gpu/info/json.
nlohmann::json inventory_info_json(const GpuInventory &inventory);

// The body of /gpu/status/json.
nlohmann::json inventory_status_json(const GpuInventory &inventory);

// The one rule for the device nodes a plugin may hand out, applied both when
// the plugin reads its inventory and when the client checks an answer:
// /dev/nvidia* or /dev/nvidia-caps/nvidia*, plain characters, no "..".
bool is_nvidia_device_path(std::string_view path);

// True for a version made of dot-separated decimal numbers ("375.26", "12.4.1").
bool is_dotted_version(std::string_view text);

} // namespace nvd
