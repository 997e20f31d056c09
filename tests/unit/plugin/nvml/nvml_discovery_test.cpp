// SPDX-License-Identifier: BSD-3-Clause
// Discovery through NVML on the stand-in NVMLs: every figure of /gpu/info and
// /gpu/status, drivers that lack entry points or answer NOT_SUPPORTED, and the
// errors a user meets.
#include "nvd/plugin/nvml/nvml_discovery.hpp"

#include "nvd/common/error.hpp"
#include "support/errors.hpp"
#include "unit/plugin/nvml/stand_in_driver.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include <filesystem>

using namespace nvd;
using nlohmann::json;
using nvd::test::error_of;
using nvd::test::StandInDriver;

namespace {

const char *const uuid_a = "GPU-a0000000-0000-4000-8000-00000000000a";
const char *const uuid_b = "GPU-b0000000-0000-4000-8000-00000000000b";

// Two GPUs whose NVML indexes (config order) are not their bus order, and
// whose minor numbers are neither.
json two_gpus() {
  return json::parse(R"({
    "CudaVersion": 12020,
    "Devices": [
      {"UUID": "GPU-a0000000-0000-4000-8000-00000000000a", "Minor": 3,
       "Name": "NVIDIA A100-PCIE-40GB", "BusID": "00000000:5E:00.0",
       "ComputeCapability": [8, 0], "Multiprocessors": 108, "EnforcedPowerLimitWatts": 250,
       "Bar1MiB": 65536, "Bar1UsedMiB": 4, "PcieMaxGeneration": 4, "PcieMaxWidth": 16,
       "PcieRxKBps": 0, "PcieTxKBps": 999, "MemoryMiB": 40960, "MemoryUsedMiB": 0,
       "MemoryBusWidthBits": 5120, "EccEnabled": false,
       "MaxClocksMHz": {"SM": 1410, "Memory": 1215}, "ClocksMHz": {"SM": 210, "Memory": 1215},
       "PowerWatts": 35, "TemperatureC": 30,
       "Utilization": {"GPU": 0, "Memory": 0, "Encoder": 0, "Decoder": 0},
       "Processes": [],
       "NvLinks": ["00000000:3B:00.0", null, "00000000:3B:00.0"],
       "Errors": {"nvmlDeviceGetTemperature": 3}},
      {"UUID": "GPU-b0000000-0000-4000-8000-00000000000b", "Minor": 1,
       "Name": "Tesla V100-SXM2-16GB", "BusID": "00000000:3B:00.0",
       "ComputeCapability": [7, 0], "Cores": 5120, "PowerLimitWatts": 300, "NumaNode": 0,
       "Bar1MiB": 16384, "Bar1UsedMiB": 2, "PcieMaxGeneration": 3, "PcieMaxWidth": 16,
       "PcieRxKBps": 12000, "PcieTxKBps": 3000, "MemoryMiB": 16160, "MemoryUsedMiB": 1024,
       "MemoryBusWidthBits": 4096, "EccEnabled": true,
       "EccErrors": {"L1Cache": 1, "L2Cache": 2, "Global": 3},
       "MaxClocksMHz": {"SM": 1530, "Memory": 877}, "ClocksMHz": {"SM": 135, "Memory": 877},
       "PowerWatts": 42, "TemperatureC": 35,
       "Utilization": {"GPU": 10, "Memory": 5, "Encoder": 1, "Decoder": 2},
       "Processes": [{"PID": 4242, "Name": "python3", "MemoryUsedMiB": 1024},
                     {"PID": 77, "Name": "Xorg", "MemoryUsedMiB": null, "Kind": "graphics"},
                     {"PID": 4242, "Name": "python3", "MemoryUsedMiB": 1024, "Kind": "graphics"}],
       "NvLinks": ["00000000:5E:00.0", "00000000:5E:00.0", null, null]}
    ]
  })");
}

json info_of_b() {
  return json::parse(R"({
    "UUID": "GPU-b0000000-0000-4000-8000-00000000000b", "Path": "/dev/nvidia1",
    "Model": "Tesla V100-SXM2-16GB", "Power": 300, "CPUAffinity": 0,
    "PCI": {"BusID": "00000000:3B:00.0", "BAR1": 16384, "Bandwidth": 15760},
    "Clocks": {"Cores": 1530, "Memory": 877},
    "Topology": [{"BusID": "00000000:5E:00.0", "Link": 8}],
    "Family": "Volta", "Arch": "7.0", "Cores": 5120,
    "Memory": {"ECC": true, "Global": 16160, "Shared": null, "Constant": null,
               "L2Cache": null, "Bandwidth": 898048}
  })");
}

