// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/common/gpu_inventory.hpp"

#include "nvd/common/error.hpp"
#include "nvd/common/strings.hpp"

#include <algorithm>
#include <set>

namespace nvd {
namespace {

using nlohmann::json;

// The shape of each object, as data: leaves name a JSON type, objects nest,
// a one-element array describes the elements of a list. A leaf ending in '!'
// is required.
const json &device_info_schema() {
  static const json schema = json::parse(R"({
    "UUID": "string!", "Path": "string!", "Model": "string",
    "Power": "number", "CPUAffinity": "number",
    "PCI": {"BusID": "string", "BAR1": "number", "Bandwidth": "number"},
    "Clocks": {"Cores": "number", "Memory": "number"},
    "Topology": [{"BusID": "string", "Link": "number"}],
    "Family": "string", "Arch": "string", "Cores": "number",
    "Memory": {"ECC": "boolean", "Global": "number", "Shared": "number",
               "Constant": "number", "L2Cache": "number", "Bandwidth": "number"}
  })");
  return schema;
}

const json &device_status_schema() {
  static const json schema = json::parse(R"({
    "Power": "number", "Temperature": "number",
    "Utilization": {"GPU": "number", "Memory": "number", "Encoder": "number", "Decoder": "number"},
    "Memory": {"GlobalUsed": "number",
               "ECCErrors": {"L1Cache": "number", "L2Cache": "number", "Global": "number"}},
    "Clocks": {"Cores": "number", "Memory": "number"},
    "PCI": {"BAR1Used": "number", "Throughput": {"RX": "number", "TX": "number"}},
    "Processes": [{"PID": "number", "Name": "string", "MemoryUsed": "number"}]
  })");
  return schema;
}

class InventoryReader {
public:
  explicit InventoryReader(std::string_view source) : m_source(source) {}

  [[noreturn]] void fail(const std::string &pointer, const std::string &problem) const {
    throw Error("inventory " + m_source + ": " + (pointer.empty() ? "/" : pointer) + ": " +
                problem);
  }

  // Returns `value` shaped as `schema`: every field present, absent ones null.
  json normalize(const json &schema, const json *value, const std::string &pointer) const {
    if (schema.is_object())
      return normalize_object(schema, value, pointer);
    if (schema.is_array()) {
      json out = json::array();
      if (value == nullptr || value->is_null())
        return out;
      if (!value->is_array())
        fail(pointer, "must be a list");
      for (std::size_t i = 0; i < value->size(); ++i)
        out.push_back(normalize(schema[0], &(*value)[i], pointer + "/" + std::to_string(i)));
      return out;
    }
    std::string kind = schema.get<std::string>();
    bool required = ends_with(kind, "!");
    if (required)
      kind.pop_back();
    if (value == nullptr || value->is_null()) {
      if (required)
        fail(pointer, "is required");
      return nullptr;
    }
    if (kind == "string" && !value->is_string())
      fail(pointer, "must be a string");
    if (kind == "boolean" && !value->is_boolean())
      fail(pointer, "must be true or false");
    if (kind == "number") {
      if (!value->is_number())
        fail(pointer, "must be a number");
      if (value->get<double>() < 0)
        fail(pointer, "must not be negative");
    }
    return *value;
  }

  json normalize_object(const json &schema, const json *value, const std::string &pointer,
                        const std::set<std::string> &also_allowed = {}) const {
    if (value != nullptr && !value->is_null() && !value->is_object())
      fail(pointer, "must be an object");
    if (value != nullptr && value->is_object()) {
      for (const auto &item : value->items())
        if (!schema.contains(item.key()) && also_allowed.count(item.key()) == 0)
          fail(pointer + "/" + item.key(), "unknown field");
    }
    json out = json::object();
    for (const auto &field : schema.items()) {
      const json *member = nullptr;
      if (value != nullptr && value->is_object() && value->contains(field.key()))
        member = &(*value)[field.key()];
      out[field.key()] = normalize(field.value(), member, pointer + "/" + field.key());
    }
    return out;
  }

  std::string version(const json &document, const char *field) const {
    std::string pointer = std::string("/Version/") + field;
    const json &version = document["Version"];
    if (!version.contains(field) || !version[field].is_string())
      fail(pointer, "is required and must be a string such as \"535.104.05\"");
    std::string text = version[field].get<std::string>();
    if (!is_dotted_version(text))
      fail(pointer, "must be dot-separated numbers, not \"" + printable(text) + "\"");
    return text;
  }

