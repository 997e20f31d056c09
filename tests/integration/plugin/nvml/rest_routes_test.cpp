// SPDX-License-Identifier: BSD-3-Clause
// The REST API of the built plugin, every answer from NVML (the stand-in):
// devices by their minor numbers, selection by index and UUID, live status.
#include "plugin_on_stand_ins.hpp"

#include <gtest/gtest.h>

using namespace nvd::test;
using nlohmann::json;

TEST(PluginOnStandIns, InfoJsonComesFromNvmlWithEachPathFromTheMinorNumber) {
  NVD_REQUIRE_STAND_IN_HOST();
  auto host = stand_in_host(2);
  auto plugin = host->start();
  json info = get_json(*plugin, "/gpu/info/json");
  EXPECT_EQ(info["Version"], json({{"CUDA", "12.2"}, {"Driver", "535.104.05"}}));
  ASSERT_EQ(info["Devices"].size(), 2u) << info.dump(2);
  const json &first = info["Devices"][0];
  EXPECT_EQ(first["UUID"], "GPU-a0000000-0000-4000-8000-000000000000");
  EXPECT_EQ(first["Path"], "/dev/nvidia5"); // index 0, minor 5
  EXPECT_EQ(info["Devices"][1]["Path"], "/dev/nvidia3");
  EXPECT_EQ(first["Model"], "Tesla V100-SXM2-16GB");
  EXPECT_EQ(first["Family"], "Volta");
  EXPECT_EQ(first["Arch"], "7.0");
  EXPECT_EQ(first["Cores"], 5120);
  EXPECT_EQ(first["Power"], 300);
  EXPECT_EQ(first["CPUAffinity"], 0);
  EXPECT_EQ(first["PCI"]["BusID"], "00000000:1A:00.0");
  EXPECT_EQ(first["PCI"]["BAR1"], 16384);
  EXPECT_EQ(first["Memory"]["Global"], 16160);
  EXPECT_EQ(first["Memory"]["ECC"], true);
  EXPECT_EQ(first["Clocks"], json({{"Cores", 1530}, {"Memory", 877}}));
  ASSERT_EQ(first["Topology"].size(), 1u) << first.dump(2);
  EXPECT_EQ(first["Topology"][0]["BusID"], "00000000:2A:00.0");
}

TEST(PluginOnStandIns, InfoTextNumbersDevicesByIndexWithTheirMinorPaths) {
  NVD_REQUIRE_STAND_IN_HOST();
  auto host = stand_in_host(2);
  auto plugin = host->start();
  HttpResult text = http_request(plugin->url("/gpu/info"));
  ASSERT_EQ(text.status, 200) << text.error;
  EXPECT_EQ(text.content_type.rfind("text/plain", 0), 0u) << text.content_type;
  EXPECT_NE(text.body.find("Driver version:            535.104.05\n"), std::string::npos)
      << text.body;
  std::size_t device0 = text.body.find("Device #0\n");
  std::size_t device1 = text.body.find("Device #1\n");
  ASSERT_NE(device0, std::string::npos) << text.body;
  ASSERT_NE(device1, std::string::npos) << text.body;
  std::size_t path0 = text.body.find("Path:                    /dev/nvidia5\n", device0);
  EXPECT_LT(path0, device1) << text.body;
  EXPECT_NE(text.body.find("Path:                    /dev/nvidia3\n", device1), std::string::npos);
}

