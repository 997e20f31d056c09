// SPDX-License-Identifier: BSD-3-Clause
// Docker's volume plugin API over the built plugin's unix socket: every call
// with Docker's shapes, and 1.0's errors with what to do.
#include "plugin_on_stand_ins.hpp"

#include <gtest/gtest.h>

#include <filesystem>

using namespace nvd::test;
using nlohmann::json;

namespace {

const char *const content_type = "application/vnd.docker.plugins.v1+json";

// The host's own volume, as each error names it.
const char *const hint = "this host's driver is 535.104.05, its volume nvidia_driver_535.104.05";

} // namespace

TEST(PluginOnStandIns, ActivateAndCapabilitiesAnswerAsDockerExpects) {
  NVD_REQUIRE_STAND_IN_HOST();
  auto host = stand_in_host(1);
  auto plugin = host->start();
  // dockerd sends no body to Plugin.Activate, "{}" or "null" to Capabilities and List.
  ApiAnswer activate = api(plugin->socket_path(), "Plugin.Activate", std::string());
  EXPECT_EQ(activate.status, 200) << activate.error;
  EXPECT_EQ(activate.content_type, content_type);
  EXPECT_EQ(activate.body, json({{"Implements", {"VolumeDriver"}}}));
  for (const std::string body : {"", "{}", "null"}) {
    ApiAnswer capabilities = api(plugin->socket_path(), "VolumeDriver.Capabilities", body);
    EXPECT_EQ(capabilities.status, 200) << body;
    EXPECT_EQ(capabilities.content_type, content_type);
    EXPECT_EQ(capabilities.body, json({{"Capabilities", {{"Scope", "local"}}}})) << body;
  }
}

TEST(PluginOnStandIns, EveryVolumeCallOfAContainersLifeAnswersWithDockersShapes) {
  NVD_REQUIRE_STAND_IN_HOST();
  auto host = stand_in_host(1);
  auto plugin = host->start();
  const std::string socket = plugin->socket_path();
  const std::string volume = host->volume_name();
  const std::string mountpoint = host->volume_dir("535.104.05");

  // As `docker run --volume-driver=nvidia-docker -v nvidia_driver_...:...` does.
  ApiAnswer create =
      api(socket, "VolumeDriver.Create", json{{"Name", volume}, {"Opts", json::object()}});
  EXPECT_EQ(create.status, 200);
  EXPECT_EQ(create.content_type, content_type);
  EXPECT_EQ(create.body, json({{"Err", ""}}));

  ApiAnswer get = api(socket, "VolumeDriver.Get", named(volume));
  EXPECT_EQ(get.body,
            json({{"Volume", {{"Name", volume}, {"Mountpoint", mountpoint}}}, {"Err", ""}}));

  ApiAnswer list = api(socket, "VolumeDriver.List", json::object());
  EXPECT_EQ(list.body,
            json({{"Volumes", {{{"Name", volume}, {"Mountpoint", mountpoint}}}}, {"Err", ""}}));

  ApiAnswer mount = api(socket, "VolumeDriver.Mount", json{{"Name", volume}, {"ID", "c0ffee"}});
  EXPECT_EQ(mount.body, json({{"Mountpoint", mountpoint}, {"Err", ""}}));
  EXPECT_TRUE(std::filesystem::is_directory(mountpoint + "/lib64"));

  ApiAnswer path = api(socket, "VolumeDriver.Path", named(volume));
  EXPECT_EQ(path.body, json({{"Mountpoint", mountpoint}, {"Err", ""}}));

  // Mounted: not removed under the running container.
  ApiAnswer in_use = api(socket, "VolumeDriver.Remove", named(volume));
  EXPECT_EQ(in_use.status, 200);
  EXPECT_EQ(in_use.err(),
            "volume in use: " + volume + " (mounted by 1 container: remove them first)");
  EXPECT_TRUE(std::filesystem::is_directory(mountpoint));

  ApiAnswer unmount = api(socket, "VolumeDriver.Unmount", json{{"Name", volume}, {"ID", "c0ffee"}});
  EXPECT_EQ(unmount.body, json({{"Err", ""}}));

  ApiAnswer remove = api(socket, "VolumeDriver.Remove", named(volume));
  EXPECT_EQ(remove.body, json({{"Err", ""}}));
  EXPECT_FALSE(std::filesystem::exists(mountpoint));
  // Removed, as 1.0: removing it again succeeds, so Docker can drop its record.
  EXPECT_EQ(api(socket, "VolumeDriver.Remove", named(volume)).body, json({{"Err", ""}}));

  // The current version comes back on the next Mount.
  ApiAnswer again = api(socket, "VolumeDriver.Mount", json{{"Name", volume}, {"ID", "beef"}});
  EXPECT_EQ(again.body, json({{"Mountpoint", mountpoint}, {"Err", ""}}));
  EXPECT_TRUE(std::filesystem::is_directory(mountpoint + "/bin"));

  // One log line per request, the volume named.
  std::string log = plugin->process().stderr_text();
  EXPECT_NE(log.find(" POST /VolumeDriver.Mount " + volume + " 200 "), std::string::npos) << log;
}