json info_of_a() {
  return json::parse(R"({
    "UUID": "GPU-a0000000-0000-4000-8000-00000000000a", "Path": "/dev/nvidia3",
    "Model": "NVIDIA A100-PCIE-40GB", "Power": 250, "CPUAffinity": 1,
    "PCI": {"BusID": "00000000:5E:00.0", "BAR1": 65536, "Bandwidth": 31504},
    "Clocks": {"Cores": 1410, "Memory": 1215},
    "Topology": [{"BusID": "00000000:3B:00.0", "Link": 8}],
    "Family": "Ampere", "Arch": "8.0", "Cores": 6912,
    "Memory": {"ECC": false, "Global": 40960, "Shared": null, "Constant": null,
               "L2Cache": null, "Bandwidth": 1555200}
  })");
}

json status_of_b() {
  return json::parse(R"({
    "Power": 42, "Temperature": 35,
    "Utilization": {"GPU": 10, "Memory": 5, "Encoder": 1, "Decoder": 2},
    "Memory": {"GlobalUsed": 1024, "ECCErrors": {"L1Cache": 1, "L2Cache": 2, "Global": 3}},
    "Clocks": {"Cores": 135, "Memory": 877},
    "PCI": {"BAR1Used": 2, "Throughput": {"RX": 12, "TX": 3}},
    "Processes": [{"PID": 4242, "Name": "python3", "MemoryUsed": 1024},
                  {"PID": 77, "Name": "Xorg", "MemoryUsed": null}]
  })");
}

json status_of_a() {
  return json::parse(R"({
    "Power": 35, "Temperature": 30,
    "Utilization": {"GPU": 0, "Memory": 0, "Encoder": 0, "Decoder": 0},
    "Memory": {"GlobalUsed": 0, "ECCErrors": {"L1Cache": null, "L2Cache": null, "Global": null}},
    "Clocks": {"Cores": 210, "Memory": 1215},
    "PCI": {"BAR1Used": 4, "Throughput": {"RX": 0, "TX": 0}},
    "Processes": []
  })");
}

json unknown_status() {
  return json::parse(R"({
    "Power": null, "Temperature": null,
    "Utilization": {"GPU": null, "Memory": null, "Encoder": null, "Decoder": null},
    "Memory": {"GlobalUsed": null, "ECCErrors": {"L1Cache": null, "L2Cache": null, "Global": null}},
    "Clocks": {"Cores": null, "Memory": null},
    "PCI": {"BAR1Used": null, "Throughput": {"RX": null, "TX": null}},
    "Processes": []
  })");
}

// What a driver that tells only the required facts gives for GPU b.
json bare_info_of_b() {
  return json::parse(R"({
    "UUID": "GPU-b0000000-0000-4000-8000-00000000000b", "Path": "/dev/nvidia1",
    "Model": "Tesla V100-SXM2-16GB", "Power": null, "CPUAffinity": null,
    "PCI": {"BusID": "00000000:3B:00.0", "BAR1": null, "Bandwidth": null},
    "Clocks": {"Cores": null, "Memory": null}, "Topology": [],
    "Family": null, "Arch": null, "Cores": null,
    "Memory": {"ECC": null, "Global": null, "Shared": null, "Constant": null,
               "L2Cache": null, "Bandwidth": null}
  })");
}

class NvmlDiscoveryTest : public ::testing::Test {
protected:
  void SetUp() override {
    // The kernel's answer for GPU a's NUMA node, which its NVML does not tell.
    std::filesystem::create_directories(m_sysfs.file("bus/pci/devices/0000:5e:00.0"));
    std::ofstream(m_sysfs.file("bus/pci/devices/0000:5e:00.0/numa_node")) << "1\n";
  }

  std::unique_ptr<NvmlDiscovery> discover(const std::string &nvml, const std::string &libcuda = "") {
    NvmlPaths paths{m_driver_root, nvml, libcuda};
    NvmlDiscoveryOptions options;
    options.log = m_log.sink();
    options.sysfs_root = m_sysfs.path();
    return std::make_unique<NvmlDiscovery>([paths] { return paths; }, [] { return "same"; },
                                           options);
  }

