// SPDX-License-Identifier: BSD-3-Clause
// The driver volume as the built plugin lays it out on disk: exactly the
// driver's files, one build for many clients, copies on another file system,
// no half volume after an interrupted build, and a driver upgrade followed
// without a restart.
#include "plugin_on_stand_ins.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace nvd::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct FileId {
  dev_t device = 0;
  ino_t inode = 0;
  bool operator==(const FileId &other) const {
    return device == other.device && inode == other.inode;
  }
};

FileId file_id(const std::string &path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return {info.st_dev, info.st_ino};
}

// Checks that `folder` holds exactly the tree's expected volume: each file a
// hard link of the driver's (or, with `copies`, a file of its own with the
// same bytes), each link to its target, the three folders, and nothing else.
void expect_volume_of(const DriverTree &tree, const std::string &folder, bool copies = false) {
  std::map<std::string, FoundEntry> found = volume_entries(folder);
  std::set<std::string> expected_paths = {"bin", "lib", "lib64"};
  for (const VolumeFile &file : tree.expected_volume) {
    expected_paths.insert(file.path);
    auto entry = found.find(file.path);
    if (entry == found.end()) {
      ADD_FAILURE() << "missing in the volume: " << file.path;
      continue;
    }
    if (file.is_link()) {
      EXPECT_EQ(entry->second.link_target, file.link_target) << file.path;
      continue;
    }
    EXPECT_EQ(entry->second.link_target, "") << file.path << " is a symlink";
    FileId source = file_id(file.source);
    FileId in_volume{entry->second.device, entry->second.inode};
    if (copies) {
      EXPECT_FALSE(in_volume == source) << file.path << " shares the driver's inode";
      EXPECT_EQ(entry->second.links, 1u) << file.path;
      EXPECT_EQ(read_file(folder + "/" + file.path), read_file(file.source)) << file.path;
    } else {
      EXPECT_TRUE(in_volume == source) << file.path << " is not a hard link of " << file.source;
    }
  }
  for (const auto &[path, entry] : found)
    EXPECT_TRUE(expected_paths.count(path) == 1) << "not expected in the volume: " << path;
}

std::vector<std::string> temporary_names(const std::string &driver_folder) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto &entry : fs::directory_iterator(driver_folder, error))
    if (entry.path().filename().string()[0] == '.')
      names.push_back(entry.path().filename().string());
  return names;
}

} // namespace

TEST(PluginOnStandIns, TheVolumeHoldsExactlyTheDriversFilesAsHardLinks) {
  NVD_REQUIRE_STAND_IN_HOST();
  auto host = stand_in_host(1);
  auto plugin = host->start();
  const std::string volume = host->volume_dir(host->driver_version());
  expect_volume_of(host->driver(), volume);
  EXPECT_EQ(fs::read_symlink(volume + "/lib64/libcuda.so.1"), "libcuda.so.535.104.05");
  EXPECT_EQ(fs::read_symlink(volume + "/lib64/libcuda.so"), "libcuda.so.535.104.05");
  EXPECT_EQ(fs::read_symlink(volume + "/lib64/libnvidia-ml.so.1"), "libnvidia-ml.so.535.104.05");
  // The decoys a real host has: none of them, by name or by inode.
  ASSERT_FALSE(host->driver().decoys.empty());
  std::map<std::string, FoundEntry> found = volume_entries(volume);
  for (const std::string &decoy : host->driver().decoys) {
    FileId decoy_id = file_id(decoy);
    for (const auto &[path, entry] : found)
      EXPECT_FALSE(entry.link_target.empty() && (FileId{entry.device, entry.inode} == decoy_id))
          << path << " is the decoy " << decoy;
  }
  EXPECT_EQ(found.count("lib64/libcuda.so.470.199.02"), 0u);
  EXPECT_EQ(found.count("bin/nvidia-settings"), 0u);
  EXPECT_EQ(found.count("lib64/libGL.so.1.7.0"), 0u);
  EXPECT_NE(plugin->process().stderr_text().find(" hard links, 0 reflinks, 0 copies, "),
            std::string::npos);
}

