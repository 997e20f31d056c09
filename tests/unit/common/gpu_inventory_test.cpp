// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/common/error.hpp"
#include "nvd/common/gpu_inventory.hpp"
#include "nvd/plugin/inventory_file_discovery.hpp"

#include "support/table.hpp"

#include <gtest/gtest.h>

using namespace nvd;
using nlohmann::json;

namespace {

json minimal_device(int index) {
  return {{"UUID", "GPU-0000000" + std::to_string(index)},
          {"Path", "/dev/nvidia" + std::to_string(index)}};
}

json minimal_inventory() {
  return {{"Version", {{"Driver", "375.26"}, {"CUDA", "8.0"}}},
          {"Devices", json::array({minimal_device(0), minimal_device(1)})}};
}

std::string error_of(const json &document) {
  try {
    parse_inventory(document, "host.json");
  } catch (const Error &error) {
    return error.what();
  }
  return "no error";
}

struct MalformedCase {
  const char *name;
  std::function<void(json &)> mutate;
  const char *message;
};
NVD_PRINT_ROW_AS_NAME(MalformedCase)

class MalformedInventory : public ::testing::TestWithParam<MalformedCase> {};

} // namespace

TEST(GpuInventory, ShippedExamplesLoad) {
  InventoryFileDiscovery two(NVD_EXAMPLES_DIR "/inventory-2gpu.json");
  EXPECT_EQ(two.snapshot()->devices.size(), 2u);
  EXPECT_EQ(two.snapshot()->driver_version, "535.104.05");
  InventoryFileDiscovery eight(NVD_EXAMPLES_DIR "/inventory-8gpu.json");
  EXPECT_EQ(eight.snapshot()->devices.size(), 8u);
  EXPECT_TRUE(eight.snapshot()->devices[7].info["Power"].is_null());
}

TEST(GpuInventory, MissingFieldsBecomeNull) {
  GpuInventory inventory = parse_inventory(minimal_inventory(), "host.json");
  const json &info = inventory.devices[0].info;
  EXPECT_TRUE(info["Model"].is_null());
  EXPECT_TRUE(info["Power"].is_null());
  EXPECT_TRUE(info["PCI"]["BusID"].is_null());
  EXPECT_TRUE(info["Memory"]["ECC"].is_null());
  EXPECT_EQ(info["Topology"], json::array());
  EXPECT_TRUE(inventory.devices[0].status["Utilization"]["GPU"].is_null());
  EXPECT_EQ(inventory.devices[0].status["Processes"], json::array());
  EXPECT_EQ(inventory.control_devices, default_control_devices());
}

TEST(GpuInventory, DevicesAreOrderedByPciBus) {
  json document = minimal_inventory();
  document["Devices"][0]["PCI"] = {{"BusID", "0000:82:00.0"}};
  document["Devices"][1]["PCI"] = {{"BusID", "0000:04:00.0"}};
  GpuInventory inventory = parse_inventory(document, "host.json");
  EXPECT_EQ(inventory.devices[0].path, "/dev/nvidia1");
  EXPECT_EQ(inventory.devices[1].path, "/dev/nvidia0");
}

TEST(GpuInventory, ControlDevicesCanBeListed) {
  json document = minimal_inventory();
  document["ControlDevices"] = {"/dev/nvidiactl", "/dev/nvidia-uvm"};
  EXPECT_EQ(parse_inventory(document, "x").control_devices,
            (std::vector<std::string>{"/dev/nvidiactl", "/dev/nvidia-uvm"}));
}

TEST(GpuInventory, NotJsonNamesTheFile) {
  try {
    parse_inventory_text("{\"Version\": ", "bad.json");
    FAIL() << "no error";
  } catch (const Error &error) {
    EXPECT_EQ(std::string(error.what()).rfind("inventory bad.json: not valid JSON: ", 0), 0u)
        << error.what();
  }
}

TEST(GpuInventory, UnreadableFileNamesTheFile) {
  try {
    InventoryFileDiscovery discovery("/nonexistent/host.json");
    FAIL() << "no error";
  } catch (const Error &error) {
    EXPECT_STREQ(error.what(), "inventory /nonexistent/host.json: cannot open: No such file or directory");
  }
}