  std::string m_driver_root = "/run/nvidia/driver";
  nvd::test::TempDir m_sysfs{"nvd-sysfs"};
  nvd::test::LogLines m_log;
};

} // namespace

TEST_F(NvmlDiscoveryTest, TellsTheDriverAndCudaVersions) {
  StandInDriver driver;
  driver.configure(two_gpus());
  auto discovery = discover(driver.install("535.104.05"));
  EXPECT_EQ(discovery->snapshot()->driver_version, "535.104.05");
  EXPECT_EQ(discovery->snapshot()->cuda_version, "12.2");
  EXPECT_EQ(discovery->snapshot()->control_devices, default_control_devices());
}

TEST_F(NvmlDiscoveryTest, ListsTheGpusInBusOrderWithPathsFromTheirMinorNumbers) {
  StandInDriver driver;
  driver.configure(two_gpus());
  auto inventory = discover(driver.install("535.104.05"))->snapshot();
  ASSERT_EQ(inventory->devices.size(), 2u);
  EXPECT_EQ(inventory->devices[0].uuid, uuid_b);
  EXPECT_EQ(inventory->devices[0].path, "/dev/nvidia1");
  EXPECT_EQ(inventory->devices[1].uuid, uuid_a);
  EXPECT_EQ(inventory->devices[1].path, "/dev/nvidia3");
}

TEST_F(NvmlDiscoveryTest, ReportsEveryFixedFigureTheDriverTells) {
  StandInDriver driver;
  driver.configure(two_gpus());
  auto inventory = discover(driver.install("535.104.05"))->snapshot();
  ASSERT_EQ(inventory->devices.size(), 2u);
  EXPECT_EQ(inventory->devices[0].info, info_of_b()) << inventory->devices[0].info.dump(2);
  EXPECT_EQ(inventory->devices[1].info, info_of_a()) << inventory->devices[1].info.dump(2);
}

TEST_F(NvmlDiscoveryTest, TheSnapshotLeavesStatusesUnknown) {
  StandInDriver driver;
  driver.configure(two_gpus());
  auto inventory = discover(driver.install("535.104.05"))->snapshot();
  for (const GpuDevice &device : inventory->devices)
    EXPECT_EQ(device.status, unknown_status());
}

TEST_F(NvmlDiscoveryTest, ReadsEveryLiveFigureOfEachGpu) {
  StandInDriver driver;
  driver.configure(two_gpus());
  auto inventory = discover(driver.install("535.104.05"))->snapshot_with_status();
  ASSERT_EQ(inventory->devices.size(), 2u);
  EXPECT_EQ(inventory->devices[0].status, status_of_b()) << inventory->devices[0].status.dump(2);
  EXPECT_EQ(inventory->devices[1].status, status_of_a()) << inventory->devices[1].status.dump(2);
  EXPECT_EQ(inventory->devices[0].info, info_of_b());
}

TEST_F(NvmlDiscoveryTest, ReadsTheStatusAnewAtEachRequest) {
  StandInDriver driver;
  json config = two_gpus();
  driver.configure(config);
  auto discovery = discover(driver.install("535.104.05"));
  EXPECT_EQ(discovery->snapshot_with_status()->devices[0].status["Temperature"], 35);
  config["Devices"][1]["TemperatureC"] = 71;
  config["Devices"][1]["Processes"] = json::array();
  driver.configure(config);
  auto inventory = discovery->snapshot_with_status();
  EXPECT_EQ(inventory->devices[0].status["Temperature"], 71);
  EXPECT_EQ(inventory->devices[0].status["Processes"], json::array());
}

TEST_F(NvmlDiscoveryTest, ServesTheSnapshotFromMemory) {
  StandInDriver driver;
  driver.configure(two_gpus());
  int located = 0;
  std::string nvml = driver.install("535.104.05");
  NvmlDiscovery discovery(
      [&] {
        ++located;
        return NvmlPaths{"/", nvml, ""};
      },
      [] { return "same"; });
  auto first = discovery.snapshot();
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(discovery.snapshot(), first);
  discovery.snapshot_with_status();
  EXPECT_EQ(located, 1);
}

TEST_F(NvmlDiscoveryTest, LogsTheLibraryAndWhatItFound) {
  StandInDriver driver;
  driver.configure(two_gpus());
  std::string nvml = driver.install("535.104.05");
  discover(nvml);
  EXPECT_EQ(m_log.lines(), (std::vector<std::string>{
                               "loading NVML from " + nvml,
                               "2 GPU(s) found (driver 535.104.05, CUDA 12.2)"}));
}

