// SPDX-License-Identifier: BSD-3-Clause
// A stand-in libnvidia-ml.so.1 for the tests: NVML's C entry points answering
// from a JSON file named by NVD_STAND_IN_NVML (format in tests/tools/nvml/README.md),
// read again whenever the file changes.
//
// Its driver version is in its own file name, as a driver's library has it
// (libnvidia-ml.so.535.104.05 is driver 535.104.05): a copy under another name
// is another driver. When the config's KernelVersion (the loaded kernel
// module) differs from it, nvmlInit_v2 and every later call answer
// NVML_ERROR_LIB_RM_VERSION_MISMATCH, as after an upgrade without a reload.
//
// Built three ways: every entry point; NVD_STAND_IN_MINIMAL, only those the
// plugin requires (with nvmlDeviceGetPciInfo_v2, not _v3); and
// NVD_STAND_IN_INCOMPLETE, which also lacks nvmlDeviceGetMinorNumber and both
// nvmlDeviceGetPciInfo, for the error that names them.
#include "nvd/plugin/nvml/nvml_abi.hpp"

#include <dlfcn.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>

#if defined(NVD_STAND_IN_INCOMPLETE) && !defined(NVD_STAND_IN_MINIMAL)
#define NVD_STAND_IN_MINIMAL
#endif

#define NVD_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

using nlohmann::json;
using namespace nvd::nvml;

constexpr unsigned most_devices = 64;
char g_slots[most_devices]; // a device handle is the address of its slot

std::mutex g_mutex;
unsigned g_initialised = 0;

struct Loaded {
  std::string path;
  struct stat seen {};
  json config;
  bool valid = false;
};
Loaded g_loaded;

void complain(const std::string &what) {
  std::fprintf(stderr, "stand-in NVML: %s\n", what.c_str());
}

// The driver version in this library's own file name, links followed.
std::string version_in_file_name() {
  Dl_info info{};
  if (::dladdr(reinterpret_cast<void *>(&version_in_file_name), &info) == 0 ||
      info.dli_fname == nullptr)
    return {};
  char resolved[PATH_MAX];
  if (::realpath(info.dli_fname, resolved) == nullptr)
    return {};
  std::string name = resolved;
  name = name.substr(name.rfind('/') + 1);
  const std::string prefix = "libnvidia-ml.so.";
  if (name.compare(0, prefix.size(), prefix) != 0)
    return {};
  std::string version = name.substr(prefix.size());
  if (version.find('.') == std::string::npos)
    return {}; // libnvidia-ml.so.1: no driver version in the name
  return version;
}

// Reads the config again when its file changed. Called with g_mutex held.
Return refresh() {
  const char *path = std::getenv("NVD_STAND_IN_NVML");
  if (path == nullptr || *path == '\0')
    return error_driver_not_loaded;
  struct stat now {};
  if (::stat(path, &now) != 0) {
    complain(std::string(path) + ": " + std::strerror(errno));
    return error_driver_not_loaded;
  }
  bool same = g_loaded.path == path && now.st_ino == g_loaded.seen.st_ino &&
              now.st_dev == g_loaded.seen.st_dev && now.st_size == g_loaded.seen.st_size &&
              now.st_mtim.tv_sec == g_loaded.seen.st_mtim.tv_sec &&
              now.st_mtim.tv_nsec == g_loaded.seen.st_mtim.tv_nsec;
  if (!same) {
    g_loaded.path = path;
    g_loaded.seen = now;
    g_loaded.valid = false;
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    try {
      g_loaded.config = json::parse(text.str());
      if (!g_loaded.config.is_object())
        throw std::runtime_error("the config must be a JSON object");
      if (g_loaded.config.contains("Devices") && !g_loaded.config["Devices"].is_array())
        throw std::runtime_error("\"Devices\" must be a list");
      g_loaded.valid = true;
    } catch (const std::exception &error) {
      complain(std::string(path) + ": " + error.what());
    }
  }
  return g_loaded.valid ? success : error_unknown;
}

