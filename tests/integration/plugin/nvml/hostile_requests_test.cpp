// SPDX-License-Identifier: BSD-3-Clause
// Requests no dockerd sends, on the built plugin's socket: each one answered
// with an Err, nothing outside the volumes folder read or touched, and the
// plugin still serving afterwards.
#include "plugin_on_stand_ins.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

using namespace nvd::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Files a hostile request might reach: beside the volumes folder, inside
// nvidia_driver/ (a symlink posing as a volume, a file of someone else's).
struct Surroundings {
  std::string outside; // <state>/outside, a sibling of the volumes folder
  explicit Surroundings(const StandInHost &host) {
    outside = fs::path(host.volumes_dir()).parent_path().string() + "/outside";
    fs::create_directories(outside + "/nested/deeper");
    write_file(outside + "/secret", "not a volume\n");
    write_file(outside + "/nested/deeper/file", "keep me\n");
    fs::create_directories(outside + "/9.9/lib64"); // looks like a volume
    write_file(outside + "/9.9/lib64/libcuda.so.1", "not ours\n");
    fs::create_symlink("secret", outside + "/link");
    const std::string driver_folder = host.volumes_dir() + "/nvidia_driver";
    fs::create_directories(driver_folder);
    fs::create_directory_symlink(outside + "/9.9", driver_folder + "/9.9");
    fs::create_directory_symlink(outside, driver_folder + "/8.8");
    write_file(driver_folder + "/notes.txt", "an admin's file\n");
  }
};

// Hostile values for "Name".
std::vector<std::string> hostile_names() {
  return {"",
          "..",
          "../outside",
          "../../outside/secret",
          "/etc/passwd",
          "nvidia_driver_",
          "nvidia_driver_.",
          "nvidia_driver_..",
          "nvidia_driver_...",
          "nvidia_driver_1..2",
          "nvidia_driver_.1",
          "nvidia_driver_1.",
          "nvidia_driver_535.104.05/../../outside",
          "nvidia_driver_535.104.05/",
          "nvidia_driver_../../outside",
          "nvidia_driver_9.9", // a symlink to a folder outside
          "nvidia_driver_8.8", // a symlink to the folder beside the volumes
          "nvidia_driver_/tmp",
          "nvidia_driver_535.104.05\n",
          std::string("nvidia_driver_535.104.05\0x", 26),
          "nvidia_driver_535.104.05 ",
          "nvidia_driver_5%2e3",
          "nvidia_driver_\xc3\xa9",
          "\xff\xfe\x80",
          "nvidia_driver_" + std::string(200, '1'),
          "nvidia_driver_" + std::string(5000, '.'),
          "nvidia_driver_1" + std::string(100, '.') + "1",
          "x_" + std::string(100000, 'a'),
          "nvidia_driver_535.104.05_535.104.05",
          "nvidia_driver__535.104.05",
          "NVIDIA_DRIVER_535.104.05",
          "nvidia_driver_-1",
          "nvidia_driver_1e3",
          "nvidia_driver_0x10",
          ".build-535.104.05-1-1",
          "nvidia_driver_.build-535.104.05-1-1"};
}

// Bodies that are not the protocol.
std::vector<std::string> hostile_bodies() {
  std::string deep_array(30000, '[');
  std::string deep_object;
  for (int i = 0; i < 6000; ++i)
    deep_object += "{\"a\":";
  return {"",
          " \r\n\t",
          "{",
          "}",
          "[]",
          "null",
          "42",
          "\"nvidia_driver_535.104.05\"",
          "{\"Name\": 5}",
          "{\"Name\": null}",
          "{\"Name\": true}",
          "{\"Name\": [\"nvidia_driver_535.104.05\"]}",
          "{\"Name\": {\"Name\": \"nvidia_driver_535.104.05\"}}",
          "{\"name\": \"nvidia_driver_535.104.05\"}",
          "{\"Name\": \"nvidia_driver_535.104.05\", \"ID\": 7}",
          "{\"Name\": \"nvidia_driver_535.104.05\", \"ID\": \"" + std::string(300, 'i') + "\"}",
          "{\"Name\": \"nvidia_driver_535.104.05\", \"Opts\": \"x\"}",
          "{\"Name\": \"nvidia_driver_535.104.05\", \"Opts\": [1]}",
          "{\"Name\": \"nvidia_driver_535.104.05\"} trailing",
          "{\"Name\": \"nvidia_driver_535.104.05\",}",
          "{\"Name\": \"\\ud800\"}",
          "{\"Name\": \"nvidia_driver_535.104.05\\u0000\"}",
          std::string("{\"Name\": \"a\"}\0{}", 16),
          "\xef\xbb\xbf{\"Name\": \"nvidia_driver_535.104.05\"}",
          deep_array,
          deep_object};
}

