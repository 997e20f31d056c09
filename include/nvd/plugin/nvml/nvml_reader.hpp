// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/common/gpu_inventory.hpp"
#include "nvd/plugin/nvml/nvml_library.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

// Reading the host's GPUs from an initialised NVML: what a driver load fixes,
// and the live figures. Optional entry points that are absent or answer with
// an error leave their figure unknown (null); NVML_ERROR_LIB_RM_VERSION_MISMATCH
// from any call throws VersionMismatch.
namespace nvd::nvml {

// The GPUs as one load of NVML tells them: the inventory (statuses unknown)
// and, for each of its devices in order, its NVML handle.
struct DiscoveredGpus {
  GpuInventory inventory;
  std::vector<Device> handles;
  // GPUs left out, one line each: NVML could not tell one of their required
  // facts (a GPU fallen off the bus answers GPU_IS_LOST).
  std::vector<std::string> left_out;
};

// Where the reader finds what NVML does not say.
struct ReaderSources {
  std::string libcuda;            // libcuda's file, for the CUDA version of an older NVML
  std::string sysfs_root = "/sys"; // for a GPU's NUMA node when NVML does not tell it
};

// The driver and CUDA versions and each GPU's fixed facts, normalised as an
// inventory file is (docs/inventory.md). A GPU whose required facts NVML
// cannot tell is left out (one bad GPU must not hide the others); throws
// Error naming the entry point when a call about the whole driver fails, or
// the field when an answer breaks an inventory rule.
DiscoveredGpus read_gpus(const NvmlLibrary &nvml, const ReaderSources &sources);

// The live figures of one GPU, in the shape of an inventory's "Status"; the
// figures NVML does not give are left out.
nlohmann::json read_status(const NvmlLibrary &nvml, Device device);

// `base` with each device's status set from `statuses` (same order), normalised
// as an inventory file is.
GpuInventory with_statuses(const GpuInventory &base, const std::vector<nlohmann::json> &statuses,
                           const std::string &source);

} // namespace nvd::nvml