const json &config() { return g_loaded.config; }

std::string own_version() {
  static const std::string from_name = version_in_file_name();
  if (!from_name.empty())
    return from_name;
  return config().value("DriverVersion", std::string());
}

bool kernel_differs() {
  std::string own = own_version();
  return config().value("KernelVersion", own) != own;
}

// A code the config forces for `name` in `errors`, if any.
std::optional<Return> forced(const json &owner, const char *name) {
  if (owner.contains("Errors") && owner["Errors"].contains(name))
    return owner["Errors"][name].get<Return>();
  return std::nullopt;
}

// Runs `answer` for a call that needs NVML initialised, under the lock.
template <class Answer> Return system_call(const char *name, Answer answer) {
  std::lock_guard<std::mutex> lock(g_mutex);
  try {
    if (Return code = refresh())
      return code;
    if (g_initialised == 0)
      return error_uninitialized;
    if (kernel_differs())
      return error_lib_rm_version_mismatch;
    if (std::optional<Return> code = forced(config(), name))
      return *code;
    return answer(config());
  } catch (const std::exception &error) {
    complain(std::string(name) + ": " + error.what());
    return error_unknown;
  }
}

const json *device_of(Device device) {
  const char *slot = reinterpret_cast<const char *>(device);
  if (slot < g_slots || slot >= g_slots + most_devices || !config().contains("Devices"))
    return nullptr;
  std::size_t index = static_cast<std::size_t>(slot - g_slots);
  const json &devices = config()["Devices"];
  return index < devices.size() ? &devices[index] : nullptr;
}

[[maybe_unused]] std::size_t index_of(Device device) {
  return static_cast<std::size_t>(reinterpret_cast<const char *>(device) - g_slots);
}

// Runs `answer` with the device's config; a field it lacks answers NOT_SUPPORTED.
template <class Answer> Return device_call(const char *name, Device device, Answer answer) {
  return system_call(name, [&](const json &) -> Return {
    const json *gpu = device_of(device);
    if (gpu == nullptr)
      return error_invalid_argument;
    if (std::optional<Return> code = forced(*gpu, name))
      return *code;
    return answer(*gpu);
  });
}

// A number field of the device, scaled, into `out`.
template <class Out>
Return number(const json &gpu, const char *field, Out *out, unsigned long long scale = 1) {
  if (out == nullptr)
    return error_invalid_argument;
  if (!gpu.contains(field) || gpu[field].is_null())
    return error_not_supported;
  *out = static_cast<Out>(gpu[field].get<unsigned long long>() * scale);
  return success;
}

template <class Out>
Return member(const json &gpu, const char *object, const char *field, Out *out) {
  if (out == nullptr)
    return error_invalid_argument;
  if (!gpu.contains(object) || !gpu[object].contains(field) || gpu[object][field].is_null())
    return error_not_supported;
  *out = gpu[object][field].get<Out>();
  return success;
}

Return text(const std::string &value, char *out, unsigned size) {
  if (out == nullptr)
    return error_invalid_argument;
  if (value.size() + 1 > size)
    return error_insufficient_size;
  std::memcpy(out, value.c_str(), value.size() + 1);
  return success;
}

Return text_field(const json &gpu, const char *field, char *out, unsigned size) {
  if (!gpu.contains(field) || !gpu[field].is_string())
    return error_not_supported;
  return text(gpu[field].get<std::string>(), out, size);
}

