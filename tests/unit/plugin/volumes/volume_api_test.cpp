// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/volumes/volume_api.hpp"

#include "nvd/common/error.hpp"
#include "support/table.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <stdexcept>

using namespace nvd;

namespace {

// Volume operations with fixed answers, recording each call. This host has
// driver 535.104.05; 470.82.01 is an earlier driver's volume still on disk;
// 999.1 is mounted twice; building 666.6 fails.
class FakeOperations : public VolumeOperations {
public:
  std::vector<std::string> calls;
  bool version_unknown = false;

  std::string current_version() override {
    if (version_unknown)
      throw Error("NVML: driver/library version mismatch");
    return "535.104.05";
  }
  VolumeReply create(const std::string &version) override {
    calls.push_back("create " + version);
    fail_for(version);
    if (version == "352.79")
      return {VolumeOutcome::invalid_version, "", 0};
    return at(version);
  }
  VolumeReply remove(const std::string &version) override {
    calls.push_back("remove " + version);
    if (version == "999.1")
      return {VolumeOutcome::in_use, "", 2};
    return {};
  }
  VolumeReply mount(const std::string &version, const std::string &id) override {
    calls.push_back("mount " + version + " " + id);
    fail_for(version);
    if (version == "352.79")
      return {VolumeOutcome::no_such_volume, "", 0};
    return at(version);
  }
  VolumeReply unmount(const std::string &version, const std::string &id) override {
    calls.push_back("unmount " + version + " " + id);
    return {};
  }
  VolumeReply path(const std::string &version) override {
    calls.push_back("path " + version);
    fail_for(version);
    if (version == "352.79")
      return {VolumeOutcome::no_such_volume, "", 0};
    return at(version);
  }
  std::vector<VolumeListing> list() override {
    calls.push_back("list");
    return {{"470.82.01", "/vols/nvidia_driver/470.82.01"},
            {"535.104.05", "/vols/nvidia_driver/535.104.05"}};
  }

private:
  static VolumeReply at(const std::string &version) {
    return {VolumeOutcome::ok, "/vols/nvidia_driver/" + version, 0};
  }
  static void fail_for(const std::string &version) {
    if (version == "666.6")
      throw Error(
          "cannot build the driver volume at /vols/nvidia_driver/666.6: lib64/libcuda.so.1: "
          "cannot read /usr/lib/libcuda.so.666.6: No such file or directory");
  }
};

struct ApiCase {
  const char *name;
  const char *method;
  const char *path;
  std::string body;
  int status;
  std::string answer; // exact body
  std::vector<std::string> calls;
};
NVD_PRINT_ROW_AS_NAME(ApiCase)

class PluginApi : public ::testing::TestWithParam<ApiCase> {};

const std::string here = "this host's driver is 535.104.05, its volume nvidia_driver_535.104.05";
std::string err(const std::string &text) { return nlohmann::json{{"Err", text}}.dump(); }

const std::string current = "nvidia_driver_535.104.05";
const std::string mountpoint = "/vols/nvidia_driver/535.104.05";

} // namespace

