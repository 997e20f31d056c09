// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/nvml/nvml_discovery.hpp"

#include "nvd/common/error.hpp"
#include "nvd/plugin/nvml/nvml_library.hpp"
#include "nvd/plugin/nvml/nvml_reader.hpp"

namespace nvd {

// One load of NVML and what it told.
struct NvmlDiscovery::Loaded {
  std::unique_ptr<nvml::NvmlLibrary> library;
  std::vector<nvml::Device> handles;
  std::shared_ptr<const GpuInventory> inventory;
};

NvmlDiscovery::NvmlDiscovery(std::function<NvmlPaths()> locate,
                             std::function<std::string()> driver_fingerprint,
                             NvmlDiscoveryOptions options)
    : m_locate(std::move(locate)), m_fingerprint(std::move(driver_fingerprint)),
      m_options(std::move(options)) {
  auto lock = write_lock();
  reload(m_fingerprint(), false);
}

NvmlDiscovery::~NvmlDiscovery() = default;

// Readers pass the gate to take the lock shared; a writer holds the gate while
// it waits, so that a stream of readers cannot keep a reload waiting for ever.
std::shared_lock<std::shared_mutex> NvmlDiscovery::read_lock() const {
  std::lock_guard<std::mutex> gate(m_gate);
  return std::shared_lock<std::shared_mutex>(m_mutex);
}

std::unique_lock<std::shared_mutex> NvmlDiscovery::write_lock() const {
  std::lock_guard<std::mutex> gate(m_gate);
  return std::unique_lock<std::shared_mutex>(m_mutex);
}

void NvmlDiscovery::log(const std::string &line) const {
  if (m_options.log)
    m_options.log(line);
}

// Called with the lock held alone. Throws Error when the driver cannot be
// loaded; the failure is then answered until `retry_after` has passed.
// `old_still_works`: the reload follows a changed fingerprint, not a failure
// of the loaded NVML. Then a new library that the running kernel module
// refuses (an upgrade installed but not yet loaded: no reboot since) leaves
// the loaded one serving, as the module it matches still runs; the new one
// is tried again after `retry_after`.
void NvmlDiscovery::reload(const std::string &fingerprint, bool old_still_works) const {
  std::unique_ptr<Loaded> previous = std::move(m_loaded);
  ++m_generation;
  m_loaded_fingerprint = fingerprint;
  try {
    NvmlPaths paths = m_locate();
    if (!paths.nvml.empty())
      log("loading NVML from " + paths.nvml);
    auto loaded = std::make_unique<Loaded>();
    loaded->library = std::make_unique<nvml::NvmlLibrary>(paths.nvml, paths.driver_root);
    loaded->library->initialise();
    nvml::DiscoveredGpus found =
        nvml::read_gpus(*loaded->library, {paths.libcuda, m_options.sysfs_root});
    loaded->handles = std::move(found.handles);
    for (const std::string &line : found.left_out)
      log(line);
    if (m_options.control_devices)
      found.inventory.control_devices = m_options.control_devices();
    loaded->inventory = std::make_shared<const GpuInventory>(std::move(found.inventory));
    previous.reset(); // shut down and unloaded once the new one serves
    const GpuInventory &inventory = *loaded->inventory;
    log(std::to_string(inventory.devices.size()) + " GPU(s) found (driver " +
        inventory.driver_version + ", CUDA " + inventory.cuda_version + ")");
    if (!m_last_driver.empty()) {
      if (m_last_driver != inventory.driver_version)
        log("driver changed: " + m_last_driver + " -> " + inventory.driver_version +
            ", NVML reloaded");
      else
        log("NVML reloaded, driver " + inventory.driver_version + " unchanged");
    }
    m_last_driver = inventory.driver_version;
    m_loaded = std::move(loaded);
    m_failure.clear();
    m_kept_old = false;
  } catch (const nvml::VersionMismatch &error) {
    if (!old_still_works || !previous)
      throw remember_failure(error.what());
    m_loaded = std::move(previous);
    m_kept_old = true;
    m_failed_at = std::chrono::steady_clock::now();
    log(std::string(error.what()) + "; still serving driver " + m_last_driver +
        ", whose kernel module runs");
  } catch (const std::exception &error) {
    throw remember_failure(error.what());
  }
}

Error NvmlDiscovery::remember_failure(const std::string &why) const {
  m_failure = why;
  m_failed_at = std::chrono::steady_clock::now();
  m_kept_old = false;
  return Error(why);
}

std::shared_ptr<const GpuInventory> NvmlDiscovery::snapshot() const {
  auto answer = [&] { return m_loaded->inventory; };
  // Served from memory: the fingerprint is the loaded one, and no kept-old
  // driver is due for another try of the new library.
  auto current = [&](const std::string &fingerprint) {
    bool waiting = std::chrono::steady_clock::now() - m_failed_at < m_options.retry_after;
    return m_loaded && fingerprint == m_loaded_fingerprint && (!m_kept_old || waiting);
  };
  auto failure_holds = [&](const std::string &fingerprint) {
    return !m_loaded && fingerprint == m_loaded_fingerprint &&
           std::chrono::steady_clock::now() - m_failed_at < m_options.retry_after;
  };
  std::string fingerprint = m_fingerprint();
  {
    auto lock = read_lock();
    if (current(fingerprint))
      return answer();
    if (failure_holds(fingerprint))
      throw Error(m_failure);
  }
  auto lock = write_lock();
  // Another thread may have reloaded meanwhile: look again, with a fresh fingerprint.
  fingerprint = m_fingerprint();
  if (current(fingerprint))
    return answer();
  if (failure_holds(fingerprint))
    throw Error(m_failure);
  reload(fingerprint, true);
  return answer();
}

std::shared_ptr<const GpuInventory> NvmlDiscovery::snapshot_with_status() const {
  // A mismatch after a load that passed nvmlInit_v2 means the kernel module
  // changed since: reload and read again, a few times at most.
  constexpr int most_attempts = 3;
  for (int attempt = 1;; ++attempt) {
    snapshot(); // follows the fingerprint
    auto lock = read_lock();
    if (!m_loaded)
      throw Error(m_failure); // another thread's reload failed meanwhile
    std::uint64_t generation = m_generation;
    try {
      std::vector<nlohmann::json> statuses;
      for (nvml::Device device : m_loaded->handles)
        statuses.push_back(nvml::read_status(*m_loaded->library, device));
      return std::make_shared<const GpuInventory>(nvml::with_statuses(
          *m_loaded->inventory, statuses, "read from NVML " + m_loaded->library->path()));
    } catch (const nvml::VersionMismatch &) {
      if (attempt == most_attempts)
        throw;
    }
    lock.unlock();
    auto exclusive = write_lock();
    if (m_generation == generation) // else another thread reloaded already
      reload(m_fingerprint(), false);
  }
}

} // namespace nvd