[[maybe_unused]] Return pci_info(const std::string &bus_id, PciInfo *pci) {
  if (pci == nullptr)
    return error_invalid_argument;
  unsigned domain = 0, bus = 0, device = 0, function = 0;
  if (std::sscanf(bus_id.c_str(), "%x:%x:%x.%x", &domain, &bus, &device, &function) != 4)
    return error_unknown;
  *pci = PciInfo{};
  pci->domain = domain;
  pci->bus = bus;
  pci->device = device;
  pci->pci_device_id = 0x1db410de;
  std::snprintf(pci->bus_id, sizeof pci->bus_id, "%08X:%02X:%02X.0", domain, bus, device);
  std::snprintf(pci->bus_id_legacy, sizeof pci->bus_id_legacy, "%04X:%02X:%02X.0", domain & 0xffffu,
                bus, device);
  return success;
}

[[maybe_unused]] Return device_pci_info(Device device, PciInfo *pci) {
  return device_call("nvmlDeviceGetPciInfo", device, [&](const json &gpu) -> Return {
    if (!gpu.contains("BusID"))
      return error_not_supported;
    return pci_info(gpu["BusID"].get<std::string>(), pci);
  });
}

[[maybe_unused]] const char *clock_field(int type) {
  return type == clock_sm ? "SM" : type == clock_mem ? "Memory" : nullptr;
}

template <class Info>
Return processes(const char *name, const char *kind, Device device, unsigned *count, Info *infos) {
  return device_call(name, device, [&](const json &gpu) -> Return {
    if (count == nullptr)
      return error_invalid_argument;
    json chosen = json::array();
    if (gpu.contains("Processes"))
      for (const json &process : gpu["Processes"])
        if (process.value("Kind", std::string("compute")) == kind)
          chosen.push_back(process);
    unsigned capacity = *count;
    *count = static_cast<unsigned>(chosen.size());
    if (chosen.size() > capacity)
      return error_insufficient_size;
    if (!chosen.empty() && infos == nullptr)
      return error_invalid_argument;
    for (std::size_t i = 0; i < chosen.size(); ++i) {
      Info info{};
      info.pid = chosen[i]["PID"].get<unsigned>();
      const json &used = chosen[i].contains("MemoryUsedMiB") ? chosen[i]["MemoryUsedMiB"] : json();
      info.used_gpu_memory =
          used.is_null() ? value_not_available : used.get<unsigned long long>() << 20;
      infos[i] = info;
    }
    return success;
  });
}

} // namespace

NVD_EXPORT Return nvmlInit_v2() {
  std::lock_guard<std::mutex> lock(g_mutex);
  try {
    if (Return code = refresh())
      return code;
    if (own_version().empty()) {
      complain("no driver version in the file name, and no \"DriverVersion\" in the config");
      return error_unknown;
    }
    if (kernel_differs())
      return error_lib_rm_version_mismatch;
    if (std::optional<Return> code = forced(config(), "nvmlInit_v2"))
      return *code;
    ++g_initialised;
    return success;
  } catch (const std::exception &error) {
    complain(std::string("nvmlInit_v2: ") + error.what());
    return error_unknown;
  }
}

NVD_EXPORT Return nvmlShutdown() {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_initialised == 0)
    return error_uninitialized;
  --g_initialised;
  return success;
}

NVD_EXPORT const char *nvmlErrorString(Return code) {
  switch (code) {
  case success:
    return "Success";
  case error_uninitialized:
    return "Uninitialized";
  case error_invalid_argument:
    return "Invalid Argument";
  case error_not_supported:
    return "Not Supported";
  case error_no_permission:
    return "Insufficient Permissions";
  case error_not_found:
    return "Not Found";
  case error_insufficient_size:
    return "Insufficient Size";
  case error_driver_not_loaded:
    return "Driver Not Loaded";
  case error_gpu_is_lost:
    return "GPU is lost";
  case error_lib_rm_version_mismatch:
    return "Driver/library version mismatch";
  default:
    return "Unknown Error";
  }
}

NVD_EXPORT Return nvmlSystemGetDriverVersion(char *version, unsigned length) {
  return system_call("nvmlSystemGetDriverVersion",
                     [&](const json &) { return text(own_version(), version, length); });
}

