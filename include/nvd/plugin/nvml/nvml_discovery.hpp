// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/common/error.hpp"
#include "nvd/plugin/gpu_discovery.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

namespace nvd {

// Where this host's driver keeps NVML and libcuda, found anew at each (re)load.
struct NvmlPaths {
  std::string driver_root; // named in messages
  std::string nvml;        // the libnvidia-ml file; empty when the driver has none
  std::string libcuda;     // the libcuda file, for the CUDA version of an older NVML; may be empty
};

struct NvmlDiscoveryOptions {
  // Log lines ("loading NVML from PATH", ...); none when empty.
  std::function<void(const std::string &)> log;
  // Where a GPU's NUMA node is read when NVML does not tell it.
  std::string sysfs_root = "/sys";
  // After a failed reload, how long the failure is answered before NVML is tried again.
  std::chrono::milliseconds retry_after{1000};
  // The control devices of this host, asked at each load (NVML does not tell
  // them); the inventory's defaults when empty.
  std::function<std::vector<std::string>()> control_devices;
};

// GPU discovery through NVML, read once per driver load. A driver upgrade is
// followed without a restart: when the driver's fingerprint changes, or NVML
// answers NVML_ERROR_LIB_RM_VERSION_MISMATCH, NVML is shut down, unloaded,
// located again, reloaded and read again. Safe from many threads at once.
class NvmlDiscovery : public GpuDiscovery {
public:
  // `locate` finds the libraries (called at every load); `driver_fingerprint`
  // is a cheap summary of the installed driver that changes when it does
  // (called by every snapshot, from many threads at once). Loads NVML now:
  // throws Error when there is none, or it cannot tell the GPUs.
  NvmlDiscovery(std::function<NvmlPaths()> locate, std::function<std::string()> driver_fingerprint,
                NvmlDiscoveryOptions options = {});
  ~NvmlDiscovery() override;

  // The GPUs of the current driver, statuses unknown: from memory unless the
  // fingerprint changed. Throws Error while the changed driver cannot be loaded.
  std::shared_ptr<const GpuInventory> snapshot() const override;
  // The same with each GPU's live figures, read from NVML now.
  std::shared_ptr<const GpuInventory> snapshot_with_status() const override;

private:
  struct Loaded;
  void reload(const std::string &fingerprint, bool old_still_works) const;
  Error remember_failure(const std::string &why) const;
  std::shared_lock<std::shared_mutex> read_lock() const;
  std::unique_lock<std::shared_mutex> write_lock() const;
  void log(const std::string &line) const;

  std::function<NvmlPaths()> m_locate;
  std::function<std::string()> m_fingerprint;
  NvmlDiscoveryOptions m_options;

  // Readers of the loaded NVML hold it shared; a reload holds it alone.
  mutable std::mutex m_gate;
  mutable std::shared_mutex m_mutex;
  mutable std::unique_ptr<Loaded> m_loaded; // null after a failed reload
  mutable std::string m_loaded_fingerprint;
  mutable std::uint64_t m_generation = 0;   // counts loads
  mutable std::string m_last_driver;        // for the "driver changed" line
  mutable std::string m_failure;            // why the last reload failed
  mutable std::chrono::steady_clock::time_point m_failed_at;
  mutable bool m_kept_old = false;          // a new library was refused; the old one serves
};

} // namespace nvd
