// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/plugin_routes.hpp"

#include "support/table.hpp"

#include <gtest/gtest.h>

using namespace nvd;

namespace {

GpuInventory two_gpus() {
  nlohmann::json document = {
      {"Version", {{"Driver", "375.26"}, {"CUDA", "8.0"}}},
      {"Devices",
       {{{"UUID", "GPU-aaaa"}, {"Path", "/dev/nvidia0"}, {"Model", "Tesla K80"}},
        {{"UUID", "GPU-bbbb"}, {"Path", "/dev/nvidia1"}}}}};
  return parse_inventory(document, "test");
}

struct RouteCase {
  const char *name;
  const char *method;
  const char *target;
  int status;
  const char *body; // exact body, or nullptr to skip
};
NVD_PRINT_ROW_AS_NAME(RouteCase)

class RouteTable : public ::testing::TestWithParam<RouteCase> {};

const char *all_devices_text =
    "--volume-driver=nvidia-docker --volume=nvidia_driver_375.26:/usr/local/nvidia:ro "
    "--device=/dev/nvidiactl --device=/dev/nvidia-uvm --device=/dev/nvidia-uvm-tools "
    "--device=/dev/nvidia0 --device=/dev/nvidia1\n";

} // namespace

TEST_P(RouteTable, Answers) {
  HttpAnswer answer = route_request(two_gpus(), GetParam().method, GetParam().target);
  EXPECT_EQ(answer.status, GetParam().status) << answer.body;
  if (GetParam().body != nullptr) {
    EXPECT_EQ(answer.body, GetParam().body);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RouteTable,
    ::testing::Values(
        RouteCase{"DockerCliAll", "GET", "/docker/cli", 200, all_devices_text},
        RouteCase{"DockerCliV1", "GET", "/v1.0/docker/cli", 200, all_devices_text},
        RouteCase{"DockerCliStar", "GET", "/docker/cli?dev=*&vol=*", 200, all_devices_text},
        RouteCase{"DockerCliJsonOne", "GET", "/docker/cli/json?dev=1&vol=nvidia_driver", 200,
                  "{\"Devices\":[\"/dev/nvidiactl\",\"/dev/nvidia-uvm\",\"/dev/nvidia-uvm-tools\","
                  "\"/dev/nvidia1\"],\"VolumeDriver\":\"nvidia-docker\","
                  "\"Volumes\":[\"nvidia_driver_375.26:/usr/local/nvidia:ro\"]}\n"},
        RouteCase{"PlusSeparates", "GET", "/docker/cli?dev=1+0", 200,
                  "--volume-driver=nvidia-docker --volume=nvidia_driver_375.26:/usr/local/nvidia:ro "
                  "--device=/dev/nvidiactl --device=/dev/nvidia-uvm --device=/dev/nvidia-uvm-tools "
                  "--device=/dev/nvidia1 --device=/dev/nvidia0\n"},
        RouteCase{"EncodedSpaceSeparates", "GET", "/docker/cli?dev=GPU-b%200", 200, nullptr},
        RouteCase{"RepeatedParameterJoins", "GET", "/docker/cli?dev=1&dev=0", 200,
                  "--volume-driver=nvidia-docker --volume=nvidia_driver_375.26:/usr/local/nvidia:ro "
                  "--device=/dev/nvidiactl --device=/dev/nvidia-uvm --device=/dev/nvidia-uvm-tools "
                  "--device=/dev/nvidia1 --device=/dev/nvidia0\n"},
        RouteCase{"InvalidDevice", "GET", "/docker/cli?dev=7", 400, "invalid device: 7\n"},
        RouteCase{"InvalidDeviceJson", "GET", "/docker/cli/json?dev=0+GPU-c", 400,
                  "invalid device: GPU-c\n"},
        RouteCase{"InvalidVolume", "GET", "/docker/cli?vol=cuda", 400, "invalid volume: cuda\n"},
        RouteCase{"MalformedEscape", "GET", "/docker/cli?dev=%zz", 400, "invalid query: dev=%zz\n"},
        RouteCase{"InfoJson", "GET", "/gpu/info/json", 200, nullptr},
        RouteCase{"InfoText", "GET", "/v1.0/gpu/info", 200, nullptr},
        RouteCase{"StatusJson", "GET", "/gpu/status/json", 200, nullptr},
        RouteCase{"StatusText", "GET", "/gpu/status", 200, nullptr},
        RouteCase{"Mesos", "GET", "/mesos/cli", 200, nullptr},
        RouteCase{"UnknownPath", "GET", "/gpu", 404, "404 page not found: /gpu\n"},
        RouteCase{"TrailingSlash", "GET", "/gpu/info/", 404, nullptr},
        RouteCase{"OtherVersion", "GET", "/v2.0/gpu/info", 404, nullptr},
        RouteCase{"VersionOnly", "GET", "/v1.0", 404, nullptr},
        RouteCase{"Post", "POST", "/docker/cli", 405, "method not allowed: POST (use GET)\n"},
        RouteCase{"Delete", "DELETE", "/v1.0/gpu/info/json", 405, nullptr},
        RouteCase{"Head", "HEAD", "/gpu/info", 405, nullptr},
        RouteCase{"PostUnknownPath", "POST", "/nope", 404, nullptr}),
    nvd::test::RowName());

TEST(Routes, JsonAnswersHaveJsonType) {
  EXPECT_EQ(route_request(two_gpus(), "GET", "/gpu/info/json").content_type, "application/json");
  EXPECT_EQ(route_request(two_gpus(), "GET", "/docker/cli/json").content_type, "application/json");
  EXPECT_EQ(route_request(two_gpus(), "GET", "/docker/cli").content_type,
            "text/plain; charset=utf-8");
}

TEST(Routes, InfoJsonHasVersionAndNullsForUnknownFigures) {
  auto body = nlohmann::json::parse(route_request(two_gpus(), "GET", "/gpu/info/json").body);
  EXPECT_EQ(body["Version"]["Driver"], "375.26");
  EXPECT_EQ(body["Version"]["CUDA"], "8.0");
  ASSERT_EQ(body["Devices"].size(), 2u);
  EXPECT_EQ(body["Devices"][0]["Model"], "Tesla K80");
  EXPECT_TRUE(body["Devices"][1]["Model"].is_null());
  EXPECT_TRUE(body["Devices"][0]["PCI"]["Bandwidth"].is_null());
}

TEST(Routes, MethodNotAllowedSaysWhichMethodIs) {
  EXPECT_EQ(route_request(two_gpus(), "PUT", "/gpu/info").headers.at("Allow"), "GET");
}

TEST(Routes, ParseQueryJoinsRepeatsAndDecodes) {
  std::map<std::string, std::string> params;
  ASSERT_TRUE(parse_query("dev=0+1&vol=&dev=GPU-a&flag", params));
  EXPECT_EQ(params["dev"], "0 1 GPU-a");
  EXPECT_EQ(params["vol"], "");
  EXPECT_EQ(params.count("flag"), 1u);
}

TEST(Routes, OnlyStatusRoutesReadLiveFigures) {
  for (const char *target : {"/gpu/status", "/gpu/status/json", "/v1.0/gpu/status",
                             "/v1.0/gpu/status/json?x=1"})
    EXPECT_TRUE(route_reads_status(target)) << target;
  for (const char *target : {"/gpu/info", "/gpu/info/json", "/docker/cli/json?dev=0",
                             "/v1.0/docker/cli", "/mesos/cli", "/gpu/statusx", "/v1.0/v1.0/gpu/status"})
    EXPECT_FALSE(route_reads_status(target)) << target;
}