NVD_EXPORT Return nvmlDeviceGetCount_v2(unsigned *count) {
  return system_call("nvmlDeviceGetCount_v2", [&](const json &all) -> Return {
    if (count == nullptr)
      return error_invalid_argument;
    std::size_t devices = all.contains("Devices") ? all["Devices"].size() : 0;
    *count = static_cast<unsigned>(devices < most_devices ? devices : most_devices);
    return success;
  });
}

NVD_EXPORT Return nvmlDeviceGetHandleByIndex_v2(unsigned index, Device *device) {
  return system_call("nvmlDeviceGetHandleByIndex_v2", [&](const json &all) -> Return {
    if (device == nullptr || !all.contains("Devices") || index >= all["Devices"].size() ||
        index >= most_devices)
      return error_invalid_argument;
    *device = reinterpret_cast<Device>(&g_slots[index]);
    return success;
  });
}

NVD_EXPORT Return nvmlDeviceGetUUID(Device device, char *uuid, unsigned length) {
  return device_call("nvmlDeviceGetUUID", device,
                     [&](const json &gpu) { return text_field(gpu, "UUID", uuid, length); });
}

NVD_EXPORT Return nvmlDeviceGetName(Device device, char *name, unsigned length) {
  return device_call("nvmlDeviceGetName", device,
                     [&](const json &gpu) { return text_field(gpu, "Name", name, length); });
}

#ifndef NVD_STAND_IN_INCOMPLETE
NVD_EXPORT Return nvmlDeviceGetMinorNumber(Device device, unsigned *minor) {
  return device_call("nvmlDeviceGetMinorNumber", device,
                     [&](const json &gpu) { return number(gpu, "Minor", minor); });
}

NVD_EXPORT Return nvmlDeviceGetPciInfo_v2(Device device, PciInfo *pci) {
  return device_pci_info(device, pci);
}
#endif

#ifndef NVD_STAND_IN_MINIMAL
NVD_EXPORT Return nvmlDeviceGetPciInfo_v3(Device device, PciInfo *pci) {
  return device_pci_info(device, pci);
}

NVD_EXPORT Return nvmlSystemGetCudaDriverVersion(int *version) {
  return system_call("nvmlSystemGetCudaDriverVersion",
                     [&](const json &all) { return number(all, "CudaVersion", version); });
}

NVD_EXPORT Return nvmlSystemGetCudaDriverVersion_v2(int *version) {
  return system_call("nvmlSystemGetCudaDriverVersion_v2",
                     [&](const json &all) { return number(all, "CudaVersion", version); });
}

NVD_EXPORT Return nvmlSystemGetProcessName(unsigned pid, char *name, unsigned length) {
  return system_call("nvmlSystemGetProcessName", [&](const json &all) -> Return {
    if (all.contains("Devices"))
      for (const json &gpu : all["Devices"])
        if (gpu.contains("Processes"))
          for (const json &process : gpu["Processes"])
            if (process["PID"].get<unsigned>() == pid && process.contains("Name"))
              return text(process["Name"].get<std::string>(), name, length);
    return error_not_found;
  });
}

NVD_EXPORT Return nvmlDeviceGetCudaComputeCapability(Device device, int *major, int *minor) {
  return device_call("nvmlDeviceGetCudaComputeCapability", device, [&](const json &gpu) -> Return {
    if (major == nullptr || minor == nullptr)
      return error_invalid_argument;
    if (!gpu.contains("ComputeCapability"))
      return error_not_supported;
    *major = gpu["ComputeCapability"].at(0).get<int>();
    *minor = gpu["ComputeCapability"].at(1).get<int>();
    return success;
  });
}

NVD_EXPORT Return nvmlDeviceGetNumGpuCores(Device device, unsigned *cores) {
  return device_call("nvmlDeviceGetNumGpuCores", device,
                     [&](const json &gpu) { return number(gpu, "Cores", cores); });
}