TEST_F(NvmlDiscoveryTest, AHostWithoutGpusHasAnEmptyInventory) {
  StandInDriver driver;
  driver.configure({{"CudaVersion", 12040}, {"Devices", json::array()}});
  auto discovery = discover(driver.install("550.54.15"));
  EXPECT_TRUE(discovery->snapshot_with_status()->devices.empty());
  EXPECT_EQ(m_log.lines().back(), "0 GPU(s) found (driver 550.54.15, CUDA 12.4)");
}

TEST_F(NvmlDiscoveryTest, FiguresADriverDoesNotSupportAreUnknown) {
  StandInDriver driver;
  json config = two_gpus();
  config["Devices"].erase(0);
  json &gpu = config["Devices"][0];
  gpu = {{"UUID", gpu["UUID"]}, {"Minor", 1}, {"Name", gpu["Name"]}, {"BusID", gpu["BusID"]}};
  driver.configure(config);
  auto inventory = discover(driver.install("535.104.05"))->snapshot_with_status();
  ASSERT_EQ(inventory->devices.size(), 1u);
  EXPECT_EQ(inventory->devices[0].info, bare_info_of_b()) << inventory->devices[0].info.dump(2);
  EXPECT_EQ(inventory->devices[0].status, unknown_status());
}

TEST_F(NvmlDiscoveryTest, OptionalCallsThatFailLeaveTheirFigureUnknown) {
  StandInDriver driver;
  json config = two_gpus();
  config["Devices"][1]["Errors"] = {{"nvmlDeviceGetPowerUsage", 4},
                                    {"nvmlDeviceGetPowerManagementLimit", 15},
                                    {"nvmlDeviceGetComputeRunningProcesses_v3", 999},
                                    {"nvmlDeviceGetNvLinkState", 3},
                                    {"nvmlSystemGetProcessName", 6}};
  driver.configure(config);
  auto inventory = discover(driver.install("535.104.05"))->snapshot_with_status();
  const GpuDevice &b = inventory->devices[0];
  EXPECT_EQ(b.status["Power"], nullptr);
  EXPECT_EQ(b.info["Power"], nullptr);
  // Without NVLink figures the PCI topology is asked, which this driver does not tell.
  EXPECT_EQ(b.info["Topology"], json::array());
  EXPECT_EQ(b.status["Processes"],
            json::parse(R"([{"PID": 77, "Name": "Xorg", "MemoryUsed": null},
                            {"PID": 4242, "Name": "python3", "MemoryUsed": 1024}])"));
  EXPECT_EQ(b.status["Temperature"], 35);
}

TEST_F(NvmlDiscoveryTest, ProcessNamesNvmlCannotTellAreUnknown) {
  StandInDriver driver;
  json config = two_gpus();
  config["Devices"][1]["Processes"] = json::parse(R"([{"PID": 9, "MemoryUsedMiB": 5}])");
  driver.configure(config);
  auto inventory = discover(driver.install("535.104.05"))->snapshot_with_status();
  EXPECT_EQ(inventory->devices[0].status["Processes"],
            json::parse(R"([{"PID": 9, "Name": null, "MemoryUsed": 5}])"));
}

TEST_F(NvmlDiscoveryTest, ReadsMoreProcessesThanTheFirstBufferHolds) {
  StandInDriver driver;
  json config = two_gpus();
  json processes = json::array();
  for (unsigned pid = 1000; pid < 1100; ++pid)
    processes.push_back({{"PID", pid}, {"Name", "worker"}, {"MemoryUsedMiB", 1}});
  config["Devices"][1]["Processes"] = processes;
  driver.configure(config);
  auto inventory = discover(driver.install("535.104.05"))->snapshot_with_status();
  ASSERT_EQ(inventory->devices[0].status["Processes"].size(), 100u);
  EXPECT_EQ(inventory->devices[0].status["Processes"][99]["PID"], 1099);
}