TEST_P(PluginApi, Answers) {
  FakeOperations operations;
  const ApiCase &row = GetParam();
  PluginApiAnswer answer = answer_plugin_request(operations, row.method, row.path, row.body);
  EXPECT_EQ(answer.status, row.status);
  EXPECT_EQ(answer.body, row.answer);
  EXPECT_EQ(answer.content_type, "application/vnd.docker.plugins.v1+json");
  EXPECT_EQ(operations.calls, row.calls);
  // Every answer is JSON; an error is in "Err" and in the log's field.
  nlohmann::json parsed = nlohmann::json::parse(answer.body);
  if (!answer.error.empty()) {
    EXPECT_EQ(parsed["Err"], answer.error);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Routes, PluginApi,
    ::testing::Values(
        ApiCase{"ActivateWithNoBody",
                "POST",
                "/Plugin.Activate",
                "",
                200,
                R"({"Implements":["VolumeDriver"]})",
                {}},
        ApiCase{"ActivateWithEmptyObject",
                "POST",
                "/Plugin.Activate",
                "{}",
                200,
                R"({"Implements":["VolumeDriver"]})",
                {}},
        ApiCase{"ActivateWithNull",
                "POST",
                "/Plugin.Activate",
                "null",
                200,
                R"({"Implements":["VolumeDriver"]})",
                {}},
        ApiCase{"CapabilitiesAreLocal",
                "POST",
                "/VolumeDriver.Capabilities",
                "{}",
                200,
                R"({"Capabilities":{"Scope":"local"}})",
                {}},
        ApiCase{"CapabilitiesWithNoBody",
                "POST",
                "/VolumeDriver.Capabilities",
                "",
                200,
                R"({"Capabilities":{"Scope":"local"}})",
                {}},
        ApiCase{
            "ListNamesEachVersion",
            "POST",
            "/VolumeDriver.List",
            "{}\n",
            200,
            R"({"Volumes":[{"Name":"nvidia_driver_470.82.01","Mountpoint":"/vols/nvidia_driver/470.82.01"},)"
            R"({"Name":"nvidia_driver_535.104.05","Mountpoint":"/vols/nvidia_driver/535.104.05"}],"Err":""})",
            {"list"}},
        ApiCase{"CreateCurrent",
                "POST",
                "/VolumeDriver.Create",
                R"({"Name":"nvidia_driver_535.104.05","Opts":{}})",
                200,
                R"({"Err":""})",
                {"create 535.104.05"}},
        ApiCase{"CreateWithNullOpts",
                "POST",
                "/VolumeDriver.Create",
                R"({"Name":"nvidia_driver_535.104.05","Opts":null})",
                200,
                R"({"Err":""})",
                {"create 535.104.05"}},
        ApiCase{"CreateWithoutOpts",
                "POST",
                "/VolumeDriver.Create",
                R"({"Name":"nvidia_driver_535.104.05"})",
                200,
                R"({"Err":""})",
                {"create 535.104.05"}},
        ApiCase{"CreateIgnoresUnknownFields",
                "POST",
                "/VolumeDriver.Create",
                R"({"Name":"nvidia_driver_535.104.05","Labels":{"a":"b"}})",
                200,
                R"({"Err":""})",
                {"create 535.104.05"}},
        ApiCase{"CreateRefusesAnyOption",
                "POST",
                "/VolumeDriver.Create",
                R"({"Name":"nvidia_driver_535.104.05","Opts":{"size":"10G"}})",
                200,
                err("unknown volume option: size (nvidia_driver_535.104.05 takes no options)"),
                {}},
        ApiCase{"CreateOptsOfWrongType",
                "POST",
                "/VolumeDriver.Create",
                R"({"Name":"nvidia_driver_535.104.05","Opts":"size=1"})",
                400,
                err("\"Opts\" must be an object, not string (expected {\"Name\": "
                    "\"nvidia_driver_<version>\", \"Opts\": {}})"),
                {}},
        ApiCase{"CreateOtherVersion",
                "POST",
                "/VolumeDriver.Create",
                R"({"Name":"nvidia_driver_352.79"})",
                200,
                err("invalid volume version: nvidia_driver_352.79 (" + here +
                    ": ask for that one, as nvidia-docker does)"),
                {"create 352.79"}},
        ApiCase{"CreateFailsToBuild",
                "POST",
                "/VolumeDriver.Create",
                R"({"Name":"nvidia_driver_666.6"})",
                500,
                err("nvidia_driver_666.6: cannot build the driver volume at "
                    "/vols/nvidia_driver/666.6: lib64/libcuda.so.1: cannot read "
                    "/usr/lib/libcuda.so.666.6: No such file or directory"),
                {"create 666.6"}},
        ApiCase{"RemoveVolume",
                "POST",
                "/VolumeDriver.Remove",
                R"({"Name":"nvidia_driver_470.82.01"})",
                200,
                R"({"Err":""})",
                {"remove 470.82.01"}},
        ApiCase{
            "RemoveMountedVolume",
            "POST",
            "/VolumeDriver.Remove",
            R"({"Name":"nvidia_driver_999.1"})",
            200,
            err("volume in use: nvidia_driver_999.1 (mounted by 2 containers: remove them first)"),
            {"remove 999.1"}},
        ApiCase{"MountCurrent",
                "POST",
                "/VolumeDriver.Mount",
                R"({"Name":"nvidia_driver_535.104.05","ID":"f00d"})",
                200,
                R"({"Mountpoint":"/vols/nvidia_driver/535.104.05","Err":""})",
                {"mount 535.104.05 f00d"}},
        ApiCase{"MountWithoutId",
                "POST",
                "/VolumeDriver.Mount",
                R"({"Name":"nvidia_driver_535.104.05"})",
                200,
                R"({"Mountpoint":"/vols/nvidia_driver/535.104.05","Err":""})",
                {"mount 535.104.05 "}},
        ApiCase{"MountIdOfWrongType",
                "POST",
                "/VolumeDriver.Mount",
                R"({"Name":"nvidia_driver_535.104.05","ID":7})",
                400,
                err("\"ID\" must be a string, not number (expected {\"Name\": "
                    "\"nvidia_driver_<version>\", \"ID\": \"<mount ID>\"})"),
                {}},
        ApiCase{"MountIdTooLong",
                "POST",
                "/VolumeDriver.Mount",
                R"({"Name":"nvidia_driver_535.104.05","ID":")" + std::string(300, 'a') + "\"}",
                400,
                err("\"ID\" is longer than 256 characters (expected {\"Name\": "
                    "\"nvidia_driver_<version>\", \"ID\": \"<mount ID>\"})"),
                {}},
        ApiCase{"MountVersionNotHere",
                "POST",
                "/VolumeDriver.Mount",
                R"({"Name":"nvidia_driver_352.79","ID":"f00d"})",
                200,
                err("no such volume: nvidia_driver_352.79 (" + here +
                    ": create the container again with nvidia-docker)"),
                {"mount 352.79 f00d"}},
        ApiCase{"UnmountVolume",
                "POST",
                "/VolumeDriver.Unmount",
                R"({"Name":"nvidia_driver_535.104.05","ID":"f00d"})",
                200,
                R"({"Err":""})",
                {"unmount 535.104.05 f00d"}},
        ApiCase{"PathOfCurrent",
                "POST",
                "/VolumeDriver.Path",
                R"({"Name":"nvidia_driver_535.104.05"})",
                200,
                R"({"Mountpoint":"/vols/nvidia_driver/535.104.05","Err":""})",
                {"path 535.104.05"}},
        ApiCase{"PathNotHere",
                "POST",
                "/VolumeDriver.Path",
                R"({"Name":"nvidia_driver_352.79"})",
                200,
                err("no such volume: nvidia_driver_352.79 (" + here +
                    ": create the container again with nvidia-docker)"),
                {"path 352.79"}},
        ApiCase{
            "GetCurrent",
            "POST",
            "/VolumeDriver.Get",
            R"({"Name":"nvidia_driver_535.104.05"})",
            200,
            R"({"Volume":{"Name":"nvidia_driver_535.104.05","Mountpoint":"/vols/nvidia_driver/535.104.05"},"Err":""})",
            {"path 535.104.05"}},
        ApiCase{"GetNotHere",
                "POST",
                "/VolumeDriver.Get",
                R"({"Name":"nvidia_driver_352.79"})",
                200,
                err("no such volume: nvidia_driver_352.79 (" + here +
                    ": create the container again with nvidia-docker)"),
                {"path 352.79"}}),
    nvd::test::RowName());