NVD_EXPORT Return nvmlDeviceGetAttributes_v2(Device device, DeviceAttributes *attributes) {
  return device_call("nvmlDeviceGetAttributes_v2", device, [&](const json &gpu) -> Return {
    if (attributes == nullptr)
      return error_invalid_argument;
    if (!gpu.contains("Multiprocessors"))
      return error_not_supported;
    *attributes = DeviceAttributes{};
    attributes->multiprocessor_count = gpu["Multiprocessors"].get<unsigned>();
    attributes->memory_size_mib = gpu.value("MemoryMiB", 0ull);
    return success;
  });
}

NVD_EXPORT Return nvmlDeviceGetPowerManagementLimit(Device device, unsigned *limit) {
  return device_call("nvmlDeviceGetPowerManagementLimit", device,
                     [&](const json &gpu) { return number(gpu, "PowerLimitWatts", limit, 1000); });
}

NVD_EXPORT Return nvmlDeviceGetEnforcedPowerLimit(Device device, unsigned *limit) {
  return device_call("nvmlDeviceGetEnforcedPowerLimit", device, [&](const json &gpu) {
    return number(gpu, "EnforcedPowerLimitWatts", limit, 1000);
  });
}

NVD_EXPORT Return nvmlDeviceGetPowerUsage(Device device, unsigned *power) {
  return device_call("nvmlDeviceGetPowerUsage", device,
                     [&](const json &gpu) { return number(gpu, "PowerWatts", power, 1000); });
}

NVD_EXPORT Return nvmlDeviceGetNumaNodeId(Device device, unsigned *node) {
  return device_call("nvmlDeviceGetNumaNodeId", device,
                     [&](const json &gpu) { return number(gpu, "NumaNode", node); });
}

NVD_EXPORT Return nvmlDeviceGetBAR1MemoryInfo(Device device, Bar1Memory *bar1) {
  return device_call("nvmlDeviceGetBAR1MemoryInfo", device, [&](const json &gpu) -> Return {
    unsigned long long total = 0, used = 0;
    if (Return code = number(gpu, "Bar1MiB", &total, 1ull << 20))
      return code;
    if (Return code = number(gpu, "Bar1UsedMiB", &used, 1ull << 20))
      return code;
    *bar1 = {total, total - used, used};
    return success;
  });
}

NVD_EXPORT Return nvmlDeviceGetMaxPcieLinkGeneration(Device device, unsigned *generation) {
  return device_call("nvmlDeviceGetMaxPcieLinkGeneration", device,
                     [&](const json &gpu) { return number(gpu, "PcieMaxGeneration", generation); });
}

NVD_EXPORT Return nvmlDeviceGetMaxPcieLinkWidth(Device device, unsigned *width) {
  return device_call("nvmlDeviceGetMaxPcieLinkWidth", device,
                     [&](const json &gpu) { return number(gpu, "PcieMaxWidth", width); });
}

NVD_EXPORT Return nvmlDeviceGetPcieThroughput(Device device, int counter, unsigned *value) {
  return device_call("nvmlDeviceGetPcieThroughput", device, [&](const json &gpu) -> Return {
    if (counter == pcie_util_rx_bytes)
      return number(gpu, "PcieRxKBps", value);
    if (counter == pcie_util_tx_bytes)
      return number(gpu, "PcieTxKBps", value);
    return error_invalid_argument;
  });
}

NVD_EXPORT Return nvmlDeviceGetMemoryInfo(Device device, Memory *memory) {
  return device_call("nvmlDeviceGetMemoryInfo", device, [&](const json &gpu) -> Return {
    unsigned long long total = 0, used = 0;
    if (Return code = number(gpu, "MemoryMiB", &total, 1ull << 20))
      return code;
    if (Return code = number(gpu, "MemoryUsedMiB", &used, 1ull << 20))
      return code;
    *memory = {total, total - used, used};
    return success;
  });
}

