// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/nvml/nvml_library.hpp"

#include "nvd/common/strings.hpp"

#include <dlfcn.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace nvd::nvml {
namespace {

template <class Function> void bind(void *symbol, Function &target) {
  target = reinterpret_cast<Function>(symbol);
}

// The first of `names` the library has, or null.
void *first_of(const std::function<void *(const char *)> &lookup,
               std::initializer_list<const char *> names) {
  for (const char *name : names)
    if (void *symbol = lookup(name))
      return symbol;
  return nullptr;
}

std::string real_path(const std::string &path, int &error) {
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) == nullptr) {
    error = errno;
    return {};
  }
  error = 0;
  return resolved;
}

} // namespace

const std::vector<std::string> &required_entry_points() {
  static const std::vector<std::string> names = {
      "nvmlInit_v2",           "nvmlShutdown",
      "nvmlErrorString",       "nvmlSystemGetDriverVersion",
      "nvmlDeviceGetCount_v2", "nvmlDeviceGetHandleByIndex_v2",
      "nvmlDeviceGetUUID",     "nvmlDeviceGetMinorNumber",
      "nvmlDeviceGetName",     "nvmlDeviceGetPciInfo_v3 (or _v2)"};
  return names;
}

Api resolve_api(const std::function<void *(const char *)> &lookup, const std::string &library) {
  Api api;
  std::vector<std::string> missing;
  auto required = [&](void *symbol, const char *name, auto &target) {
    if (symbol == nullptr)
      missing.emplace_back(name);
    bind(symbol, target);
  };
  required(lookup("nvmlInit_v2"), "nvmlInit_v2", api.init);
  required(lookup("nvmlShutdown"), "nvmlShutdown", api.shutdown);
  required(lookup("nvmlErrorString"), "nvmlErrorString", api.error_string);
  required(lookup("nvmlSystemGetDriverVersion"), "nvmlSystemGetDriverVersion", api.driver_version);
  required(lookup("nvmlDeviceGetCount_v2"), "nvmlDeviceGetCount_v2", api.device_count);
  required(lookup("nvmlDeviceGetHandleByIndex_v2"), "nvmlDeviceGetHandleByIndex_v2",
           api.device_by_index);
  required(lookup("nvmlDeviceGetUUID"), "nvmlDeviceGetUUID", api.device_uuid);
  required(lookup("nvmlDeviceGetMinorNumber"), "nvmlDeviceGetMinorNumber", api.device_minor_number);
  required(lookup("nvmlDeviceGetName"), "nvmlDeviceGetName", api.device_name);
  required(first_of(lookup, {"nvmlDeviceGetPciInfo_v3", "nvmlDeviceGetPciInfo_v2"}),
           "nvmlDeviceGetPciInfo_v3 (or _v2)", api.device_pci_info);
  if (!missing.empty())
    throw Error("NVML " + library + " lacks " + join(missing, ", ") +
                ": this driver is too old for nvidia-docker-plugin; upgrade it, or pass --inventory");

  bind(lookup("nvmlSystemGetCudaDriverVersion"), api.cuda_driver_version);
  bind(lookup("nvmlSystemGetCudaDriverVersion_v2"), api.cuda_driver_version_v2);
  bind(lookup("nvmlSystemGetProcessName"), api.process_name);
  bind(lookup("nvmlDeviceGetCudaComputeCapability"), api.compute_capability);
  bind(lookup("nvmlDeviceGetNumGpuCores"), api.num_gpu_cores);
  bind(lookup("nvmlDeviceGetAttributes_v2"), api.attributes);
  bind(lookup("nvmlDeviceGetPowerManagementLimit"), api.power_management_limit);
  bind(lookup("nvmlDeviceGetEnforcedPowerLimit"), api.enforced_power_limit);
  bind(lookup("nvmlDeviceGetNumaNodeId"), api.numa_node);
  bind(lookup("nvmlDeviceGetBAR1MemoryInfo"), api.bar1_memory);
  bind(lookup("nvmlDeviceGetMaxPcieLinkGeneration"), api.max_pcie_generation);
  bind(lookup("nvmlDeviceGetMaxPcieLinkWidth"), api.max_pcie_width);
  bind(lookup("nvmlDeviceGetMemoryInfo"), api.memory);
  bind(lookup("nvmlDeviceGetMemoryBusWidth"), api.memory_bus_width);
  bind(lookup("nvmlDeviceGetEccMode"), api.ecc_mode);
  bind(lookup("nvmlDeviceGetMaxClockInfo"), api.max_clock);
  bind(lookup("nvmlDeviceGetTopologyCommonAncestor"), api.topology_common_ancestor);
  bind(lookup("nvmlDeviceGetNvLinkState"), api.nvlink_state);
  bind(first_of(lookup, {"nvmlDeviceGetNvLinkRemotePciInfo_v2", "nvmlDeviceGetNvLinkRemotePciInfo"}),
       api.nvlink_remote_pci);
  bind(lookup("nvmlDeviceGetPowerUsage"), api.power_usage);
  bind(lookup("nvmlDeviceGetTemperature"), api.temperature);
  bind(lookup("nvmlDeviceGetTemperatureV"), api.temperature_v);
  bind(lookup("nvmlDeviceGetUtilizationRates"), api.utilization);
  bind(lookup("nvmlDeviceGetEncoderUtilization"), api.encoder_utilization);
  bind(lookup("nvmlDeviceGetDecoderUtilization"), api.decoder_utilization);
  bind(lookup("nvmlDeviceGetMemoryErrorCounter"), api.memory_error_counter);
  bind(lookup("nvmlDeviceGetClockInfo"), api.clock);
  bind(lookup("nvmlDeviceGetPcieThroughput"), api.pcie_throughput);
  bind(lookup("nvmlDeviceGetComputeRunningProcesses_v3"), api.compute_processes_v3);
  bind(lookup("nvmlDeviceGetComputeRunningProcesses_v2"), api.compute_processes_v2);
  bind(lookup("nvmlDeviceGetComputeRunningProcesses"), api.compute_processes_v1);
  bind(lookup("nvmlDeviceGetGraphicsRunningProcesses_v3"), api.graphics_processes_v3);
  bind(lookup("nvmlDeviceGetGraphicsRunningProcesses_v2"), api.graphics_processes_v2);
  bind(lookup("nvmlDeviceGetGraphicsRunningProcesses"), api.graphics_processes_v1);
  return api;
}