TEST(PluginOnStandIns, VolumeErrorsSayWhatWasWrongAndWhatToDo) {
  NVD_REQUIRE_STAND_IN_HOST();
  auto host = stand_in_host(1);
  auto plugin = host->start();
  const std::string socket = plugin->socket_path();
  struct Case {
    const char *call;
    const char *name;
    std::string err;
  } cases[] = {
      {"VolumeDriver.Mount", "cuda",
       std::string("bad volume format: cuda (a driver volume is named "
                   "nvidia_driver_<driver version>; ") +
           hint + ")"},
      {"VolumeDriver.Create", "nvidia_driver_535.x",
       std::string("bad volume format: nvidia_driver_535.x (a driver volume is named "
                   "nvidia_driver_<driver version>; ") +
           hint + ")"},
      {"VolumeDriver.Path", "nvidia_cuda_8.0",
       std::string(
           "unsupported volume: nvidia_cuda_8.0 (this plugin serves only the driver volume; ") +
           hint + ")"},
      {"VolumeDriver.Create", "nvidia_driver_352.79",
       std::string("invalid volume version: nvidia_driver_352.79 (") + hint +
           ": ask for that one, as nvidia-docker does)"},
      {"VolumeDriver.Mount", "nvidia_driver_352.79",
       std::string("no such volume: nvidia_driver_352.79 (") + hint +
           ": create the container again with nvidia-docker)"},
      {"VolumeDriver.Get", "nvidia_driver_352.79",
       std::string("no such volume: nvidia_driver_352.79 (") + hint +
           ": create the container again with nvidia-docker)"},
  };
  for (const Case &c : cases) {
    ApiAnswer answer = api(socket, c.call, named(c.name));
    EXPECT_EQ(answer.status, 200) << c.call << " " << c.name;
    EXPECT_EQ(answer.content_type, content_type);
    EXPECT_EQ(answer.err(), c.err) << c.call << " " << c.name;
  }
  ApiAnswer options = api(socket, "VolumeDriver.Create",
                          json{{"Name", host->volume_name()}, {"Opts", {{"size", "1G"}}}});
  EXPECT_EQ(options.err(),
            "unknown volume option: size (" + host->volume_name() + " takes no options)");
  // None of them made anything on disk.
  EXPECT_FALSE(std::filesystem::exists(host->volume_dir("352.79")));
}

TEST(PluginOnStandIns, MountRebuildsTheCurrentVolumeWhenItWasRemovedFromDisk) {
  NVD_REQUIRE_STAND_IN_HOST();
  auto host = stand_in_host(1);
  auto plugin = host->start();
  const std::string mountpoint = host->volume_dir(host->driver_version());
  ASSERT_TRUE(std::filesystem::is_directory(mountpoint)); // built at start
  std::filesystem::remove_all(mountpoint);
  ApiAnswer mount = api(plugin->socket_path(), "VolumeDriver.Mount",
                        json{{"Name", host->volume_name()}, {"ID", "x"}});
  EXPECT_EQ(mount.body, json({{"Mountpoint", mountpoint}, {"Err", ""}}));
  EXPECT_TRUE(std::filesystem::is_symlink(mountpoint + "/lib64/libcuda.so.1"));
  EXPECT_EQ(occurrences(plugin->process().stderr_text(), "built nvidia_driver_535.104.05 at"), 2u);
}