const char *const calls[] = {
    "VolumeDriver.Create",  "VolumeDriver.Remove",       "VolumeDriver.Mount",
    "VolumeDriver.Unmount", "VolumeDriver.Path",         "VolumeDriver.Get",
    "VolumeDriver.List",    "VolumeDriver.Capabilities", "Plugin.Activate"};

// Each answer is HTTP with a JSON body; an error is a non-empty Err.
void expect_an_answer(const ApiAnswer &answer, const std::string &what) {
  EXPECT_NE(answer.status, 0) << what << ": " << answer.error;
  EXPECT_TRUE(answer.body.is_object()) << what << ": " << answer.raw_body.substr(0, 300);
}

void expect_still_serving(const StandInHost &host, RunningPlugin &plugin) {
  EXPECT_EQ(plugin.process().wait(std::chrono::milliseconds(0)), -1)
      << "the plugin ended: " << plugin.process().stderr_text().substr(0, 4000);
  ApiAnswer mount = api(plugin.socket_path(), "VolumeDriver.Mount",
                        json{{"Name", host.volume_name()}, {"ID", "after"}});
  EXPECT_EQ(mount.body,
            json({{"Mountpoint", host.volume_dir(host.driver_version())}, {"Err", ""}}));
  EXPECT_EQ(http_request(plugin.url("/gpu/info/json")).status, 200);
}

} // namespace

TEST(PluginOnStandIns, HostileNamesAreErrorsAndTouchNothingAroundTheVolumes) {
  NVD_REQUIRE_STAND_IN_HOST();
  auto host = stand_in_host(1);
  Surroundings around(*host);
  auto plugin = host->start();
  const std::string state = fs::path(host->volumes_dir()).parent_path().string();
  auto outside_before = tree_fingerprint(around.outside);
  auto driver_before = tree_fingerprint(host->driver_root());
  auto volume_before = tree_fingerprint(host->volume_dir(host->driver_version()));
  auto driver_folder_before = tree_fingerprint(host->volumes_dir() + "/nvidia_driver");

  for (const std::string &name : hostile_names())
    for (const char *call : calls) {
      ApiAnswer answer =
          api(plugin->socket_path(), call,
              json{{"Name", name}}.dump(-1, ' ', false, json::error_handler_t::replace));
      std::string what =
          std::string(call) + " " +
          json(name).dump(-1, ' ', false, json::error_handler_t::replace).substr(0, 80);
      expect_an_answer(answer, what);
      std::string_view call_name(call);
      bool takes_a_name = call_name != "VolumeDriver.List" &&
                          call_name != "VolumeDriver.Capabilities" &&
                          call_name != "Plugin.Activate";
      bool removes = call_name == "VolumeDriver.Remove" || call_name == "VolumeDriver.Unmount";
      // A name that is not a driver version is an Err for every call that
      // takes one; Remove and Unmount of a missing volume succeed (as 1.0).
      if (takes_a_name && !removes) {
        EXPECT_NE(answer.err(), "") << what;
      }
      if (answer.body.contains("Mountpoint")) {
        EXPECT_EQ(answer.body["Mountpoint"], "") << what;
      }
    }
  EXPECT_EQ(tree_fingerprint(around.outside), outside_before);
  EXPECT_EQ(tree_fingerprint(host->driver_root()), driver_before);
  EXPECT_EQ(tree_fingerprint(host->volume_dir(host->driver_version())), volume_before);
  EXPECT_EQ(tree_fingerprint(host->volumes_dir() + "/nvidia_driver"), driver_folder_before);
  // The symlinks posing as volumes are not listed either.
  ApiAnswer list = api(plugin->socket_path(), "VolumeDriver.List", std::string());
  ASSERT_EQ(list.body["Volumes"].size(), 1u) << list.raw_body;
  EXPECT_EQ(list.body["Volumes"][0]["Name"], host->volume_name());
  expect_still_serving(*host, *plugin);
  EXPECT_EQ(tree_fingerprint(state + "/outside"), outside_before);
}