// Hostile and malformed requests: an Err, and no volume operation reached.
INSTANTIATE_TEST_SUITE_P(
    Refusals, PluginApi,
    ::testing::Values(
        ApiCase{"UnknownCall",
                "POST",
                "/VolumeDriver.Snapshot",
                "{}",
                404,
                err("unknown plugin API call: /VolumeDriver.Snapshot (this plugin implements "
                    "VolumeDriver: /Plugin.Activate, /VolumeDriver.Create, /VolumeDriver.Remove, "
                    "/VolumeDriver.Mount, /VolumeDriver.Unmount, /VolumeDriver.Path, "
                    "/VolumeDriver.Get, /VolumeDriver.List, /VolumeDriver.Capabilities)"),
                {}},
        ApiCase{"CallNamesAreCaseSensitive",
                "POST",
                "/volumedriver.create",
                "{}",
                404,
                err("unknown plugin API call: /volumedriver.create (this plugin implements "
                    "VolumeDriver: /Plugin.Activate, /VolumeDriver.Create, /VolumeDriver.Remove, "
                    "/VolumeDriver.Mount, /VolumeDriver.Unmount, /VolumeDriver.Path, "
                    "/VolumeDriver.Get, /VolumeDriver.List, /VolumeDriver.Capabilities)"),
                {}},
        ApiCase{"GetMethod",
                "GET",
                "/VolumeDriver.List",
                "",
                405,
                err("GET /VolumeDriver.List: the plugin API takes POST requests only"),
                {}},
        ApiCase{"EmptyBody",
                "POST",
                "/VolumeDriver.Mount",
                "",
                400,
                err("the request body is empty (expected {\"Name\": \"nvidia_driver_<version>\", "
                    "\"ID\": \"<mount ID>\"})"),
                {}},
        ApiCase{"BlankBody",
                "POST",
                "/VolumeDriver.Remove",
                " \r\n\t",
                400,
                err("the request body is empty (expected {\"Name\": \"nvidia_driver_<version>\"})"),
                {}},
        ApiCase{"NotJson",
                "POST",
                "/VolumeDriver.Remove",
                "Name=nvidia_driver_535.104.05",
                400,
                err("the request body is not valid JSON (expected {\"Name\": "
                    "\"nvidia_driver_<version>\"})"),
                {}},
        ApiCase{"TruncatedJson",
                "POST",
                "/VolumeDriver.Remove",
                R"({"Name":"nvidia_dri)",
                400,
                err("the request body is not valid JSON (expected {\"Name\": "
                    "\"nvidia_driver_<version>\"})"),
                {}},
        ApiCase{"InvalidUtf8",
                "POST",
                "/VolumeDriver.Remove",
                "{\"Name\":\"\xff\xfe\"}",
                400,
                err("the request body is not valid JSON (expected {\"Name\": "
                    "\"nvidia_driver_<version>\"})"),
                {}},
        ApiCase{"TrailingGarbage",
                "POST",
                "/VolumeDriver.Remove",
                R"({"Name":"nvidia_driver_535.104.05"} x)",
                400,
                err("the request body is not valid JSON (expected {\"Name\": "
                    "\"nvidia_driver_<version>\"})"),
                {}},
        ApiCase{"ArrayBody",
                "POST",
                "/VolumeDriver.Remove",
                R"(["nvidia_driver_535.104.05"])",
                400,
                err("the request body must be a JSON object, not array (expected {\"Name\": "
                    "\"nvidia_driver_<version>\"})"),
                {}},
        ApiCase{"StringBody",
                "POST",
                "/VolumeDriver.Path",
                R"("nvidia_driver_535.104.05")",
                400,
                err("the request body must be a JSON object, not string (expected {\"Name\": "
                    "\"nvidia_driver_<version>\"})"),
                {}},
        ApiCase{
            "NoName",
            "POST",
            "/VolumeDriver.Get",
            "{}",
            400,
            err("the request has no \"Name\" (expected {\"Name\": \"nvidia_driver_<version>\"})"),
            {}},
        ApiCase{"NameIsNumber",
                "POST",
                "/VolumeDriver.Get",
                R"({"Name":535})",
                400,
                err("\"Name\" must be a string, not number (expected {\"Name\": "
                    "\"nvidia_driver_<version>\"})"),
                {}},
        ApiCase{"NameIsNull",
                "POST",
                "/VolumeDriver.Get",
                R"({"Name":null})",
                400,
                err("\"Name\" must be a string, not null (expected {\"Name\": "
                    "\"nvidia_driver_<version>\"})"),
                {}},
        ApiCase{"NameIsObject",
                "POST",
                "/VolumeDriver.Remove",
                R"({"Name":{"a":1}})",
                400,
                err("\"Name\" must be a string, not object (expected {\"Name\": "
                    "\"nvidia_driver_<version>\"})"),
                {}},
        ApiCase{"ListBodyNotAnObject",
                "POST",
                "/VolumeDriver.List",
                "[1]",
                400,
                err("the request body must be a JSON object, not array (expected {} or nothing)"),
                {}},
        ApiCase{"ActivateBodyNotJson",
                "POST",
                "/Plugin.Activate",
                "{",
                400,
                err("the request body is not valid JSON (expected {} or nothing)"),
                {}},
        ApiCase{"NameWithoutVersion",
                "POST",
                "/VolumeDriver.Mount",
                R"({"Name":"nvidia_driver"})",
                200,
                err("bad volume format: nvidia_driver (a driver volume is named "
                    "nvidia_driver_<driver version>; " +
                    here + ")"),
                {}},
        ApiCase{
            "EmptyName",
            "POST",
            "/VolumeDriver.Mount",
            R"({"Name":""})",
            200,
            err("bad volume format:  (a driver volume is named nvidia_driver_<driver version>; " +
                here + ")"),
            {}},
        ApiCase{"EmptyVersion",
                "POST",
                "/VolumeDriver.Remove",
                R"({"Name":"nvidia_driver_"})",
                200,
                err("bad volume format: nvidia_driver_ (a driver volume is named "
                    "nvidia_driver_<driver version>; " +
                    here + ")"),
                {}},
        // 1.0 took "nvidia_driver_.." as version "..": its Remove deleted the nvidia_driver folder.
        ApiCase{"DotDotVersion",
                "POST",
                "/VolumeDriver.Remove",
                R"({"Name":"nvidia_driver_.."})",
                200,
                err("bad volume format: nvidia_driver_.. (a driver volume is named "
                    "nvidia_driver_<driver version>; " +
                    here + ")"),
                {}},
        ApiCase{"DoubleDotInVersion",
                "POST",
                "/VolumeDriver.Create",
                R"({"Name":"nvidia_driver_535..104"})",
                200,
                err("bad volume format: nvidia_driver_535..104 (a driver volume is named "
                    "nvidia_driver_<driver version>; " +
                    here + ")"),
                {}},
        ApiCase{"LeadingDotVersion",
                "POST",
                "/VolumeDriver.Create",
                R"({"Name":"nvidia_driver_.5"})",
                200,
                err("bad volume format: nvidia_driver_.5 (a driver volume is named "
                    "nvidia_driver_<driver version>; " +
                    here + ")"),
                {}},
        ApiCase{"SlashesInName",
                "POST",
                "/VolumeDriver.Remove",
                R"({"Name":"nvidia_driver_535.104.05/../../../etc"})",
                200,
                err("bad volume format: nvidia_driver_535.104.05/../../../etc (a driver volume is "
                    "named nvidia_driver_<driver version>; " +
                    here + ")"),
                {}},
        ApiCase{"AbsolutePathAsName",
                "POST",
                "/VolumeDriver.Mount",
                R"({"Name":"/etc/passwd"})",
                200,
                err("bad volume format: /etc/passwd (a driver volume is named "
                    "nvidia_driver_<driver version>; " +
                    here + ")"),
                {}},
        ApiCase{"NulInName",
                "POST",
                "/VolumeDriver.Remove",
                R"({"Name":"nvidia_driver_1\u0000"})",
                200,
                err("bad volume format: nvidia_driver_1\\x00 (a driver volume is named "
                    "nvidia_driver_<driver version>; " +
                    here + ")"),
                {}},
        ApiCase{"VeryLongName",
                "POST",
                "/VolumeDriver.Remove",
                R"({"Name":"nvidia_driver_)" + std::string(500, '1') + "\"}",
                200,
                err("bad volume format: nvidia_driver_" + std::string(114, '1') +
                    "... (a driver volume is named nvidia_driver_<driver version>; " + here + ")"),
                {}},
        ApiCase{"VersionTooLongForAFolder",
                "POST",
                "/VolumeDriver.Create",
                R"({"Name":"nvidia_driver_)" + std::string(100, '1') + "\"}",
                200,
                err("bad volume format: nvidia_driver_" + std::string(100, '1') +
                    " (a driver volume is named nvidia_driver_<driver version>; " + here + ")"),
                {}},
        ApiCase{"OtherKindOfVolume",
                "POST",
                "/VolumeDriver.Mount",
                R"({"Name":"cuda_8.0"})",
                200,
                err("unsupported volume: cuda_8.0 (this plugin serves only the driver volume; " +
                    here + ")"),
                {}},
        ApiCase{"KindWithExtraPart",
                "POST",
                "/VolumeDriver.Mount",
                R"({"Name":"nvidia_driver_x_535.104.05"})",
                200,
                err("unsupported volume: nvidia_driver_x_535.104.05 (this plugin serves only the "
                    "driver volume; " +
                    here + ")"),
                {}}),
    nvd::test::RowName());

