// SPDX-License-Identifier: BSD-3-Clause
// Plugin answers are untrusted: only GPU devices and the asked-for volumes pass.
#include "nvd/common/error.hpp"
#include "nvd/client/plugin_answer.hpp"
#include "nvd/client/transport/plugin_client.hpp"

#include "support/table.hpp"

#include <gtest/gtest.h>

using namespace nvd;

namespace {

const std::string source = "http://localhost:3476/docker/cli/json?vol=nvidia_driver&dev=";
const std::vector<std::string> driver = {"nvidia_driver"};

std::string answer(const std::string &volumes, const std::string &devices,
                   const std::string &driver_name = "\"nvidia-docker\"") {
  return "{\"VolumeDriver\":" + driver_name + ",\"Volumes\":" + volumes + ",\"Devices\":" + devices + "}";
}

struct HostileCase {
  const char *name;
  std::string body;
  std::string error;
};
NVD_PRINT_ROW_AS_NAME(HostileCase)

class HostileAnswer : public ::testing::TestWithParam<HostileCase> {};

} // namespace

TEST(PluginAnswer, GoodAnswerBecomesDockerArguments) {
  GpuArguments args = parse_docker_cli_answer(
      answer("[\"nvidia_driver_375.26:/usr/local/nvidia:ro\"]",
             "[\"/dev/nvidiactl\",\"/dev/nvidia-uvm\",\"/dev/nvidia-uvm-tools\",\"/dev/nvidia0\","
             "\"/dev/nvidia-caps/nvidia-cap1\"]"),
      driver, source);
  EXPECT_EQ(args.to_docker_args(),
            (std::vector<std::string>{"--volume-driver=nvidia-docker",
                                      "--volume=nvidia_driver_375.26:/usr/local/nvidia:ro",
                                      "--device=/dev/nvidiactl", "--device=/dev/nvidia-uvm",
                                      "--device=/dev/nvidia-uvm-tools", "--device=/dev/nvidia0",
                                      "--device=/dev/nvidia-caps/nvidia-cap1"}));
}

TEST(PluginAnswer, NoVolumesMeansNoVolumeDriver) {
  GpuArguments args = parse_docker_cli_answer(answer("[]", "[\"/dev/nvidia0\"]"), driver, source);
  EXPECT_EQ(args.to_docker_args(), std::vector<std::string>{"--device=/dev/nvidia0"});
}

