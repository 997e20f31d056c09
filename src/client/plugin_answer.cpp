// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/plugin_answer.hpp"

#include "nvd/common/error.hpp"
#include "nvd/common/gpu_inventory.hpp"
#include "nvd/client/json_events.hpp"
#include "nvd/client/requirements.hpp"
#include "nvd/common/strings.hpp"

#include <algorithm>
#include <optional>
#include <nlohmann/json.hpp>

namespace nvd {
namespace {

nlohmann::json parse_json(std::string_view body, const std::string &source) {
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception &error) {
    throw Error("invalid answer from " + source + ": not JSON (" + error.what() + ")");
  }
}

[[noreturn]] void refuse(const std::string &source, const std::string &what) {
  throw Error("refused answer from " + source + ": " + what);
}

// Checks "<name>_<version>:<absolute path>:ro|rw" with a name the image asked for.
bool is_allowed_volume(const std::string &volume, const std::vector<std::string> &names) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (true) {
    std::size_t colon = volume.find(':', start);
    fields.push_back(volume.substr(start, colon - start));
    if (colon == std::string::npos)
      break;
    start = colon + 1;
  }
  if (fields.size() != 3 || (fields[2] != "ro" && fields[2] != "rw"))
    return false;
  if (!is_safe_absolute_path(fields[1]) || fields[1] == "/")
    return false;
  const std::string &instance = fields[0];
  std::size_t underscore = instance.rfind('_');
  if (underscore == std::string::npos || !is_dotted_version(instance.substr(underscore + 1)))
    return false;
  std::string name = instance.substr(0, underscore);
  return is_plain_name(name) && std::find(names.begin(), names.end(), name) != names.end();
}

std::vector<std::string> string_list(const nlohmann::json &body, const char *field,
                                     const std::string &source) {
  if (!body.contains(field) || body[field].is_null())
    return {};
  if (!body[field].is_array())
    refuse(source, std::string("\"") + field + "\" is not a list");
  std::vector<std::string> items;
  for (const auto &item : body[field]) {
    if (!item.is_string())
      refuse(source, std::string("\"") + field + "\" holds a non-string: " + printable(item.dump()));
    items.push_back(item.get<std::string>());
  }
  return items;
}

} // namespace

std::vector<std::string> GpuArguments::to_docker_args() const {
  std::vector<std::string> args;
  if (!volume_driver.empty())
    args.push_back("--volume-driver=" + volume_driver);
  for (const auto &volume : volumes)
    args.push_back("--volume=" + volume);
  for (const auto &device : devices)
    args.push_back("--device=" + device);
  return args;
}

GpuArguments parse_docker_cli_answer(std::string_view body,
                                     const std::vector<std::string> &requested_volumes,
                                     const std::string &source) {
  nlohmann::json answer = parse_json(body, source);
  if (!answer.is_object())
    refuse(source, "not a JSON object");
  for (const auto &item : answer.items())
    if (item.key() != "VolumeDriver" && item.key() != "Volumes" && item.key() != "Devices")
      refuse(source, "unexpected field \"" + printable(item.key()) + "\"");

  GpuArguments arguments;
  arguments.volumes = string_list(answer, "Volumes", source);
  arguments.devices = string_list(answer, "Devices", source);
  if (answer.contains("VolumeDriver") && !answer["VolumeDriver"].is_null()) {
    if (!answer["VolumeDriver"].is_string())
      refuse(source, "\"VolumeDriver\" is not a string");
    arguments.volume_driver = answer["VolumeDriver"].get<std::string>();
  }
  // Volumes need the nvidia-docker driver; without volumes, a driver may only be absent or that.
  bool driver_needed = !arguments.volumes.empty() || !arguments.volume_driver.empty();
  if (driver_needed && arguments.volume_driver != "nvidia-docker")
    refuse(source, "volume driver \"" + printable(arguments.volume_driver) +
                       "\" is not nvidia-docker");
  if (arguments.volumes.empty())
    arguments.volume_driver.clear();

  std::vector<std::string> names = requested_volumes;
  if (names.empty())
    names.emplace_back("nvidia_driver"); // the plugin's "all volumes"
  for (const auto &volume : arguments.volumes)
    if (!is_allowed_volume(volume, names))
      refuse(source, "volume \"" + printable(volume) + "\" is not one the image asked for (" +
                         join(names, ", ") + ") as NAME_VERSION:/absolute/path:ro|rw");
  for (const auto &device : arguments.devices)
    if (!is_nvidia_device_path(device))
      refuse(source, "device \"" + printable(device) +
                         "\" is not an NVIDIA device node under /dev");
  if (arguments.devices.empty())
    refuse(source, "no devices");
  return arguments;
}

