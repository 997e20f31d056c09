// SPDX-License-Identifier: BSD-3-Clause
// Driver upgrades without a restart: the stand-in NVML installed under a new
// version's name, the kernel module's version changed in its config, and the
// driver's fingerprint changed, in the orders a host goes through them.
#include "nvd/plugin/nvml/nvml_discovery.hpp"

#include "nvd/common/error.hpp"
#include "support/errors.hpp"
#include "unit/plugin/nvml/stand_in_driver.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <set>
#include <thread>

using namespace nvd;
using nlohmann::json;
using nvd::test::error_of;
using nvd::test::StandInDriver;

namespace {

json one_gpu(const std::string &kernel_version) {
  json config = json::parse(R"({
    "CudaVersion": 12020,
    "Devices": [{"UUID": "GPU-a0000000-0000-4000-8000-00000000000a", "Minor": 2,
                 "Name": "NVIDIA H100 80GB HBM3", "BusID": "00000000:18:00.0",
                 "ComputeCapability": [9, 0], "TemperatureC": 40}]
  })");
  config["KernelVersion"] = kernel_version;
  return config;
}

// A host whose driver the test upgrades: where NVML is and the fingerprint,
// as the plugin's locate and fingerprint functions would find them.
class Host {
public:
  NvmlPaths locate() {
    std::lock_guard<std::mutex> lock(m_mutex);
    ++m_located;
    return {"/", m_nvml, ""};
  }
  std::string fingerprint() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_fingerprint;
  }
  void install(const std::string &nvml) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_nvml = nvml;
  }
  void change_fingerprint(const std::string &fingerprint) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_fingerprint = fingerprint;
  }
  int located() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_located;
  }

private:
  std::mutex m_mutex;
  std::string m_nvml;
  std::string m_fingerprint = "driver 1";
  int m_located = 0;
};

class DriverUpgradeTest : public ::testing::Test {
protected:
  void SetUp() override {
    m_driver.configure(one_gpu("535.104.05"));
    m_host.install(m_driver.install("535.104.05"));
  }

  std::unique_ptr<NvmlDiscovery> discover() {
    NvmlDiscoveryOptions options;
    options.log = m_log.sink();
    options.retry_after = std::chrono::milliseconds(0);
    return std::make_unique<NvmlDiscovery>([this] { return m_host.locate(); },
                                           [this] { return m_host.fingerprint(); }, options);
  }

  // The package manager installs the new library and the ld cache names it.
  void install_new_library(const std::string &version) {
    m_host.install(m_driver.install(version));
  }

  StandInDriver m_driver;
  Host m_host;
  nvd::test::LogLines m_log;
};

} // namespace

TEST_F(DriverUpgradeTest, ANewFingerprintReloadsNvmlAndServesTheNewVersion) {
  auto discovery = discover();
  EXPECT_EQ(discovery->snapshot()->driver_version, "535.104.05");
  install_new_library("550.54.15");
  m_driver.configure(one_gpu("550.54.15"));
  m_host.change_fingerprint("driver 2");
  EXPECT_EQ(discovery->snapshot()->driver_version, "550.54.15");
  EXPECT_EQ(discovery->snapshot_with_status()->devices.at(0).status["Temperature"], 40);
  EXPECT_EQ(m_host.located(), 2);
}

TEST_F(DriverUpgradeTest, TheReloadIsLogged) {
  auto discovery = discover();
  std::string old_nvml = m_host.locate().nvml;
  install_new_library("550.54.15");
  std::string new_nvml = m_host.locate().nvml;
  m_driver.configure(one_gpu("550.54.15"));
  m_host.change_fingerprint("driver 2");
  discovery->snapshot();
  EXPECT_EQ(m_log.lines(), (std::vector<std::string>{
                               "loading NVML from " + old_nvml,
                               "1 GPU(s) found (driver 535.104.05, CUDA 12.2)",
                               "loading NVML from " + new_nvml,
                               "1 GPU(s) found (driver 550.54.15, CUDA 12.2)",
                               "driver changed: 535.104.05 -> 550.54.15, NVML reloaded"}));
}

TEST_F(DriverUpgradeTest, AVersionMismatchReloadsNvmlWithoutAFingerprintChange) {
  auto discovery = discover();
  install_new_library("550.54.15");
  m_driver.configure(one_gpu("550.54.15")); // the new kernel module is loaded
  // Nothing asked NVML yet: the snapshot from memory still tells the old driver.
  EXPECT_EQ(discovery->snapshot()->driver_version, "535.104.05");
  auto inventory = discovery->snapshot_with_status();
  EXPECT_EQ(inventory->driver_version, "550.54.15");
  EXPECT_EQ(inventory->devices.at(0).status["Temperature"], 40);
  EXPECT_EQ(discovery->snapshot()->driver_version, "550.54.15");
  EXPECT_EQ(m_log.lines().back(), "driver changed: 535.104.05 -> 550.54.15, NVML reloaded");
}

TEST_F(DriverUpgradeTest, NothingIsReloadedWhileNothingChanged) {
  auto discovery = discover();
  for (int i = 0; i < 50; ++i) {
    discovery->snapshot();
    discovery->snapshot_with_status();
  }
  EXPECT_EQ(m_host.located(), 1);
  EXPECT_EQ(m_log.lines().size(), 2u);
}