TEST(PluginApiHints, SayWhenTheDriverVersionIsUnknown) {
  FakeOperations operations;
  operations.version_unknown = true;
  PluginApiAnswer answer =
      answer_plugin_request(operations, "POST", "/VolumeDriver.Mount", R"({"Name":"nvidia"})");
  EXPECT_EQ(answer.error, "bad volume format: nvidia (a driver volume is named "
                          "nvidia_driver_<driver version>; this host's driver version is "
                          "unknown: NVML: driver/library version mismatch)");
}

TEST(PluginApiLog, NamesTheVolumeAsked) {
  FakeOperations operations;
  PluginApiAnswer ok = answer_plugin_request(operations, "POST", "/VolumeDriver.Mount",
                                             R"({"Name":"nvidia_driver_535.104.05"})");
  EXPECT_EQ(ok.volume, "nvidia_driver_535.104.05");
  EXPECT_EQ(ok.error, "");
  PluginApiAnswer hostile =
      answer_plugin_request(operations, "POST", "/VolumeDriver.Mount", "{\"Name\":\"a\\nb\"}");
  EXPECT_EQ(hostile.volume, "a\\x0ab");
  PluginApiAnswer none = answer_plugin_request(operations, "POST", "/VolumeDriver.List", "");
  EXPECT_EQ(none.volume, "");
}