TEST(PluginOnStandIns, A32BitDriverWithoutSomeLibrariesGetsLibAndOnlyWhatItShips) {
  NVD_REQUIRE_STAND_IN_HOST();
  StandInHostOptions options;
  options.driver.with_32bit = true;
  options.driver.with_fabric_manager = true;
  options.driver.omit = {"libnvidia-fbc", "libnvoptix", "nvidia-persistenced"};
  auto host = stand_in_host(1, options);
  auto plugin = host->start();
  const std::string volume = host->volume_dir(host->driver_version());
  expect_volume_of(host->driver(), volume);
  EXPECT_EQ(fs::read_symlink(volume + "/lib/libcuda.so.1"), "libcuda.so.535.104.05");
  EXPECT_TRUE(fs::exists(volume + "/bin/nv-fabricmanager"));
  EXPECT_FALSE(fs::exists(volume + "/bin/nvidia-persistenced"));
  std::string log = plugin->process().stderr_text();
  EXPECT_NE(log.find("libnvidia-fbc"), std::string::npos) << log; // skipped with a log line
}

TEST(PluginOnStandIns, ManyClientsCreatingAndMountingAtOnceMakeOneBuild) {
  NVD_REQUIRE_STAND_IN_HOST();
  auto host = stand_in_host(1);
  auto plugin = host->start();
  const std::string mountpoint = host->volume_dir(host->driver_version());
  fs::remove_all(mountpoint); // built at start; gone, as if removed by hand
  constexpr int clients = 32;
  std::vector<ApiAnswer> answers(clients);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i)
    threads.emplace_back([&, i] {
      ++ready;
      while (ready < clients)
        std::this_thread::yield();
      const char *call = i % 2 == 0 ? "VolumeDriver.Create" : "VolumeDriver.Mount";
      answers[static_cast<std::size_t>(i)] =
          api(plugin->socket_path(), call,
              json{{"Name", host->volume_name()}, {"ID", "client-" + std::to_string(i)}}.dump());
    });
  for (auto &thread : threads)
    thread.join();
  for (int i = 0; i < clients; ++i) {
    const ApiAnswer &answer = answers[static_cast<std::size_t>(i)];
    EXPECT_EQ(answer.status, 200) << i << ": " << answer.error << answer.raw_body;
    EXPECT_EQ(answer.err(), "") << i;
    if (i % 2 == 1) {
      EXPECT_EQ(answer.body["Mountpoint"], mountpoint) << i;
    }
  }
  // One build at start, one now.
  EXPECT_EQ(occurrences(plugin->process().stderr_text(), "built nvidia_driver_535.104.05 at"), 2u)
      << plugin->process().stderr_text();
  expect_volume_of(host->driver(), mountpoint);
  EXPECT_TRUE(temporary_names(host->volumes_dir() + "/nvidia_driver").empty());
}

TEST(PluginOnStandIns, AVolumesFolderOnAnotherFileSystemGetsCopiesNotHardLinks) {
  NVD_REQUIRE_STAND_IN_HOST();
  auto host = stand_in_host(1);
  PluginStart start;
  start.tmpfs = {host->volumes_dir()};
  auto plugin = host->start(start);
  const std::string volume = host->volume_dir(host->driver_version());
  // Only the plugin's namespace has the tmpfs: the test looks through its /proc root.
  const std::string seen = StandInHost::plugin_view(*plugin, volume);
  ASSERT_TRUE(fs::is_directory(seen + "/lib64")) << plugin->process().stderr_text();
  EXPECT_FALSE(fs::exists(volume)) << "the tmpfs leaked out of the plugin's namespace";
  expect_volume_of(host->driver(), seen, /*copies=*/true);
  std::string log = plugin->process().stderr_text();
  EXPECT_NE(log.find(": 0 hard links, "), std::string::npos) << log;
  EXPECT_EQ(log.find("invalid cross-device link"), std::string::npos) << log;
  // Executables stay executable.
  struct stat smi {};
  ASSERT_EQ(::stat((seen + "/bin/nvidia-smi").c_str(), &smi), 0);
  EXPECT_NE(smi.st_mode & S_IXUSR, 0u);
  ApiAnswer mount = api(plugin->socket_path(), "VolumeDriver.Mount",
                        json{{"Name", host->volume_name()}, {"ID", "x"}});
  EXPECT_EQ(mount.body, json({{"Mountpoint", volume}, {"Err", ""}}));
}