NVD_EXPORT Return nvmlDeviceGetMemoryBusWidth(Device device, unsigned *width) {
  return device_call("nvmlDeviceGetMemoryBusWidth", device,
                     [&](const json &gpu) { return number(gpu, "MemoryBusWidthBits", width); });
}

NVD_EXPORT Return nvmlDeviceGetEccMode(Device device, int *current, int *pending) {
  return device_call("nvmlDeviceGetEccMode", device, [&](const json &gpu) -> Return {
    if (current == nullptr || pending == nullptr)
      return error_invalid_argument;
    if (!gpu.contains("EccEnabled"))
      return error_not_supported;
    *current = *pending = gpu["EccEnabled"].get<bool>() ? feature_enabled : 0;
    return success;
  });
}

NVD_EXPORT Return nvmlDeviceGetMemoryErrorCounter(Device device, int error_type, int counter_type,
                                                  int location, unsigned long long *count) {
  return device_call("nvmlDeviceGetMemoryErrorCounter", device, [&](const json &gpu) -> Return {
    if (error_type != memory_error_uncorrected || counter_type != volatile_ecc)
      return error_not_supported; // the config holds the uncorrected volatile counts
    const char *field = location == memory_location_l1_cache   ? "L1Cache"
                        : location == memory_location_l2_cache ? "L2Cache"
                        : location == memory_location_device_memory ? "Global"
                                                                    : nullptr;
    if (field == nullptr)
      return error_not_supported;
    return member(gpu, "EccErrors", field, count);
  });
}

NVD_EXPORT Return nvmlDeviceGetMaxClockInfo(Device device, int type, unsigned *clock) {
  return device_call("nvmlDeviceGetMaxClockInfo", device, [&](const json &gpu) -> Return {
    const char *field = clock_field(type);
    return field == nullptr ? error_not_supported : member(gpu, "MaxClocksMHz", field, clock);
  });
}

NVD_EXPORT Return nvmlDeviceGetClockInfo(Device device, int type, unsigned *clock) {
  return device_call("nvmlDeviceGetClockInfo", device, [&](const json &gpu) -> Return {
    const char *field = clock_field(type);
    return field == nullptr ? error_not_supported : member(gpu, "ClocksMHz", field, clock);
  });
}

NVD_EXPORT Return nvmlDeviceGetTemperature(Device device, int sensor, unsigned *temperature) {
  return device_call("nvmlDeviceGetTemperature", device, [&](const json &gpu) -> Return {
    if (sensor != temperature_gpu)
      return error_invalid_argument;
    return number(gpu, "TemperatureC", temperature);
  });
}

NVD_EXPORT Return nvmlDeviceGetTemperatureV(Device device, TemperatureV1 *temperature) {
  return device_call("nvmlDeviceGetTemperatureV", device, [&](const json &gpu) -> Return {
    if (temperature == nullptr || temperature->version != temperature_v1_version)
      return error_invalid_argument;
    return number(gpu, "TemperatureC", &temperature->temperature);
  });
}

NVD_EXPORT Return nvmlDeviceGetUtilizationRates(Device device, Utilization *utilization) {
  return device_call("nvmlDeviceGetUtilizationRates", device, [&](const json &gpu) -> Return {
    if (utilization == nullptr)
      return error_invalid_argument;
    if (Return code = member(gpu, "Utilization", "GPU", &utilization->gpu))
      return code;
    return member(gpu, "Utilization", "Memory", &utilization->memory);
  });
}

NVD_EXPORT Return nvmlDeviceGetEncoderUtilization(Device device, unsigned *value, unsigned *period) {
  return device_call("nvmlDeviceGetEncoderUtilization", device, [&](const json &gpu) -> Return {
    if (period == nullptr)
      return error_invalid_argument;
    *period = 167000;
    return member(gpu, "Utilization", "Encoder", value);
  });
}