TEST_P(HostileAnswer, IsRefused) {
  try {
    GpuArguments args = parse_docker_cli_answer(GetParam().body, driver, source);
    ADD_FAILURE() << "accepted: " << ::testing::PrintToString(args.to_docker_args());
  } catch (const Error &error) {
    EXPECT_EQ(error.what(), GetParam().error);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, HostileAnswer,
    ::testing::Values(
        HostileCase{"NotJson", "--privileged",
                    "invalid answer from " + source +
                        ": not JSON ([json.exception.parse_error.101] parse error at line 1, column 2: "
                        "syntax error while parsing value - invalid number; expected digit after '-'; "
                        "last read: '--')"},
        HostileCase{"Truncated", "{\"Devices\":[\"/dev/nvid",
                    "invalid answer from " + source +
                        ": not JSON ([json.exception.parse_error.101] parse error at line 1, column 23: "
                        "syntax error while parsing value - invalid string: missing closing quote; "
                        "last read: '\"/dev/nvid')"},
        HostileCase{"NotObject", "[1]", "refused answer from " + source + ": not a JSON object"},
        HostileCase{"ExtraField", "{\"Devices\":[\"/dev/nvidia0\"],\"Privileged\":true}",
                    "refused answer from " + source + ": unexpected field \"Privileged\""},
        HostileCase{"WrongDriver", answer("[\"nvidia_driver_1:/usr/local/nvidia:ro\"]", "[\"/dev/nvidia0\"]", "\"local\""),
                    "refused answer from " + source + ": volume driver \"local\" is not nvidia-docker"},
        HostileCase{"DriverNotString", answer("[]", "[\"/dev/nvidia0\"]", "7"),
                    "refused answer from " + source + ": \"VolumeDriver\" is not a string"},
        HostileCase{"HostRootVolume", answer("[\"/:/host\"]", "[\"/dev/nvidia0\"]"),
                    "refused answer from " + source +
                        ": volume \"/:/host\" is not one the image asked for (nvidia_driver) as "
                        "NAME_VERSION:/absolute/path:ro|rw"},
        HostileCase{"OtherVolumeName", answer("[\"secrets_1.0:/run/secrets:ro\"]", "[\"/dev/nvidia0\"]"),
                    "refused answer from " + source +
                        ": volume \"secrets_1.0:/run/secrets:ro\" is not one the image asked for "
                        "(nvidia_driver) as NAME_VERSION:/absolute/path:ro|rw"},
        HostileCase{"VolumeOptionInjection",
                    answer("[\"nvidia_driver_1:/usr/local/nvidia:ro,z\"]", "[\"/dev/nvidia0\"]"),
                    "refused answer from " + source +
                        ": volume \"nvidia_driver_1:/usr/local/nvidia:ro,z\" is not one the image asked "
                        "for (nvidia_driver) as NAME_VERSION:/absolute/path:ro|rw"},
        HostileCase{"VolumeDotDot", answer("[\"nvidia_driver_1:/usr/../etc:ro\"]", "[\"/dev/nvidia0\"]"),
                    "refused answer from " + source +
                        ": volume \"nvidia_driver_1:/usr/../etc:ro\" is not one the image asked for "
                        "(nvidia_driver) as NAME_VERSION:/absolute/path:ro|rw"},
        HostileCase{"VolumeOverRoot", answer("[\"nvidia_driver_1:/:rw\"]", "[\"/dev/nvidia0\"]"),
                    "refused answer from " + source +
                        ": volume \"nvidia_driver_1:/:rw\" is not one the image asked for "
                        "(nvidia_driver) as NAME_VERSION:/absolute/path:ro|rw"},
        HostileCase{"ShadowAsDevice", answer("[]", "[\"/etc/shadow\"]"),
                    "refused answer from " + source +
                        ": device \"/etc/shadow\" is not an NVIDIA device node under /dev"},
        HostileCase{"DiskAsDevice", answer("[]", "[\"/dev/sda\"]"),
                    "refused answer from " + source +
                        ": device \"/dev/sda\" is not an NVIDIA device node under /dev"},
        HostileCase{"DeviceWithColon", answer("[]", "[\"/dev/nvidia0:/dev/sda\"]"),
                    "refused answer from " + source +
                        ": device \"/dev/nvidia0:/dev/sda\" is not an NVIDIA device node under /dev"},
        HostileCase{"DeviceDotDot", answer("[]", "[\"/dev/nvidia/../sda\"]"),
                    "refused answer from " + source +
                        ": device \"/dev/nvidia/../sda\" is not an NVIDIA device node under /dev"},
        HostileCase{"DeviceIsOption", answer("[]", "[\"--privileged\"]"),
                    "refused answer from " + source +
                        ": device \"--privileged\" is not an NVIDIA device node under /dev"},
        HostileCase{"DeviceWithNewline", answer("[]", "[\"/dev/nvidia0\\n--privileged\"]"),
                    "refused answer from " + source +
                        ": device \"/dev/nvidia0\\x0a--privileged\" is not an NVIDIA device node under /dev"},
        HostileCase{"DeviceNotString", answer("[]", "[0]"),
                    "refused answer from " + source + ": \"Devices\" holds a non-string: 0"},
        HostileCase{"DevicesNotList", answer("[]", "\"/dev/nvidia0\""),
                    "refused answer from " + source + ": \"Devices\" is not a list"},
        HostileCase{"NoDevices", answer("[]", "[]"), "refused answer from " + source + ": no devices"}),
    nvd::test::RowName());

TEST(PluginAnswer, CudaVersionFromGpuInfo) {
  EXPECT_EQ(parse_gpu_info_cuda("{\"Version\":{\"Driver\":\"375.26\",\"CUDA\":\"8.0\"}}", "u").text, "8.0");
  for (const char *bad : {"abc", "12.", "", "1..2"}) {
    try {
      parse_gpu_info_cuda(std::string("{\"Version\":{\"CUDA\":\"") + bad + "\"}}", "u");
      ADD_FAILURE() << bad;
    } catch (const Error &error) {
      EXPECT_EQ(error.what(), std::string("refused answer from u: invalid CUDA version \"") + bad +
                                  "\" (expected numbers such as 12.4)");
    }
  }
  try {
    parse_gpu_info_cuda("{\"Version\":{}}", "u");
    ADD_FAILURE();
  } catch (const Error &error) {
    EXPECT_STREQ(error.what(), "refused answer from u: no \"Version\".\"CUDA\" string");
  }
}

TEST(PluginAnswer, DeviceSelectionUrl) {
  EXPECT_EQ(docker_cli_url("http://h:1", {"nvidia_driver"}, {"0", "GPU-ab"}),
            "http://h:1/docker/cli/json?vol=nvidia_driver&dev=0+GPU-ab");
  EXPECT_EQ(docker_cli_url("http://h:1", {}, {}), "http://h:1/docker/cli/json?vol=&dev=");
}

TEST(PluginAnswer, GpuInfoGivesVersionsAndDeviceFacts) {
  PluginGpuInfo info = parse_gpu_info(
      R"({"Version":{"Driver":"535.104.05","CUDA":"12.2"},"Devices":[
          {"UUID":"GPU-a","Model":"Tesla V100-SXM2-16GB","Arch":"7.0"},
          {"UUID":"GPU-b","Model":"NVIDIA A100","Brand":"nvidia","Arch":null}]})",
      "u");
  EXPECT_EQ(info.driver.text, "535.104.05");
  EXPECT_EQ(info.cuda.text, "12.2");
  ASSERT_EQ(info.devices.size(), 2u);
  EXPECT_EQ(info.devices[0].brand, "tesla");
  EXPECT_EQ(info.devices[0].arch, "7.0");
  EXPECT_EQ(info.devices[1].brand, "nvidia");
  EXPECT_EQ(info.devices[1].arch, "");
}

