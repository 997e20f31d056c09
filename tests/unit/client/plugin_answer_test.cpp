// SPDX-License-Identifier: BSD-3-Clause
// Plugin answers are untrusted: only GPU devices and the asked-for volumes pass.
#include "nvd/common/error.hpp"
#include "nvd/client/plugin_answer.hpp"
#include "nvd/client/requirements.hpp"
#include "nvd/common/strings.hpp"
#include "nvd/client/transport/plugin_client.hpp"

#include "support/damaged_text.hpp"
#include "support/table.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <map>
#include <optional>

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

namespace {

// What a /gpu/info/json answer means, read the plain way: the whole document,
// then its fields. The streaming reader must agree with it on every input.
std::string read_as_document(const std::string &body) {
  nlohmann::json answer = nlohmann::json::parse(body, nullptr, false);
  if (answer.is_discarded())
    return "not JSON";
  auto text_at = [](const nlohmann::json &object, const char *field) -> std::optional<std::string> {
    if (!object.is_object() || !object.contains(field) || !object[field].is_string())
      return std::nullopt;
    return object[field].get<std::string>();
  };
  const nlohmann::json version = answer.is_object() && answer.contains("Version") ? answer["Version"] : nullptr;
  std::optional<std::string> cuda = text_at(version, "CUDA"), driver_text = text_at(version, "Driver");
  if (!cuda)
    return "refused answer from u: no \"Version\".\"CUDA\" string";
  if (!parse_version(*cuda))
    return "refused answer from u: invalid CUDA version \"" + printable(*cuda) + "\" (expected numbers such as 12.4)";
  if (!driver_text || !parse_version(*driver_text))
    return "refused answer from u: no valid \"Version\".\"Driver\"";
  std::string out = "driver " + *driver_text + " cuda " + *cuda;
  if (answer.contains("Devices") && answer["Devices"].is_array())
    for (const auto &device : answer["Devices"]) {
      if (!device.is_object())
        return "refused answer from u: a device is not an object";
      for (const char *field : {"UUID", "Arch", "Brand", "Model"})
        out += std::string(" ") + field + "=" + text_at(device, field).value_or("");
      out += ";";
    }
  return out;
}

std::string read_streaming(const std::string &body) {
  try {
    PluginGpuInfo info = parse_gpu_info(body, "u");
    std::string out = "driver " + info.driver.text + " cuda " + info.cuda.text;
    for (const auto &device : info.devices)
      out += " UUID=" + device.uuid + " Arch=" + device.arch + " brand=" + device.brand + ";";
    return out;
  } catch (const Error &error) {
    std::string what = error.what();
    return what.rfind("invalid answer from u: not JSON (", 0) == 0 ? "not JSON" : what;
  }
}

// The document reading, with the brand as parse_gpu_info derives it.
std::string expected_reading(const std::string &body) {
  std::string document = read_as_document(body);
  std::string out;
  std::size_t at = 0;
  while (true) { // " UUID=u Arch=a Brand=b Model=m;" → " UUID=u Arch=a brand=B;"
    std::size_t brand = document.find(" Brand=", at);
    if (brand == std::string::npos)
      return out + document.substr(at);
    std::size_t model = document.find(" Model=", brand);
    std::size_t end = document.find(';', model);
    std::string brand_value = document.substr(brand + 7, model - brand - 7);
    std::string model_value = document.substr(model + 7, end - model - 7);
    out += document.substr(at, brand - at) + " brand=" +
           (brand_value.empty() ? brand_from_model(model_value) : brand_value) + ";";
    at = end + 1;
  }
}

const std::string eight_gpus_like =
    R"({"Devices":[{"Arch":"8.0","Clocks":{"Cores":1410,"Memory":1593},"Family":"Ampere","Model":"NVIDIA A100-SXM4-80GB",)"
    R"("PCI":{"BusID":"00000000:07:00.0"},"Topology":[{"BusID":"00000000:0F:00.0","Link":12}],"UUID":"GPU-1a"},)"
    R"({"Arch":"7.0","Brand":"tesla","Model":"Tesla V100","UUID":"GPU-2b","Topology":null}],)"
    R"("Version":{"CUDA":"12.4","Driver":"550.54.15"}})";

} // namespace

TEST(GpuInfoReading, StreamingAgreesWithTheWholeDocument) {
  const std::vector<std::string> bodies = {
      eight_gpus_like,
      R"({"Version":{"CUDA":"12.4","Driver":"550.54.15"}})",
      R"({"Version":{"CUDA":"12.4","Driver":"550.54.15","CUDA":"11.8"}})",
      R"({"Version":{"CUDA":"12.4","Driver":"550.54.15"},"Version":"x"})",
      R"({"Version":{"CUDA":"12.4","Driver":"550.54.15"},"Devices":[{"UUID":"a"}],"Devices":{"UUID":"b"}})",
      R"({"Version":{"CUDA":"12.4","Driver":"550.54.15"},"Devices":[{"UUID":"a","UUID":7}]})",
      R"({"Version":{"CUDA":"12.4","Driver":"550.54.15"},"Devices":[{"UUID":{"x":"y"},"Arch":["8.0"]}]})",
      R"({"Version":{"CUDA":"12.4","Driver":"550.54.15"},"Devices":[[{"UUID":"a"}]]})",
      R"({"Version":{"CUDA":"12.4","Driver":"550.54.15"},"Devices":[null]})",
      R"({"Other":{"Version":{"CUDA":"12.4","Driver":"1"}}})",
      R"([{"Version":{"CUDA":"12.4","Driver":"1"}}])",
      R"({"Version":[{"CUDA":"12.4","Driver":"1"}]})",
      R"({"Version":{"CUDA":"12.4","Driver":"1","Devices":[1]},"Devices":[{"Devices":[2],"Version":"x"}]})",
      R"("Version")", "", "{", "null", "{\"Version\":{\"CUDA\":\"12.4\",\"Driver\":\"1\"}} trailing",
  };
  for (const auto &body : bodies)
    EXPECT_EQ(read_streaming(body), expected_reading(body)) << body;

  // And on damaged answers: bytes removed, replaced, repeated, from a seed that never changes.
  int agreed = 0;
  std::map<std::string, int> kinds; // the damage must reach each outcome, not only "not JSON"
  for (const std::string &body : nvd::test::damaged_copies(eight_gpus_like, 3476, 3000, "{}[]\",:0a\\ \x01\xff")) {
    std::string streamed = read_streaming(body), expected = expected_reading(body);
    EXPECT_EQ(streamed, expected) << body;
    agreed += streamed == expected;
    ++kinds[expected == "not JSON" ? "not JSON" : starts_with(expected, "refused") ? "refused" : "read"];
  }
  EXPECT_EQ(agreed, 3000);
  for (const auto &[kind, count] : kinds)
    std::cout << "[ damaged  ] " << count << " x " << kind << "\n";
  EXPECT_GT(kinds["not JSON"], 300);
  EXPECT_GT(kinds["refused"], 30);
  EXPECT_GT(kinds["read"], 300);
}