  GpuInventory read(const json &document) const {
    if (!document.is_object())
      fail("", "must be a JSON object with \"Version\" and \"Devices\"");
    for (const auto &item : document.items()) {
      static const std::set<std::string> known = {"Version", "Devices", "ControlDevices"};
      if (known.count(item.key()) == 0)
        fail("/" + item.key(), "unknown field");
    }
    if (!document.contains("Version") || !document["Version"].is_object())
      fail("/Version", "is required and must be an object with \"Driver\" and \"CUDA\"");
    for (const auto &item : document["Version"].items())
      if (item.key() != "Driver" && item.key() != "CUDA")
        fail("/Version/" + item.key(), "unknown field");

    GpuInventory inventory;
    inventory.driver_version = version(document, "Driver");
    inventory.cuda_version = version(document, "CUDA");
    inventory.control_devices = read_control_devices(document);

    if (!document.contains("Devices") || !document["Devices"].is_array())
      fail("/Devices", "is required and must be a list (it may be empty)");
    const json &devices = document["Devices"];
    std::set<std::string> uuids, paths;
    for (std::size_t i = 0; i < devices.size(); ++i) {
      std::string pointer = "/Devices/" + std::to_string(i);
      GpuDevice device = read_device(devices[i], pointer);
      if (!uuids.insert(device.uuid).second)
        fail(pointer + "/UUID", "duplicate UUID " + device.uuid);
      if (!paths.insert(device.path).second)
        fail(pointer + "/Path", "duplicate path " + device.path);
      inventory.devices.push_back(std::move(device));
    }
    sort_by_bus_id(inventory.devices);
    return inventory;
  }

private:
  std::vector<std::string> read_control_devices(const json &document) const {
    if (!document.contains("ControlDevices"))
      return default_control_devices();
    const json &list = document["ControlDevices"];
    if (!list.is_array())
      fail("/ControlDevices", "must be a list of device paths");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::string pointer = "/ControlDevices/" + std::to_string(i);
      if (!list[i].is_string() || !is_nvidia_device_path(list[i].get<std::string>()))
        fail(pointer, "must be a path such as \"/dev/nvidiactl\"");
      out.push_back(list[i].get<std::string>());
    }
    return out;
  }

  GpuDevice read_device(const json &value, const std::string &pointer) const {
    if (!value.is_object())
      fail(pointer, "must be an object");
    GpuDevice device;
    device.info = normalize_object(device_info_schema(), &value, pointer, {"Status"});
    const json *status = value.contains("Status") ? &value["Status"] : nullptr;
    device.status = normalize_object(device_status_schema(), status, pointer + "/Status");
    device.uuid = device.info["UUID"].get<std::string>();
    device.path = device.info["Path"].get<std::string>();
    if (!starts_with(device.uuid, "GPU-") || device.uuid.size() == 4 ||
        device.uuid.find_first_of(" \t\n+,") != std::string::npos)
      fail(pointer + "/UUID", "must start with \"GPU-\" and hold no spaces, commas or '+'");
    if (!is_nvidia_device_path(device.path) || device.path == "/dev/nvidiactl")
      fail(pointer + "/Path", "must be a GPU device path such as \"/dev/nvidia0\"");
    return device;
  }

  static void sort_by_bus_id(std::vector<GpuDevice> &devices) {
    // Indexes follow PCI bus order; devices without a bus id keep their place after those with one.
    std::stable_sort(devices.begin(), devices.end(), [](const GpuDevice &a, const GpuDevice &b) {
      const json &x = a.info["PCI"]["BusID"];
      const json &y = b.info["PCI"]["BusID"];
      if (x.is_null() || y.is_null())
        return !x.is_null() && y.is_null();
      return x.get<std::string>() < y.get<std::string>();
    });
  }

  std::string m_source;
};

} // namespace

std::vector<std::string> default_control_devices() {
  return {"/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools"};
}

bool is_nvidia_device_path(std::string_view path) {
  if (!is_safe_absolute_path(path))
    return false;
  if (starts_with(path, "/dev/nvidia-caps/"))
    path.remove_prefix(17);
  else if (starts_with(path, "/dev/"))
    path.remove_prefix(5);
  else
    return false;
  return starts_with(path, "nvidia") && path.find('/') == std::string_view::npos;
}

bool is_dotted_version(std::string_view text) {
  if (text.empty() || text.front() == '.' || text.back() == '.')
    return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      if (text[i - 1] == '.')
        return false;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return true;
}

GpuInventory parse_inventory(const nlohmann::json &document, std::string_view source) {
  return InventoryReader(source).read(document);
}

GpuInventory parse_inventory_text(std::string_view text, std::string_view source) {
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error &error) {
    throw Error("inventory " + std::string(source) + ": not valid JSON: " + error.what());
  }
  return parse_inventory(document, source);
}

nlohmann::json inventory_info_json(const GpuInventory &inventory) {
  nlohmann::json devices = nlohmann::json::array();
  for (const auto &device : inventory.devices)
    devices.push_back(device.info);
  return {{"Version", {{"Driver", inventory.driver_version}, {"CUDA", inventory.cuda_version}}},
          {"Devices", devices}};
}

nlohmann::json inventory_status_json(const GpuInventory &inventory) {
  nlohmann::json devices = nlohmann::json::array();
  for (const auto &device : inventory.devices)
    devices.push_back(device.status);
  return {{"Devices", devices}};
}

} // namespace nvd
