// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/common/error.hpp"
#include "nvd/plugin/nvml/nvml_abi.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace nvd::nvml {

// NVML answered NVML_ERROR_LIB_RM_VERSION_MISMATCH: the library loaded and the
// kernel module are of different driver versions (the driver was upgraded).
class VersionMismatch : public Error {
public:
  using Error::Error;
};

// The entry points of one NVML. The required ones are never null; an optional
// one is null when this library lacks it (drivers differ), and then its figure
// is unknown.
struct Api {
  // Required.
  InitFn init = nullptr;
  ShutdownFn shutdown = nullptr;
  ErrorStringFn error_string = nullptr;
  TextFn driver_version = nullptr;
  CountFn device_count = nullptr;
  HandleByIndexFn device_by_index = nullptr;
  DeviceTextFn device_uuid = nullptr;
  DeviceUintFn device_minor_number = nullptr;
  DeviceTextFn device_name = nullptr;
  DevicePciFn device_pci_info = nullptr; // _v3, else _v2
  // Optional: the CUDA version and process names.
  IntFn cuda_driver_version = nullptr;
  IntFn cuda_driver_version_v2 = nullptr;
  ProcessNameFn process_name = nullptr;
  // Optional: fixed facts of a device.
  DeviceCapabilityFn compute_capability = nullptr;
  DeviceUintFn num_gpu_cores = nullptr;
  DeviceAttributesFn attributes = nullptr;
  DeviceUintFn power_management_limit = nullptr;
  DeviceUintFn enforced_power_limit = nullptr;
  DeviceUintFn numa_node = nullptr;
  DeviceBar1Fn bar1_memory = nullptr;
  DeviceUintFn max_pcie_generation = nullptr;
  DeviceUintFn max_pcie_width = nullptr;
  DeviceMemoryFn memory = nullptr;
  DeviceUintFn memory_bus_width = nullptr;
  DeviceEccModeFn ecc_mode = nullptr;
  DeviceClockFn max_clock = nullptr;
  TopologyFn topology_common_ancestor = nullptr;
  NvLinkStateFn nvlink_state = nullptr;
  NvLinkRemotePciFn nvlink_remote_pci = nullptr; // _v2, else unversioned
  // Optional: live figures of a device.
  DeviceUintFn power_usage = nullptr;
  DeviceClockFn temperature = nullptr;
  DeviceTemperatureVFn temperature_v = nullptr;
  DeviceUtilizationFn utilization = nullptr;
  DeviceCodecFn encoder_utilization = nullptr;
  DeviceCodecFn decoder_utilization = nullptr;
  DeviceErrorCounterFn memory_error_counter = nullptr;
  DeviceClockFn clock = nullptr;
  DeviceClockFn pcie_throughput = nullptr;
  ProcessesV2Fn compute_processes_v3 = nullptr;
  ProcessesV2Fn compute_processes_v2 = nullptr;
  ProcessesV1Fn compute_processes_v1 = nullptr;
  ProcessesV2Fn graphics_processes_v3 = nullptr;
  ProcessesV2Fn graphics_processes_v2 = nullptr;
  ProcessesV1Fn graphics_processes_v1 = nullptr;
};

// The entry points every NVML must have, as the messages name them.
const std::vector<std::string> &required_entry_points();

// Fills an Api from `lookup` (a symbol's address by name, null when absent).
// Throws Error naming `library` and every required entry point it lacks.
Api resolve_api(const std::function<void *(const char *)> &lookup, const std::string &library);

// One NVML library, loaded for as long as the object lives and initialised
// once asked; the destructor shuts NVML down and unloads it.
class NvmlLibrary {
public:
  // Loads `path` (links followed, so each driver version is its own file).
  // Throws Error when there is no such file ("NVML not found under the driver
  // root DIR ..."), when it cannot be loaded, or when it lacks an entry point.
  NvmlLibrary(const std::string &path, const std::string &driver_root);
  ~NvmlLibrary();
  NvmlLibrary(const NvmlLibrary &) = delete;
  NvmlLibrary &operator=(const NvmlLibrary &) = delete;

  // nvmlInit_v2. Throws VersionMismatch or Error with NVML's reason.
  void initialise();

  const Api &api() const { return m_api; }
  // The file loaded, links followed.
  const std::string &path() const { return m_path; }
  // NVML's words for a return code.
  std::string error_text(Return code) const;
  // Throws VersionMismatch for NVML_ERROR_LIB_RM_VERSION_MISMATCH, else Error:
  // "NVML PATH: WHAT: REASON".
  [[noreturn]] void fail(const std::string &what, Return code) const;

private:
  void *m_handle = nullptr;
  bool m_initialised = false;
  std::string m_path;
  Api m_api;
};

// libcuda's cuDriverGetVersion, loaded from `path` for this call only; none
// when the file, the entry point or the answer is missing.
std::optional<int> libcuda_driver_version(const std::string &path);

} // namespace nvd::nvml