TEST_P(MalformedInventory, IsRefusedWithFieldAndProblem) {
  json document = minimal_inventory();
  GetParam().mutate(document);
  EXPECT_EQ(error_of(document), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MalformedInventory,
    ::testing::Values(
        MalformedCase{"NotAnObject", [](json &d) { d = json::array(); },
                      "inventory host.json: /: must be a JSON object with \"Version\" and \"Devices\""},
        MalformedCase{"UnknownTopLevel", [](json &d) { d["Gpus"] = 1; },
                      "inventory host.json: /Gpus: unknown field"},
        MalformedCase{"NoVersion", [](json &d) { d.erase("Version"); },
                      "inventory host.json: /Version: is required and must be an object with \"Driver\" and \"CUDA\""},
        MalformedCase{"NoDriver", [](json &d) { d["Version"].erase("Driver"); },
                      "inventory host.json: /Version/Driver: is required and must be a string such as \"535.104.05\""},
        MalformedCase{"DriverNotNumbers", [](json &d) { d["Version"]["Driver"] = "abc"; },
                      "inventory host.json: /Version/Driver: must be dot-separated numbers, not \"abc\""},
        MalformedCase{"CudaTrailingDot", [](json &d) { d["Version"]["CUDA"] = "12."; },
                      "inventory host.json: /Version/CUDA: must be dot-separated numbers, not \"12.\""},
        MalformedCase{"CudaEmpty", [](json &d) { d["Version"]["CUDA"] = ""; },
                      "inventory host.json: /Version/CUDA: must be dot-separated numbers, not \"\""},
        MalformedCase{"VersionUnknownField", [](json &d) { d["Version"]["NVML"] = "1"; },
                      "inventory host.json: /Version/NVML: unknown field"},
        MalformedCase{"NoDevices", [](json &d) { d.erase("Devices"); },
                      "inventory host.json: /Devices: is required and must be a list (it may be empty)"},
        MalformedCase{"DeviceNotObject", [](json &d) { d["Devices"][1] = 3; },
                      "inventory host.json: /Devices/1: must be an object"},
        MalformedCase{"NoUuid", [](json &d) { d["Devices"][0].erase("UUID"); },
                      "inventory host.json: /Devices/0/UUID: is required"},
        MalformedCase{"UuidNotString", [](json &d) { d["Devices"][0]["UUID"] = 7; },
                      "inventory host.json: /Devices/0/UUID: must be a string"},
        MalformedCase{"UuidWithoutPrefix", [](json &d) { d["Devices"][0]["UUID"] = "836c0c09"; },
                      "inventory host.json: /Devices/0/UUID: must start with \"GPU-\" and hold no spaces, commas or '+'"},
        MalformedCase{"UuidWithSpace", [](json &d) { d["Devices"][0]["UUID"] = "GPU-1 2"; },
                      "inventory host.json: /Devices/0/UUID: must start with \"GPU-\" and hold no spaces, commas or '+'"},
        MalformedCase{"DuplicateUuid", [](json &d) { d["Devices"][1]["UUID"] = "GPU-00000000"; },
                      "inventory host.json: /Devices/1/UUID: duplicate UUID GPU-00000000"},
        MalformedCase{"NoPath", [](json &d) { d["Devices"][1].erase("Path"); },
                      "inventory host.json: /Devices/1/Path: is required"},
        MalformedCase{"PathOutsideDev", [](json &d) { d["Devices"][1]["Path"] = "/etc/shadow"; },
                      "inventory host.json: /Devices/1/Path: must be a GPU device path such as \"/dev/nvidia0\""},
        MalformedCase{"PathWithDots", [](json &d) { d["Devices"][1]["Path"] = "/dev/nvidia/../sda"; },
                      "inventory host.json: /Devices/1/Path: must be a GPU device path such as \"/dev/nvidia0\""},
        MalformedCase{"PathIsControlDevice", [](json &d) { d["Devices"][1]["Path"] = "/dev/nvidiactl"; },
                      "inventory host.json: /Devices/1/Path: must be a GPU device path such as \"/dev/nvidia0\""},
        MalformedCase{"DuplicatePath", [](json &d) { d["Devices"][1]["Path"] = "/dev/nvidia0"; },
                      "inventory host.json: /Devices/1/Path: duplicate path /dev/nvidia0"},
        MalformedCase{"NumberAsString", [](json &d) { d["Devices"][0]["Power"] = "300"; },
                      "inventory host.json: /Devices/0/Power: must be a number"},
        MalformedCase{"NegativeNumber", [](json &d) { d["Devices"][0]["Memory"] = {{"Global", -1}}; },
                      "inventory host.json: /Devices/0/Memory/Global: must not be negative"},
        MalformedCase{"EccNotBoolean", [](json &d) { d["Devices"][0]["Memory"] = {{"ECC", "yes"}}; },
                      "inventory host.json: /Devices/0/Memory/ECC: must be true or false"},
        MalformedCase{"MisspelledField", [](json &d) { d["Devices"][0]["Modle"] = "K80"; },
                      "inventory host.json: /Devices/0/Modle: unknown field"},
        MalformedCase{"NestedNotObject", [](json &d) { d["Devices"][0]["PCI"] = "0000:04:00.0"; },
                      "inventory host.json: /Devices/0/PCI: must be an object"},
        MalformedCase{"TopologyNotList", [](json &d) { d["Devices"][0]["Topology"] = json::object(); },
                      "inventory host.json: /Devices/0/Topology: must be a list"},
        MalformedCase{"TopologyEntryBad", [](json &d) { d["Devices"][0]["Topology"] = {{{"BusID", 4}}}; },
                      "inventory host.json: /Devices/0/Topology/0/BusID: must be a string"},
        MalformedCase{"StatusUnknownField", [](json &d) { d["Devices"][0]["Status"] = {{"Fan", 3}}; },
                      "inventory host.json: /Devices/0/Status/Fan: unknown field"},
        MalformedCase{"ProcessNameNotString", [](json &d) { d["Devices"][0]["Status"] = {{"Processes", {{{"Name", 1}}}}}; },
                      "inventory host.json: /Devices/0/Status/Processes/0/Name: must be a string"},
        MalformedCase{"ControlDevicesNotList", [](json &d) { d["ControlDevices"] = "/dev/nvidiactl"; },
                      "inventory host.json: /ControlDevices: must be a list of device paths"},
        MalformedCase{"ControlDeviceOutsideDev", [](json &d) { d["ControlDevices"] = {"/dev/sda"}; },
                      "inventory host.json: /ControlDevices/0: must be a path such as \"/dev/nvidiactl\""}),
    nvd::test::RowName());

TEST(DottedVersion, AcceptsOnlyNumbersAndSingleDots) {
  EXPECT_TRUE(is_dotted_version("8"));
  EXPECT_TRUE(is_dotted_version("12.4.1"));
  EXPECT_FALSE(is_dotted_version(""));
  EXPECT_FALSE(is_dotted_version("12."));
  EXPECT_FALSE(is_dotted_version(".12"));
  EXPECT_FALSE(is_dotted_version("12..4"));
  EXPECT_FALSE(is_dotted_version("12.4a"));
}

TEST(DevicePaths, OneRuleForInventoryAndAnswers) {
  for (const char *good : {"/dev/nvidia0", "/dev/nvidiactl", "/dev/nvidia-uvm-tools", "/dev/nvidia-caps/nvidia-cap1"})
    EXPECT_TRUE(is_nvidia_device_path(good)) << good;
  for (const char *bad : {"/dev/sda", "/dev/nvidia/0", "/dev/nvidia0/../sda", "dev/nvidia0", "/dev/nvidia0:rw",
                          "/dev/nvidia-caps/cap1", "/etc/nvidia0", "/dev/nvidia 0", ""})
    EXPECT_FALSE(is_nvidia_device_path(bad)) << bad;
}

TEST(GpuInventory, DeviceInASubfolderIsRefused) {
  nlohmann::json document = {{"Version", {{"Driver", "1.0"}, {"CUDA", "8.0"}}},
                             {"Devices", {{{"UUID", "GPU-1"}, {"Path", "/dev/nvidia/0"}}}}};
  try {
    parse_inventory(document, "host.json");
    FAIL();
  } catch (const Error &error) {
    EXPECT_STREQ(error.what(), "inventory host.json: /Devices/0/Path: must be a GPU device path such as \"/dev/nvidia0\"");
  }
}