TEST(PluginOnStandIns, LeftoversOfInterruptedBuildsAreRemovedAtStartAndNeverServed) {
  NVD_REQUIRE_STAND_IN_HOST();
  auto host = stand_in_host(1);
  const std::string drivers = host->volumes_dir() + "/nvidia_driver";
  // What a plugin killed mid-build leaves: a folder that looks nearly complete.
  for (const std::string name : {".build-535.104.05-4242-1", ".remove-470.199.02-4242-2"}) {
    fs::create_directories(drivers + "/" + name + "/lib64");
    fs::create_directories(drivers + "/" + name + "/bin");
    write_file(drivers + "/" + name + "/lib64/libcuda.so.1", "half");
  }
  write_file(drivers + "/notes.txt", "not ours\n");
  auto plugin = host->start();
  EXPECT_NE(
      plugin->process().stderr_text().find("removed 2 unfinished volume builds in " + drivers),
      std::string::npos)
      << plugin->process().stderr_text();
  EXPECT_TRUE(temporary_names(drivers).empty());
  EXPECT_EQ(read_file(drivers + "/notes.txt"), "not ours\n");
  expect_volume_of(host->driver(), host->volume_dir(host->driver_version()));

  // One left while it runs (another plugin's, say) is never served either.
  fs::create_directories(drivers + "/.build-470.199.02-4242-3/lib64");
  const std::string socket = plugin->socket_path();
  EXPECT_EQ(api(socket, "VolumeDriver.Mount", named("nvidia_driver_470.199.02"))
                .err()
                .rfind("no such volume: ", 0),
            0u);
  ApiAnswer list = api(socket, "VolumeDriver.List", std::string());
  EXPECT_EQ(list.body["Volumes"].size(), 1u) << list.raw_body;
}

TEST(PluginOnStandIns, APluginKilledMidBuildLeavesNoVolumeThatLooksComplete) {
  NVD_REQUIRE_STAND_IN_HOST();
  auto host = stand_in_host(1);
  const std::string drivers = host->volumes_dir() + "/nvidia_driver";
  const std::string volume = host->volume_dir(host->driver_version());
  fs::create_directories(drivers);
  // Killed the moment its build folder appears; tried again in the rare case
  // that the build finished before the kill landed.
  bool interrupted = false;
  for (int attempt = 0; attempt < 5 && !interrupted; ++attempt) {
    fs::remove_all(volume);
    int watch = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    ASSERT_GE(watch, 0);
    ASSERT_GE(::inotify_add_watch(watch, drivers.c_str(), IN_CREATE), 0);
    Process plugin(host->command(), host->environment());
    bool seen = false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!seen && std::chrono::steady_clock::now() < deadline) {
      pollfd wait{watch, POLLIN, 0};
      if (::poll(&wait, 1, 100) <= 0)
        continue;
      alignas(inotify_event) char buffer[4096];
      ssize_t got = ::read(watch, buffer, sizeof buffer);
      for (ssize_t at = 0; at < got;) {
        auto *event = reinterpret_cast<inotify_event *>(buffer + at);
        if (event->len > 0 && std::string(event->name).rfind(".build-", 0) == 0) {
          plugin.signal(SIGKILL);
          seen = true;
        }
        at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      }
    }
    ::close(watch);
    ASSERT_TRUE(seen) << "no build folder appeared: " << plugin.stderr_text();
    EXPECT_EQ(plugin.wait(), 128 + SIGKILL);
    interrupted = !temporary_names(drivers).empty();
    if (interrupted) {
      EXPECT_FALSE(fs::exists(volume)) << "a half volume is in place";
    }
  }
  ASSERT_TRUE(interrupted) << "the build always finished before the kill";

  auto restarted = host->start();
  EXPECT_NE(restarted->process().stderr_text().find("removed 1 unfinished volume build in "),
            std::string::npos)
      << restarted->process().stderr_text();
  EXPECT_TRUE(temporary_names(drivers).empty());
  expect_volume_of(host->driver(), volume);
}