NvmlLibrary::NvmlLibrary(const std::string &path, const std::string &driver_root) {
  int error = 0;
  if (!path.empty())
    m_path = real_path(path, error);
  if (path.empty() || error == ENOENT || error == ENOTDIR)
    throw Error("NVML not found under the driver root " + driver_root +
                ": is the NVIDIA driver installed? or pass --inventory");
  if (m_path.empty())
    throw Error("cannot load NVML " + path + ": " + std::strerror(error));
  // Each version is its own file, so a reload after an upgrade never meets
  // the old library still known to the dynamic loader under the same name.
  ::dlerror();
  m_handle = ::dlopen(m_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (m_handle == nullptr) {
    const char *why = ::dlerror();
    throw Error("cannot load NVML " + m_path + ": " + (why != nullptr ? why : "unknown reason"));
  }
  try {
    m_api = resolve_api([this](const char *name) { return ::dlsym(m_handle, name); }, m_path);
  } catch (...) {
    ::dlclose(m_handle);
    throw;
  }
}

NvmlLibrary::~NvmlLibrary() {
  if (m_initialised)
    m_api.shutdown();
  ::dlclose(m_handle);
}

void NvmlLibrary::initialise() {
  if (m_initialised)
    return;
  Return code = m_api.init();
  if (code != success)
    fail("nvmlInit_v2", code);
  m_initialised = true;
}

std::string NvmlLibrary::error_text(Return code) const {
  const char *text = m_api.error_string(code);
  if (text == nullptr || *text == '\0')
    return "error " + std::to_string(code);
  return printable(text);
}

void NvmlLibrary::fail(const std::string &what, Return code) const {
  std::string message = "NVML " + m_path + ": " + what + ": " + error_text(code);
  if (code == error_lib_rm_version_mismatch)
    throw VersionMismatch(message + " (the loaded kernel module is of another driver version: "
                                    "reload it or reboot)");
  if (code == error_driver_not_loaded)
    message += " (is the nvidia kernel module loaded?)";
  throw Error(message);
}

std::optional<int> libcuda_driver_version(const std::string &path) {
  if (path.empty())
    return std::nullopt;
  void *handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr)
    return std::nullopt;
  CudaDriverGetVersionFn get_version = nullptr;
  bind(::dlsym(handle, "cuDriverGetVersion"), get_version);
  int version = 0;
  bool known = get_version != nullptr && get_version(&version) == 0 && version > 0;
  ::dlclose(handle);
  if (!known)
    return std::nullopt;
  return version;
}

} // namespace nvd::nvml
