// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/gpu_backend.hpp"

#include "nvd/common/error.hpp"
#include "nvd/common/strings.hpp"

#include <nlohmann/json.hpp>

namespace nvd {

std::string backend_name(Backend backend) {
  switch (backend) {
  case Backend::plugin:
    return "plugin";
  case Backend::cdi:
    return "cdi";
  case Backend::gpus:
    return "gpus";
  case Backend::runtime:
    return "runtime";
  }
  return "?";
}

std::optional<Backend> backend_from(const Environment &env) {
  auto it = env.find("NV_BACKEND");
  if (it == env.end() || it->second.empty() || it->second == "auto")
    return std::nullopt;
  for (Backend backend : {Backend::plugin, Backend::cdi, Backend::gpus, Backend::runtime})
    if (it->second == backend_name(backend))
      return backend;
  throw Error("NV_BACKEND: unknown backend \"" + printable(it->second) +
              "\" (use auto, plugin, cdi, gpus or runtime)");
}

GpuRequest gpu_request(const LabelRequest &labels, const std::map<std::string, std::string> &container_env,
                       const Environment &host) {
  GpuRequest request;
  request.labels = labels;
  auto visible = container_env.find("NVIDIA_VISIBLE_DEVICES");
  bool visible_set = visible != container_env.end() && !visible->second.empty() && visible->second != "void";
  if (labels.gpu_image) {
    request.wanted = true;
    request.reason = std::string("label ") + volumes_needed_label;
  } else if (visible_set) {
    request.wanted = true;
    request.reason = "NVIDIA_VISIBLE_DEVICES=" + visible->second;
  } else if (container_env.count("NVIDIA_REQUIRE_CUDA")) {
    request.wanted = true;
    request.reason = "NVIDIA_REQUIRE_CUDA";
  } else if (container_env.count("CUDA_VERSION")) {
    request.wanted = true;
    request.reason = "CUDA_VERSION=" + container_env.at("CUDA_VERSION");
  }
  if (!request.wanted)
    return request;

  for (const auto &[name, value] : container_env)
    if (starts_with(name, "NVIDIA_REQUIRE_") && !value.empty())
      request.requirements.emplace_back(name, value);
  auto disable = container_env.find("NVIDIA_DISABLE_REQUIRE");
  request.requirements_disabled =
      disable != container_env.end() && !disable->second.empty() && disable->second != "0" &&
      disable->second != "false";

  std::vector<std::string> nv_gpu = gpu_ids_from(host);
  if (!nv_gpu.empty()) {
    request.selection = {GpuSelection::Kind::listed, nv_gpu, "NV_GPU"};
  } else if (visible_set) {
    const std::string &value = visible->second;
    if (value == "all")
      request.selection = {GpuSelection::Kind::all, {}, "NVIDIA_VISIBLE_DEVICES"};
    else if (value == "none")
      request.selection = {GpuSelection::Kind::none, {}, "NVIDIA_VISIBLE_DEVICES"};
    else // as the toolkit reads it: any ids (indexes, UUIDs, MIG devices), comma-separated
      request.selection = {GpuSelection::Kind::listed, split_any(value, ", "), "NVIDIA_VISIBLE_DEVICES"};
  } else {
    request.selection = {GpuSelection::Kind::all, {}, "default"};
  }
  return request;
}

std::string command_gpu_request(const CommandLine &line) {
  for (const auto &use : line.container_flags) {
    std::string value = use.value.value_or("");
    if (use.name == "gpus")
      return "--gpus " + value;
    if (use.name == "runtime" && value == "nvidia")
      return "--runtime=nvidia";
    if (use.name == "device" && starts_with(value, "nvidia.com/gpu"))
      return "--device " + value;
    if (use.name == "env" && (value == "NVIDIA_VISIBLE_DEVICES" || starts_with(value, "NVIDIA_VISIBLE_DEVICES=")))
      return "-e " + value;
  }
  return "";
}

DaemonInfo parse_daemon_info(std::string_view json_text) {
  nlohmann::json info = nlohmann::json::parse(json_text, nullptr, false);
  if (!info.is_object())
    throw Error("the docker daemon's /info is not a JSON object");
  DaemonInfo result;
  if (info.contains("Runtimes") && info["Runtimes"].is_object())
    for (const auto &item : info["Runtimes"].items())
      result.runtimes.push_back(item.key());
  if (info.contains("CDISpecDirs") && info["CDISpecDirs"].is_array())
    for (const auto &dir : info["CDISpecDirs"])
      if (dir.is_string())
        result.cdi_spec_dirs.push_back(dir.get<std::string>());
  // API 1.49+: {"DiscoveredDevices":[{"Source":"cdi","ID":"nvidia.com/gpu=0"}]}
  if (info.contains("DiscoveredDevices") && info["DiscoveredDevices"].is_array())
    for (const auto &device : info["DiscoveredDevices"])
      if (device.is_object() && device.value("Source", "") == "cdi" && device.contains("ID") &&
          device["ID"].is_string())
        result.cdi_devices.push_back(device["ID"].get<std::string>());
  return result;
}

std::string cdi_refusal_for_client(std::string_view version_line) {
  constexpr std::string_view docker_version = "Docker version ";
  if (!starts_with(version_line, docker_version))
    return "";
  std::string_view version = version_line.substr(docker_version.size());
  version = version.substr(0, version.find_first_of(", "));
  std::size_t dot = version.find('.');
  std::string_view major = version.substr(0, dot);
  if (major.empty() || major.size() > 4 || !is_decimal(major))
    return "";
  if (std::stoi(std::string(major)) >= cdi_client_major)
    return "";
  return "docker client " + printable(version) + " reads --device=nvidia.com/gpu=N as a path; CDI devices "
         "need docker " + std::to_string(cdi_client_major) + ".0 or later";
}

std::vector<std::string> backend_arguments(Backend backend, const GpuSelection &selection) {
  std::vector<std::string> args;
  bool none = selection.kind == GpuSelection::Kind::none;
  bool all = selection.kind == GpuSelection::Kind::all;
  switch (backend) {
  case Backend::cdi:
    if (all)
      args.emplace_back("--device=nvidia.com/gpu=all");
    for (const auto &id : selection.ids)
      args.push_back("--device=nvidia.com/gpu=" + id);
    break;
  case Backend::gpus:
    // docker reads the value as CSV: a list of devices must be quoted.
    if (all)
      args.emplace_back("--gpus=all");
    else if (!none)
      args.push_back("--gpus=\"device=" + join(selection.ids, ",") + "\"");
    break;
  case Backend::runtime:
    args.emplace_back("--runtime=nvidia");
    args.push_back("--env=NVIDIA_VISIBLE_DEVICES=" +
                   (all ? std::string("all") : none ? std::string("none") : join(selection.ids, ",")));
    break;
  case Backend::plugin:
    break; // the plugin's answer gives them
  }
  return args;
}

} // namespace nvd