TEST(PluginAnswer, GpuInfoWithoutDriverIsRefused) {
  for (const char *body : {R"({"Version":{"CUDA":"12.2"}})", R"({"Version":{"CUDA":"12.2","Driver":"x"}})"}) {
    try {
      parse_gpu_info(body, "u");
      ADD_FAILURE() << body;
    } catch (const Error &error) {
      EXPECT_STREQ(error.what(), "refused answer from u: no valid \"Version\".\"Driver\"");
    }
  }
  try {
    parse_gpu_info(R"({"Version":{"Driver":"1"},"Devices":[3]})", "u");
    ADD_FAILURE();
  } catch (const Error &error) {
    EXPECT_STREQ(error.what(), "refused answer from u: no \"Version\".\"CUDA\" string");
  }
}

TEST(PluginAnswer, VolumesWithoutDriverOrStrayDriverAreRefused) {
  try {
    parse_docker_cli_answer(R"({"Volumes":["nvidia_driver_1:/usr/local/nvidia:ro"],"Devices":["/dev/nvidia0"]})",
                            driver, "u");
    ADD_FAILURE();
  } catch (const Error &error) {
    EXPECT_STREQ(error.what(), "refused answer from u: volume driver \"\" is not nvidia-docker");
  }
  try {
    parse_docker_cli_answer(R"({"VolumeDriver":"local","Devices":["/dev/nvidia0"]})", driver, "u");
    ADD_FAILURE();
  } catch (const Error &error) {
    EXPECT_STREQ(error.what(), "refused answer from u: volume driver \"local\" is not nvidia-docker");
  }
}