namespace {

// What /gpu/info/json says that nvidia-docker uses, read as the text is
// (json_events.hpp): no document is built for an answer whose other fields
// are many (8 GPUs: 5.5 KB, most of it clocks and topology), which cost two
// thirds of a GPU create's instructions. A repeated key counts as its last
// value, as when a whole document is read.
enum class GpuInfoRole { root, version, devices, device, other };

class GpuInfoReader : public RoleTrackingEvents<GpuInfoRole> {
public:
  // The device fields nvidia-docker reads (string values only; others: empty).
  struct Device {
    std::string uuid, arch, brand, model;
  };
  bool version_is_object = false;
  std::optional<std::string> cuda, driver; // string values only
  std::vector<Device> devices;
  bool device_not_object = false;

  void other_value() override { scalar(std::nullopt); }
  void string_value(std::string_view value) override { scalar(value); }
  void begin_object() override { open(true); }
  void begin_array() override { open(false); }

private:
  using Role = GpuInfoRole;

  // A value in the current container: what it replaces, what it is.
  void assign(bool object) {
    Role in = parent();
    if (in == Role::root && m_key == "Version") {
      version_is_object = object;
      cuda.reset();
      driver.reset();
    } else if (in == Role::root && m_key == "Devices") {
      devices.clear();
      device_not_object = false;
    } else if (in == Role::devices) {
      if (object)
        devices.emplace_back();
      else
        device_not_object = true;
    } else if (in == Role::device) {
      if (std::string *field = device_field())
        field->clear();
    } else if (in == Role::version && (m_key == "CUDA" || m_key == "Driver")) {
      (m_key == "CUDA" ? cuda : driver).reset();
    }
  }

  void scalar(std::optional<std::string_view> text) {
    if (m_open.empty()) // a document that is one value: no "Version"
      return;
    assign(false);
    if (!text)
      return;
    if (parent() == Role::device) {
      if (std::string *field = device_field())
        field->assign(*text);
    }
    else if (parent() == Role::version && m_key == "CUDA")
      cuda = std::string(*text);
    else if (parent() == Role::version && m_key == "Driver")
      driver = std::string(*text);
  }

  void open(bool object) {
    Role role = Role::other;
    if (m_open.empty()) {
      role = object ? Role::root : Role::other;
    } else {
      assign(object);
      Role in = parent();
      if (in == Role::root && object && m_key == "Version")
        role = Role::version;
      else if (in == Role::root && !object && m_key == "Devices")
        role = Role::devices;
      else if (in == Role::devices && object)
        role = Role::device;
    }
    m_open.push_back(role);
  }

  // The field of the current device that m_key names, if nvidia-docker reads it.
  std::string *device_field() {
    Device &device = devices.back();
    if (m_key == "UUID")
      return &device.uuid;
    if (m_key == "Arch")
      return &device.arch;
    if (m_key == "Brand")
      return &device.brand;
    if (m_key == "Model")
      return &device.model;
    return nullptr;
  }
};

GpuInfoReader read_gpu_info(std::string_view body, const std::string &source) {
  GpuInfoReader reader;
  try {
    read_json_events(body, reader);
  } catch (const Error &error) {
    throw Error("invalid answer from " + source + ": not JSON (" + error.what() + ")");
  }
  return reader;
}

// "Version"."CUDA", checked.
Version cuda_of(const GpuInfoReader &answer, const std::string &source) {
  if (!answer.version_is_object || !answer.cuda)
    refuse(source, "no \"Version\".\"CUDA\" string");
  std::optional<Version> version = parse_version(*answer.cuda);
  if (!version)
    refuse(source, "invalid CUDA version \"" + printable(*answer.cuda) + "\" (expected numbers such as 12.4)");
  return *version;
}

} // namespace

PluginGpuInfo parse_gpu_info(std::string_view body, const std::string &source) {
  const GpuInfoReader answer = read_gpu_info(body, source);
  PluginGpuInfo info;
  info.cuda = cuda_of(answer, source);
  std::optional<Version> driver = answer.driver ? parse_version(*answer.driver) : std::nullopt;
  if (!driver)
    refuse(source, "no valid \"Version\".\"Driver\"");
  info.driver = *driver;
  if (answer.device_not_object)
    refuse(source, "a device is not an object");
  for (const auto &device : answer.devices)
    info.devices.push_back({device.uuid, device.brand.empty() ? brand_from_model(device.model) : device.brand,
                            device.arch});
  return info;
}

Version parse_gpu_info_cuda(std::string_view body, const std::string &source) {
  return cuda_of(read_gpu_info(body, source), source);
}

std::vector<std::string> volume_plugin_locations(const std::string &driver) {
  const std::string sockets = docker_plugin_socket_folder;
  return {sockets + "/" + driver + ".sock", sockets + "/" + driver + "/" + driver + ".sock",
          "/etc/docker/plugins/" + driver + ".spec", "/etc/docker/plugins/" + driver + ".json",
          "/usr/lib/docker/plugins/" + driver + ".spec", "/usr/lib/docker/plugins/" + driver + ".json"};
}

} // namespace nvd