TEST_F(NvmlDiscoveryTest, TopologyFollowsTheCommonAncestorWithoutNvLink) {
  StandInDriver driver;
  json config = two_gpus();
  json third = config["Devices"][1];
  third["UUID"] = "GPU-c0000000-0000-4000-8000-00000000000c";
  third["Minor"] = 0;
  third["BusID"] = "00000000:AF:00.0";
  third.erase("NvLinks");
  config["Devices"].push_back(third);
  config["Topology"] = json::parse(R"([{"GPUs": [0, 2], "Level": 50}, {"GPUs": [2, 1], "Level": 40},
                                       {"GPUs": [0, 1], "Level": 10}])");
  driver.configure(config);
  auto inventory = discover(driver.install("535.104.05"))->snapshot();
  ASSERT_EQ(inventory->devices.size(), 3u);
  EXPECT_EQ(inventory->devices[0].info["Topology"],
            json::parse(R"([{"BusID": "00000000:5E:00.0", "Link": 8},
                            {"BusID": "00000000:AF:00.0", "Link": 2}])"));
  EXPECT_EQ(inventory->devices[1].info["Topology"],
            json::parse(R"([{"BusID": "00000000:3B:00.0", "Link": 8},
                            {"BusID": "00000000:AF:00.0", "Link": 1}])"));
  EXPECT_EQ(inventory->devices[2].info["Topology"],
            json::parse(R"([{"BusID": "00000000:3B:00.0", "Link": 2},
                            {"BusID": "00000000:5E:00.0", "Link": 1}])"));
  EXPECT_EQ(inventory->devices[2].path, "/dev/nvidia0");
}

TEST_F(NvmlDiscoveryTest, TheMinimalDriverGivesTheRequiredFactsAndNullsForTheRest) {
  StandInDriver driver(NVD_STAND_IN_NVML_MINIMAL);
  driver.configure(two_gpus());
  ::setenv("NVD_STAND_IN_CUDA", "11080", 1);
  auto inventory = discover(driver.install("470.82.01"), NVD_STAND_IN_CUDA)->snapshot_with_status();
  ::unsetenv("NVD_STAND_IN_CUDA");
  EXPECT_EQ(inventory->driver_version, "470.82.01");
  EXPECT_EQ(inventory->cuda_version, "11.8"); // from libcuda: this NVML does not tell it
  ASSERT_EQ(inventory->devices.size(), 2u);
  EXPECT_EQ(inventory->devices[0].info, bare_info_of_b()) << inventory->devices[0].info.dump(2);
  EXPECT_EQ(inventory->devices[1].path, "/dev/nvidia3");
  EXPECT_EQ(inventory->devices[1].info["PCI"]["BusID"], "00000000:5E:00.0");
  EXPECT_EQ(inventory->devices[1].info["CPUAffinity"], 1); // from sysfs
  for (const GpuDevice &device : inventory->devices)
    EXPECT_EQ(device.status, unknown_status());
}

TEST_F(NvmlDiscoveryTest, CudaVersionFallsBackToLibcudaWhenNvmlCannotTellIt) {
  StandInDriver driver;
  json config = two_gpus();
  config["Errors"] = {{"nvmlSystemGetCudaDriverVersion", 3},
                      {"nvmlSystemGetCudaDriverVersion_v2", 12}};
  driver.configure(config);
  ::setenv("NVD_STAND_IN_CUDA", "12090", 1);
  auto discovery = discover(driver.install("575.51.03"), NVD_STAND_IN_CUDA);
  ::unsetenv("NVD_STAND_IN_CUDA");
  EXPECT_EQ(discovery->snapshot()->cuda_version, "12.9");
}

TEST_F(NvmlDiscoveryTest, NoCudaVersionAnywhereIsAnError) {
  StandInDriver driver(NVD_STAND_IN_NVML_MINIMAL);
  driver.configure(two_gpus());
  std::string nvml = driver.install("470.82.01");
  EXPECT_EQ(error_of([&] { discover(nvml); }),
            "NVML " + nvml +
                " does not tell the CUDA version (no nvmlSystemGetCudaDriverVersion) and no libcuda "
                "was found: is the driver complete? or pass --inventory");
}

TEST_F(NvmlDiscoveryTest, NoNvmlAtThePathIsTheDocumentedError) {
  EXPECT_EQ(error_of([&] { discover(""); }),
            "NVML not found under the driver root /run/nvidia/driver: is the NVIDIA driver "
            "installed? or pass --inventory");
  EXPECT_EQ(error_of([&] { discover("/run/nvidia/driver/usr/lib64/libnvidia-ml.so.1"); }),
            "NVML not found under the driver root /run/nvidia/driver: is the NVIDIA driver "
            "installed? or pass --inventory");
}