TEST(PluginOnStandIns, ADriverUpgradeIsServedWithoutARestart) {
  NVD_REQUIRE_STAND_IN_HOST();
  auto host = stand_in_host(2);
  auto plugin = host->start();
  const std::string socket = plugin->socket_path();
  const std::string old_volume = host->volume_name("535.104.05");
  ASSERT_EQ(api(socket, "VolumeDriver.Mount", json{{"Name", old_volume}, {"ID", "old"}}).err(), "");
  DriverTree old_tree = host->driver();

  // The installer replaces the libraries and reloads the kernel module.
  host->upgrade_driver("550.54.14");
  json config = host->nvml_config();
  config["KernelVersion"] = "550.54.14";
  host->set_nvml_config(config);

  json info = get_json(*plugin, "/gpu/info/json");
  EXPECT_EQ(info["Version"]["Driver"], "550.54.14") << info.dump(2);
  EXPECT_EQ(info["Devices"].size(), 2u);
  EXPECT_EQ(get_json(*plugin, "/docker/cli/json")["Volumes"],
            json({"nvidia_driver_550.54.14:/usr/local/nvidia:ro"}));
  EXPECT_EQ(get_json(*plugin, "/gpu/status/json")["Devices"].size(), 2u);

  const std::string new_volume = host->volume_name("550.54.14");
  ApiAnswer create = api(socket, "VolumeDriver.Create", named(new_volume));
  EXPECT_EQ(create.body, json({{"Err", ""}}));
  ApiAnswer mount = api(socket, "VolumeDriver.Mount", json{{"Name", new_volume}, {"ID", "new"}});
  EXPECT_EQ(mount.body, json({{"Mountpoint", host->volume_dir("550.54.14")}, {"Err", ""}}));
  expect_volume_of(host->driver(), host->volume_dir("550.54.14"));
  EXPECT_EQ(fs::read_symlink(host->volume_dir("550.54.14") + "/lib64/libcuda.so.1"),
            "libcuda.so.550.54.14");

  // The old volume stays, with the old files, and is still served.
  EXPECT_TRUE(fs::exists(host->volume_dir("535.104.05") + "/lib64/libcuda.so.535.104.05"));
  ApiAnswer old_mount =
      api(socket, "VolumeDriver.Mount", json{{"Name", old_volume}, {"ID", "old2"}});
  EXPECT_EQ(old_mount.body, json({{"Mountpoint", host->volume_dir("535.104.05")}, {"Err", ""}}));
  ApiAnswer list = api(socket, "VolumeDriver.List", std::string());
  EXPECT_EQ(list.body["Volumes"],
            json({{{"Name", old_volume}, {"Mountpoint", host->volume_dir("535.104.05")}},
                  {{"Name", new_volume}, {"Mountpoint", host->volume_dir("550.54.14")}}}));
  // An old version never on disk is still no such volume, naming the new one.
  EXPECT_EQ(api(socket, "VolumeDriver.Mount", named("nvidia_driver_470.1")).err(),
            "no such volume: nvidia_driver_470.1 (this host's driver is 550.54.14, its volume "
            "nvidia_driver_550.54.14: create the container again with nvidia-docker)");

  EXPECT_EQ(plugin->process().wait(std::chrono::milliseconds(0)), -1);
  EXPECT_EQ(occurrences(plugin->process().stderr_text(), "loading NVML"), 2u)
      << plugin->process().stderr_text();
}

TEST(PluginOnStandIns, AnUpgradeInstalledBeforeTheModuleReloadKeepsTheOldDriverUntilItLoads) {
  NVD_REQUIRE_STAND_IN_HOST();
  auto host = stand_in_host(1);
  auto plugin = host->start();
  const std::string socket = plugin->socket_path();
  // The new libraries are installed; the kernel still runs the old module,
  // which the new NVML refuses: the old driver, still loaded, is served.
  host->upgrade_driver("550.54.14");
  json config = host->nvml_config();
  config["KernelVersion"] = "535.104.05";
  host->set_nvml_config(config);
  EXPECT_EQ(get_json(*plugin, "/gpu/info/json")["Version"]["Driver"], "535.104.05");
  EXPECT_EQ(get_json(*plugin, "/docker/cli/json")["Volumes"],
            json({"nvidia_driver_535.104.05:/usr/local/nvidia:ro"}));
  EXPECT_EQ(api(socket, "VolumeDriver.Mount", named(host->volume_name("535.104.05"))).err(), "");
  EXPECT_EQ(
      api(socket, "VolumeDriver.Mount", named(host->volume_name("550.54.14")))
          .err()
          .rfind("no such volume: nvidia_driver_550.54.14 (this host's driver is 535.104.05", 0),
      0u);
  EXPECT_NE(plugin->process().stderr_text().find("still serving driver 535.104.05"),
            std::string::npos);

  // The module is reloaded: the new driver is served, without a restart,
  // once the plugin tries the new library again.
  config["KernelVersion"] = "550.54.14";
  host->set_nvml_config(config);
  std::string driver;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (driver != "550.54.14" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    HttpResult result = http_request(plugin->url("/gpu/info/json"));
    json info = json::parse(result.body, nullptr, false);
    if (result.status == 200 && info.is_object())
      driver = info["Version"].value("Driver", "");
  }
  EXPECT_EQ(driver, "550.54.14") << plugin->process().stderr_text();
  EXPECT_EQ(get_json(*plugin, "/docker/cli/json")["Volumes"],
            json({"nvidia_driver_550.54.14:/usr/local/nvidia:ro"}));
  EXPECT_EQ(api(socket, "VolumeDriver.Mount", named(host->volume_name("550.54.14"))).err(), "");
  expect_volume_of(host->driver(), host->volume_dir("550.54.14"));
  EXPECT_EQ(plugin->process().wait(std::chrono::milliseconds(0)), -1);
}