TEST(PluginApiRobustness, DeeplyNestedBodyIsAnErrNotACrash) {
  FakeOperations operations;
  std::string body = std::string(100000, '[') + std::string(100000, ']');
  PluginApiAnswer answer = answer_plugin_request(operations, "POST", "/VolumeDriver.Mount", body);
  EXPECT_EQ(answer.status, 400);
  EXPECT_TRUE(operations.calls.empty());
}

TEST(PluginApiRobustness, ListThatFailsIsAnErr) {
  class BrokenList : public FakeOperations {
    std::vector<VolumeListing> list() override {
      throw Error("cannot list /vols/nvidia_driver: Permission denied");
    }
  } operations;
  PluginApiAnswer answer = answer_plugin_request(operations, "POST", "/VolumeDriver.List", "{}");
  EXPECT_EQ(answer.status, 500);
  EXPECT_EQ(answer.body, err("the volume plugin failed: cannot list /vols/nvidia_driver: "
                             "Permission denied"));
}

TEST(PluginApiRobustness, AnyExceptionOfAnOperationIsAnErr) {
  class Throwing : public FakeOperations {
    VolumeReply mount(const std::string &, const std::string &) override {
      throw std::runtime_error("boom");
    }
  } operations;
  PluginApiAnswer answer = answer_plugin_request(operations, "POST", "/VolumeDriver.Mount",
                                                 R"({"Name":"nvidia_driver_535.104.05"})");
  EXPECT_EQ(answer.status, 500);
  EXPECT_EQ(answer.error, "nvidia_driver_535.104.05: boom");
}