TEST_F(NvmlDiscoveryTest, ALibraryWithoutARequiredEntryPointIsAnErrorNamingIt) {
  StandInDriver driver(NVD_STAND_IN_NVML_INCOMPLETE);
  driver.configure(two_gpus());
  std::string nvml = driver.install("535.104.05");
  EXPECT_EQ(error_of([&] { discover(nvml); }),
            "NVML " + nvml +
                " lacks nvmlDeviceGetMinorNumber, nvmlDeviceGetPciInfo_v3 (or _v2): this driver is "
                "too old for nvidia-docker-plugin; upgrade it, or pass --inventory");
}

TEST_F(NvmlDiscoveryTest, AGpuWhoseRequiredFactsFailIsLeftOutAndLogged) {
  // A GPU fallen off the bus (Xid 79) must not hide the others.
  StandInDriver driver;
  json config = two_gpus();
  config["Devices"][1]["Errors"] = {{"nvmlDeviceGetUUID", 15}};
  driver.configure(config);
  std::string nvml = driver.install("535.104.05");
  auto discovery = discover(nvml);
  ASSERT_EQ(discovery->snapshot()->devices.size(), 1u);
  EXPECT_EQ(discovery->snapshot_with_status()->devices.size(), 1u);
  std::vector<std::string> lines = m_log.lines();
  EXPECT_NE(std::find(lines.begin(), lines.end(),
                      "GPU 1 left out: NVML " + nvml + ": nvmlDeviceGetUUID (GPU 1): GPU is lost"),
            lines.end());
}

TEST_F(NvmlDiscoveryTest, AnUnloadedKernelModuleIsAnErrorSayingSo) {
  StandInDriver driver;
  driver.configure(two_gpus());
  std::string nvml = driver.install("535.104.05");
  ::unsetenv("NVD_STAND_IN_NVML");
  EXPECT_EQ(error_of([&] { discover(nvml); }),
            "NVML " + nvml +
                ": nvmlInit_v2: Driver Not Loaded (is the nvidia kernel module loaded?)");
}

TEST_F(NvmlDiscoveryTest, AGarbledStandInConfigFailsInitialisation) {
  StandInDriver driver;
  driver.configure_text("{\"Devices\": [ not json");
  std::string nvml = driver.install("535.104.05");
  EXPECT_EQ(error_of([&] { discover(nvml); }), "NVML " + nvml + ": nvmlInit_v2: Unknown Error");
  driver.configure_text("[1, 2]");
  EXPECT_EQ(error_of([&] { discover(nvml); }), "NVML " + nvml + ": nvmlInit_v2: Unknown Error");
  driver.configure_text(R"({"Devices": {"UUID": "GPU-1"}})");
  EXPECT_EQ(error_of([&] { discover(nvml); }), "NVML " + nvml + ": nvmlInit_v2: Unknown Error");
}

TEST_F(NvmlDiscoveryTest, AnswersBreakingTheInventoryRulesAreErrorsNamingTheField) {
  StandInDriver driver;
  json config = two_gpus();
  config["Devices"][1]["UUID"] = uuid_a;
  driver.configure(config);
  std::string nvml = driver.install("535.104.05");
  EXPECT_EQ(error_of([&] { discover(nvml); }),
            "inventory read from NVML " + nvml + ": /Devices/1/UUID: duplicate UUID " + uuid_a);
  config["Devices"][1]["UUID"] = "GPU-with spaces";
  driver.configure(config);
  EXPECT_EQ(error_of([&] { discover(nvml); }),
            "inventory read from NVML " + nvml +
                ": /Devices/1/UUID: must start with \"GPU-\" and hold no spaces, commas or '+'");
}

TEST_F(NvmlDiscoveryTest, AStandInNamedWithoutAVersionTakesItsVersionFromTheConfig) {
  StandInDriver driver;
  json config = two_gpus();
  config["DriverVersion"] = "418.87.01";
  driver.configure(config);
  auto discovery = discover(NVD_STAND_IN_NVML_FULL);
  EXPECT_EQ(discovery->snapshot()->driver_version, "418.87.01");
}

TEST_F(NvmlDiscoveryTest, AMismatchedKernelModuleAtStartIsAnErrorSayingWhatToDo) {
  StandInDriver driver;
  json config = two_gpus();
  config["KernelVersion"] = "550.54.15";
  driver.configure(config);
  std::string nvml = driver.install("535.104.05");
  EXPECT_EQ(error_of([&] { discover(nvml); }),
            "NVML " + nvml +
                ": nvmlInit_v2: Driver/library version mismatch (the loaded kernel module is of "
                "another driver version: reload it or reboot)");
}