TEST(PluginOnStandIns, DockerCliSelectsByIndexAndUuidWithTheDriversVolume) {
  NVD_REQUIRE_STAND_IN_HOST();
  auto host = stand_in_host(2);
  auto plugin = host->start();
  const json volume = {"nvidia_driver_535.104.05:/usr/local/nvidia:ro"};

  json all = get_json(*plugin, "/docker/cli/json");
  EXPECT_EQ(all["VolumeDriver"], "nvidia-docker");
  EXPECT_EQ(all["Volumes"], volume);
  EXPECT_EQ(all["Devices"],
            json({"/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia5", "/dev/nvidia3"}));

  EXPECT_EQ(get_json(*plugin, "/docker/cli/json?dev=1")["Devices"],
            json({"/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia3"}));
  // A UUID prefix: index 1's UUID starts GPU-a1.
  EXPECT_EQ(get_json(*plugin, "/docker/cli/json?dev=GPU-a1+0")["Devices"],
            json({"/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia3", "/dev/nvidia5"}));
  EXPECT_EQ(
      get_json(*plugin, "/docker/cli/json?dev=GPU-a0000000-0000-4000-8000-000000000000")["Devices"],
      json({"/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia5"}));

  HttpResult text = http_request(plugin->url("/v1.0/docker/cli?dev=1"));
  EXPECT_EQ(text.body, "--volume-driver=nvidia-docker "
                       "--volume=nvidia_driver_535.104.05:/usr/local/nvidia:ro "
                       "--device=/dev/nvidiactl --device=/dev/nvidia-uvm --device=/dev/nvidia3\n");

  HttpResult bad = http_request(plugin->url("/docker/cli/json?dev=2"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body, "invalid device: 2\n");
  // The minor number is not a selection: only the index and the UUID are.
  EXPECT_EQ(http_request(plugin->url("/docker/cli/json?dev=5")).status, 400);
}

TEST(PluginOnStandIns, StatusIsReadLiveFromNvmlAtEachRequest) {
  NVD_REQUIRE_STAND_IN_HOST();
  auto host = stand_in_host(2);
  auto plugin = host->start();
  json status = get_json(*plugin, "/gpu/status/json");
  ASSERT_EQ(status["Devices"].size(), 2u) << status.dump(2);
  const json &first = status["Devices"][0];
  EXPECT_EQ(first["Temperature"], 30);
  EXPECT_EQ(first["Power"], 40);
  EXPECT_EQ(first["Utilization"],
            json({{"Decoder", 2}, {"Encoder", 1}, {"GPU", 10}, {"Memory", 5}}));
  EXPECT_EQ(first["Memory"]["GlobalUsed"], 1024);
  EXPECT_EQ(first["PCI"]["BAR1Used"], 2);
  EXPECT_EQ(first["Processes"], json::array());

  json config = host->nvml_config();
  json &device = config["Devices"][0];
  device["TemperatureC"] = 81;
  device["PowerWatts"] = 250;
  device["Utilization"]["GPU"] = 97;
  device["MemoryUsedMiB"] = 9000;
  device["Processes"] = {{{"PID", 4242}, {"Name", "python3"}, {"MemoryUsedMiB", 8000}}};
  host->set_nvml_config(config);

  json live = get_json(*plugin, "/gpu/status/json");
  const json &now = live["Devices"][0];
  EXPECT_EQ(now["Temperature"], 81);
  EXPECT_EQ(now["Power"], 250);
  EXPECT_EQ(now["Utilization"]["GPU"], 97);
  EXPECT_EQ(now["Memory"]["GlobalUsed"], 9000);
  ASSERT_EQ(now["Processes"].size(), 1u) << now.dump(2);
  EXPECT_EQ(now["Processes"][0]["PID"], 4242);
  EXPECT_EQ(now["Processes"][0]["Name"], "python3");
  EXPECT_EQ(now["Processes"][0]["MemoryUsed"], 8000);

  HttpResult text = http_request(plugin->url("/gpu/status"));
  EXPECT_NE(text.body.find("Temperature:             81 °C\n"), std::string::npos) << text.body;
  EXPECT_NE(text.body.find("python3"), std::string::npos) << text.body;
  // The same process all along: no restart, and NVML was not re-loaded.
  EXPECT_EQ(plugin->process().wait(std::chrono::milliseconds(0)), -1);
  EXPECT_EQ(occurrences(plugin->process().stderr_text(), "loading NVML"), 1u);
}

TEST(PluginOnStandIns, UvmToolsIsHandedOutOnlyWhereItsNodeExists) {
  NVD_REQUIRE_STAND_IN_HOST();
  auto without = stand_in_host(1);
  auto plugin = without->start();
  EXPECT_EQ(get_json(*plugin, "/docker/cli/json")["Devices"],
            json({"/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia3"}));

  StandInHostOptions options;
  options.uvm_tools = true;
  auto with = stand_in_host(1, options);
  auto tools = with->start();
  EXPECT_EQ(get_json(*tools, "/docker/cli/json")["Devices"],
            json({"/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidia3"}));
}

TEST(PluginOnStandIns, EveryRouteAnswersFromNvmlWithAndWithoutTheVersionPrefix) {
  NVD_REQUIRE_STAND_IN_HOST();
  auto host = stand_in_host(2);
  auto plugin = host->start();
  for (const char *route : {"/gpu/info", "/gpu/info/json", "/gpu/status", "/gpu/status/json",
                            "/docker/cli", "/docker/cli/json", "/mesos/cli"})
    for (const std::string prefix : {"", "/v1.0"}) {
      HttpResult result = http_request(plugin->url(prefix + route));
      EXPECT_EQ(result.status, 200) << prefix << route << ": " << result.error << result.body;
      EXPECT_FALSE(result.body.empty()) << prefix << route;
    }
  HttpResult mesos = http_request(plugin->url("/mesos/cli"));
  EXPECT_NE(mesos.body.find("--resources=gpus:{GPU-a0000000-0000-4000-8000-000000000000,"
                            "GPU-a1000000-0000-4000-8000-000000000001}"),
            std::string::npos)
      << mesos.body;
}

TEST(PluginOnStandIns, AnNvmlWithOnlyTheRequiredEntryPointsAnswersNullNotAFailure) {
  NVD_REQUIRE_STAND_IN_HOST();
  StandInHostOptions options;
  options.nvml = StandInNvml::minimal;
  auto host = stand_in_host(2, options);
  auto plugin = host->start();
  json info = get_json(*plugin, "/gpu/info/json");
  ASSERT_EQ(info["Devices"].size(), 2u) << info.dump(2);
  const json &first = info["Devices"][0];
  EXPECT_EQ(first["Path"], "/dev/nvidia5");
  EXPECT_EQ(first["PCI"]["BusID"], "00000000:1A:00.0");
  EXPECT_TRUE(first["Cores"].is_null()) << first.dump(2);
  EXPECT_TRUE(first["Power"].is_null()) << first.dump(2);
  json status = get_json(*plugin, "/gpu/status/json");
  EXPECT_TRUE(status["Devices"][0]["Temperature"].is_null()) << status.dump(2);
  HttpResult text = http_request(plugin->url("/gpu/status"));
  EXPECT_NE(text.body.find("Temperature:             N/A\n"), std::string::npos) << text.body;
  EXPECT_EQ(get_json(*plugin, "/docker/cli/json")["Devices"],
            json({"/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia5", "/dev/nvidia3"}));
}