NVD_EXPORT Return nvmlDeviceGetDecoderUtilization(Device device, unsigned *value, unsigned *period) {
  return device_call("nvmlDeviceGetDecoderUtilization", device, [&](const json &gpu) -> Return {
    if (period == nullptr)
      return error_invalid_argument;
    *period = 167000;
    return member(gpu, "Utilization", "Decoder", value);
  });
}

NVD_EXPORT Return nvmlDeviceGetComputeRunningProcesses_v3(Device device, unsigned *count,
                                                          ProcessInfoV2 *infos) {
  return processes("nvmlDeviceGetComputeRunningProcesses_v3", "compute", device, count, infos);
}

NVD_EXPORT Return nvmlDeviceGetComputeRunningProcesses_v2(Device device, unsigned *count,
                                                          ProcessInfoV2 *infos) {
  return processes("nvmlDeviceGetComputeRunningProcesses_v2", "compute", device, count, infos);
}

NVD_EXPORT Return nvmlDeviceGetComputeRunningProcesses(Device device, unsigned *count,
                                                       ProcessInfoV1 *infos) {
  return processes("nvmlDeviceGetComputeRunningProcesses", "compute", device, count, infos);
}

NVD_EXPORT Return nvmlDeviceGetGraphicsRunningProcesses_v3(Device device, unsigned *count,
                                                           ProcessInfoV2 *infos) {
  return processes("nvmlDeviceGetGraphicsRunningProcesses_v3", "graphics", device, count, infos);
}

NVD_EXPORT Return nvmlDeviceGetGraphicsRunningProcesses_v2(Device device, unsigned *count,
                                                           ProcessInfoV2 *infos) {
  return processes("nvmlDeviceGetGraphicsRunningProcesses_v2", "graphics", device, count, infos);
}

NVD_EXPORT Return nvmlDeviceGetGraphicsRunningProcesses(Device device, unsigned *count,
                                                        ProcessInfoV1 *infos) {
  return processes("nvmlDeviceGetGraphicsRunningProcesses", "graphics", device, count, infos);
}

NVD_EXPORT Return nvmlDeviceGetTopologyCommonAncestor(Device first, Device second, int *level) {
  return device_call("nvmlDeviceGetTopologyCommonAncestor", first, [&](const json &) -> Return {
    if (device_of(second) == nullptr || level == nullptr)
      return error_invalid_argument;
    std::size_t a = index_of(first), b = index_of(second);
    if (config().contains("Topology"))
      for (const json &pair : config()["Topology"]) {
        std::size_t x = pair["GPUs"].at(0).get<std::size_t>();
        std::size_t y = pair["GPUs"].at(1).get<std::size_t>();
        if ((x == a && y == b) || (x == b && y == a)) {
          *level = pair["Level"].get<int>();
          return success;
        }
      }
    return error_not_supported;
  });
}

NVD_EXPORT Return nvmlDeviceGetNvLinkState(Device device, unsigned link, int *active) {
  return device_call("nvmlDeviceGetNvLinkState", device, [&](const json &gpu) -> Return {
    if (!gpu.contains("NvLinks"))
      return error_not_supported;
    if (link >= gpu["NvLinks"].size() || active == nullptr)
      return error_invalid_argument;
    *active = gpu["NvLinks"][link].is_null() ? 0 : feature_enabled;
    return success;
  });
}

NVD_EXPORT Return nvmlDeviceGetNvLinkRemotePciInfo_v2(Device device, unsigned link, PciInfo *pci) {
  return device_call("nvmlDeviceGetNvLinkRemotePciInfo_v2", device, [&](const json &gpu) -> Return {
    if (!gpu.contains("NvLinks"))
      return error_not_supported;
    if (link >= gpu["NvLinks"].size() || gpu["NvLinks"][link].is_null())
      return error_invalid_argument;
    return pci_info(gpu["NvLinks"][link].get<std::string>(), pci);
  });
}
#endif