TEST_F(DriverUpgradeTest, ANewLibraryBeforeTheNewKernelModuleKeepsTheOldDriverServing) {
  // apt upgrade without a reboot: the new NVML meets the old kernel module,
  // which the loaded NVML still matches. It keeps serving; the new one is
  // taken once the module is reloaded.
  auto discovery = discover();
  install_new_library("550.54.15");
  m_host.change_fingerprint("driver 2"); // the old kernel module still runs
  EXPECT_EQ(discovery->snapshot()->driver_version, "535.104.05");
  EXPECT_EQ(discovery->snapshot_with_status()->driver_version, "535.104.05");
  EXPECT_NE(m_log.lines().back().find("still serving driver 535.104.05, whose kernel module runs"),
            std::string::npos)
      << m_log.lines().back();
  m_driver.configure(one_gpu("550.54.15")); // the module is reloaded
  EXPECT_EQ(discovery->snapshot()->driver_version, "550.54.15");
}

TEST_F(DriverUpgradeTest, AKeptOldDriverTriesTheNewLibraryOnlyAfterItsTime) {
  NvmlDiscoveryOptions options;
  options.retry_after = std::chrono::hours(1);
  NvmlDiscovery discovery([this] { return m_host.locate(); },
                          [this] { return m_host.fingerprint(); }, options);
  install_new_library("550.54.15");
  m_host.change_fingerprint("driver 2");
  EXPECT_EQ(discovery.snapshot()->driver_version, "535.104.05");
  int located = m_host.located();
  EXPECT_EQ(discovery.snapshot()->driver_version, "535.104.05");
  EXPECT_EQ(m_host.located(), located); // not tried again within the hour
  m_driver.configure(one_gpu("550.54.15"));
  m_host.change_fingerprint("driver 3"); // another change is worth a try at once
  EXPECT_EQ(discovery.snapshot()->driver_version, "550.54.15");
}

TEST_F(DriverUpgradeTest, AFirstLoadThatTheKernelModuleRefusesIsAnError) {
  install_new_library("550.54.15"); // the module still runs 535: nothing loads
  m_host.change_fingerprint("driver 2");
  NvmlDiscoveryOptions options;
  options.retry_after = std::chrono::hours(1);
  EXPECT_NE(error_of([&] {
              NvmlDiscovery discovery([this] { return m_host.locate(); },
                                      [this] { return m_host.fingerprint(); }, options);
            }).find("Driver/library version mismatch"),
            std::string::npos);
}

TEST_F(DriverUpgradeTest, TheSameVersionReloadedSaysItIsUnchanged) {
  auto discovery = discover();
  m_host.change_fingerprint("ld cache rebuilt");
  EXPECT_EQ(discovery->snapshot()->driver_version, "535.104.05");
  EXPECT_EQ(m_log.lines().back(), "NVML reloaded, driver 535.104.05 unchanged");
}

TEST_F(DriverUpgradeTest, ManyThreadsReadingThroughSeveralUpgradesAlwaysSeeAWholeDriver) {
  auto discovery = discover();
  const std::vector<std::string> versions = {"535.104.05", "545.23.08", "550.54.15", "560.35.03"};
  constexpr int threads = 8;
  std::atomic<bool> done{false};
  std::array<std::atomic<int>, threads> reads{};
  std::mutex failures_mutex;
  std::vector<std::string> failures;
  auto fail = [&](const std::string &what) {
    std::lock_guard<std::mutex> lock(failures_mutex);
    failures.push_back(what);
  };
  std::vector<std::thread> readers;
  for (int t = 0; t < threads; ++t)
    readers.emplace_back([&, t] {
      while (!done) {
        try {
          auto inventory = t % 2 == 0 ? discovery->snapshot() : discovery->snapshot_with_status();
          if (std::find(versions.begin(), versions.end(), inventory->driver_version) ==
                  versions.end() ||
              inventory->devices.size() != 1 || inventory->devices[0].path != "/dev/nvidia2")
            fail("an inconsistent inventory: " + inventory->driver_version);
          if (t % 2 == 1 && inventory->devices[0].status["Temperature"] != 40)
            fail("a status without its temperature");
        } catch (const std::exception &error) {
          fail(error.what());
        }
        ++reads[t];
      }
    });
  // Until every thread has read twice more: the read that spanned the last
  // upgrade is over (upgrades come minutes apart, never twice in one read).
  auto let_every_thread_read = [&] {
    std::array<int, threads> before{};
    for (int t = 0; t < threads; ++t)
      before[t] = reads[t];
    for (int t = 0; t < threads; ++t)
      while (reads[t] < before[t] + 2)
        std::this_thread::yield();
  };
  for (std::size_t v = 1; v < versions.size(); ++v) {
    let_every_thread_read();
    // An upgrade as a package does it: the library, the kernel module, the ld cache.
    install_new_library(versions[v]);
    m_driver.configure(one_gpu(versions[v]));
    m_host.change_fingerprint("driver " + versions[v]);
  }
  let_every_thread_read();
  done = true;
  for (std::thread &reader : readers)
    reader.join();
  EXPECT_EQ(failures, std::vector<std::string>{});
  EXPECT_EQ(discovery->snapshot()->driver_version, versions.back());
  std::set<std::string> changes;
  for (const std::string &line : m_log.lines())
    if (line.rfind("driver changed: ", 0) == 0)
      changes.insert(line);
  EXPECT_EQ(changes, (std::set<std::string>{
                         "driver changed: 535.104.05 -> 545.23.08, NVML reloaded",
                         "driver changed: 545.23.08 -> 550.54.15, NVML reloaded",
                         "driver changed: 550.54.15 -> 560.35.03, NVML reloaded"}));
}