struct NameCase {
  const char *name;
  std::string volume;
  VolumeNameKind kind;
  std::string version;
};
NVD_PRINT_ROW_AS_NAME(NameCase)
class VolumeNames : public ::testing::TestWithParam<NameCase> {};

TEST_P(VolumeNames, AreClassifiedAs10DidWithStrictVersions) {
  VolumeName name = classify_volume_name(GetParam().volume);
  EXPECT_EQ(name.kind, GetParam().kind);
  EXPECT_EQ(name.version, GetParam().version);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, VolumeNames,
    ::testing::Values(
        NameCase{"ThreePartVersion", "nvidia_driver_535.104.05", VolumeNameKind::driver_volume,
                 "535.104.05"},
        NameCase{"TwoPartVersion", "nvidia_driver_375.26", VolumeNameKind::driver_volume, "375.26"},
        NameCase{"OnePartVersion", "nvidia_driver_1", VolumeNameKind::driver_volume, "1"},
        NameCase{"OtherKind", "foo_1.2", VolumeNameKind::unsupported, ""},
        NameCase{"KindWithDashAndDot", "my-vol.x_1", VolumeNameKind::unsupported, ""},
        NameCase{"DoubleUnderscore", "nvidia_driver__1", VolumeNameKind::unsupported, ""},
        NameCase{"NoUnderscore", "nvidiadriver", VolumeNameKind::bad_format, ""},
        NameCase{"LettersInVersion", "nvidia_driver_535a", VolumeNameKind::bad_format, ""},
        NameCase{"TrailingDot", "nvidia_driver_535.", VolumeNameKind::bad_format, ""},
        NameCase{"OnlyDots", "nvidia_driver_...", VolumeNameKind::bad_format, ""},
        NameCase{"LeadingUnderscore", "_1", VolumeNameKind::bad_format, ""},
        NameCase{"SpaceInKind", "nvidia driver_1", VolumeNameKind::bad_format, ""},
        NameCase{"Slash", "nvidia_driver/1", VolumeNameKind::bad_format, ""}),
    nvd::test::RowName());