TEST(PluginOnStandIns, HostileBodiesAreErrorsAndThePluginKeepsServing) {
  NVD_REQUIRE_STAND_IN_HOST();
  auto host = stand_in_host(1);
  Surroundings around(*host);
  auto plugin = host->start();
  auto outside_before = tree_fingerprint(around.outside);
  // Some of these bodies are well-formed calls after all (a Remove ignores
  // "ID" and "Opts"): the volume may be removed and built again, the same.
  auto volumes_before = tree_fingerprint(host->volumes_dir(), /*with_times=*/false);
  for (const std::string &body : hostile_bodies())
    for (const char *call : calls) {
      ApiAnswer answer = api(plugin->socket_path(), call, body);
      std::string what =
          std::string(call) + " " +
          json(body.substr(0, 60)).dump(-1, ' ', false, json::error_handler_t::replace);
      expect_an_answer(answer, what);
      if (answer.status != 200) {
        EXPECT_NE(answer.err(), "") << what;
      }
    }
  EXPECT_EQ(tree_fingerprint(around.outside), outside_before);
  expect_still_serving(*host, *plugin);
  EXPECT_EQ(tree_fingerprint(host->volumes_dir(), false), volumes_before);
}

TEST(PluginOnStandIns, HostileHttpIsRefusedWithoutHarm) {
  NVD_REQUIRE_STAND_IN_HOST();
  auto host = stand_in_host(1);
  Surroundings around(*host);
  auto plugin = host->start();
  auto outside_before = tree_fingerprint(around.outside);
  const std::string socket = plugin->socket_path();
  const std::string mount_body = named(host->volume_name()).dump();
  auto post = [&](const std::string &target, const std::string &extra_headers,
                  const std::string &body) {
    return socket_exchange(socket, "POST " + target +
                                       " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
                                       extra_headers + "\r\n" + body);
  };
  struct Case {
    std::string what;
    SocketAnswer answer;
    int status;
  };
  std::vector<Case> cases;
  cases.push_back(
      {"body over the limit",
       post("/VolumeDriver.Mount", "Content-Length: 1048576\r\n", std::string(1048576, '{')), 413});
  cases.push_back({"a huge announced body",
                   post("/VolumeDriver.Mount", "Content-Length: 10000000000\r\n", "{}"), 413});
  cases.push_back(
      {"a negative length", post("/VolumeDriver.Mount", "Content-Length: -5\r\n", ""), 400});
  cases.push_back({"a huge chunked body",
                   post("/VolumeDriver.Mount", "Transfer-Encoding: chunked\r\n",
                        "100000\r\n" + std::string(0x100000, ' ') + "\r\n0\r\n\r\n"),
                   413});
  cases.push_back(
      {"a head over the limit",
       post("/VolumeDriver.Mount", "X-Junk: " + std::string(64 * 1024, 'j') + "\r\n", ""), 431});
  cases.push_back(
      {"a traversal in the target",
       post("/VolumeDriver.Mount/../../../outside",
            "Content-Length: " + std::to_string(mount_body.size()) + "\r\n", mount_body),
       404});
  cases.push_back({"an absolute URL",
                   post("http://x/../VolumeDriver.Remove", "Content-Length: 2\r\n", "{}"), 404});
  cases.push_back({"GET of a call",
                   socket_exchange(socket, "GET /VolumeDriver.Mount HTTP/1.1\r\n"
                                           "Host: x\r\nConnection: close\r\n\r\n"),
                   405});
  cases.push_back(
      {"not HTTP (a TLS hello)",
       socket_exchange(socket, std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\r\n\r\n", 13)),
       400});
  cases.push_back({"HTTP/2", socket_exchange(socket, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 505});
  for (const Case &c : cases) {
    EXPECT_EQ(c.answer.status, c.status)
        << c.what << ": " << c.answer.error << c.answer.raw.substr(0, 300);
    nlohmann::json body = nlohmann::json::parse(c.answer.body, nullptr, false);
    EXPECT_TRUE(body.is_object() && body.contains("Err") && body["Err"] != "")
        << c.what << ": " << c.answer.body.substr(0, 300);
  }
  EXPECT_EQ(tree_fingerprint(around.outside), outside_before);
  expect_still_serving(*host, *plugin);
}
