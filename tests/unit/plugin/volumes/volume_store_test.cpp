// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/volumes/volume_store.hpp"

#include "nvd/common/error.hpp"
#include "nvd/plugin/volumes/volume_api.hpp"
#include "nvd/plugin/volumes/volume_builder.hpp"
#include "nvd/plugin/volumes/volume_folder.hpp"
#include "support/temp_dir.hpp"
#include "unit/plugin/volumes/volume_files.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

using namespace nvd;
using namespace nvd::test;
namespace fs = std::filesystem;

namespace {

const std::string nvml_mismatch = "cannot load NVML: Driver/library version mismatch (the "
                                  "driver was upgraded: reboot, or reload the nvidia module)";

// A store over a temp folder, on stand-in drivers; the driver version can be
// changed as an upgrade would, and the plans are counted.
class Store : public ::testing::Test {
protected:
  TempDir temp{"nvd-volume-store"};
  std::string volumes = temp.file("volumes");
  std::mutex version_mutex;
  std::string version = "535.104.05";
  std::atomic<int> plans{0};
  std::atomic<int> plan_delay_ms{0};
  std::atomic<bool> plan_fails{false};
  std::atomic<bool> version_fails{false};
  std::vector<std::string> log;
  std::mutex log_mutex;

  void set_version(const std::string &v) {
    std::lock_guard<std::mutex> lock(version_mutex);
    version = v;
  }

  VolumeStore make_store() {
    return VolumeStore(
        volumes,
        [this] {
          if (version_fails)
            throw Error(nvml_mismatch);
          std::lock_guard<std::mutex> lock(version_mutex);
          return version;
        },
        [this](const std::string &v) {
          ++plans;
          std::this_thread::sleep_for(std::chrono::milliseconds(plan_delay_ms.load()));
          if (plan_fails)
            throw Error("cannot read the ld cache " + temp.file("driver-" + v) +
                        "/etc/ld.so.cache: No such file or directory");
          return stand_in_driver(temp.file("driver-" + v), v);
        },
        [this](const std::string &line) {
          std::lock_guard<std::mutex> lock(log_mutex);
          log.push_back(line);
        });
  }

  std::string mountpoint(const std::string &v) { return volumes + "/nvidia_driver/" + v; }
};

} // namespace

TEST_F(Store, CreateOfTheCurrentVersionBuildsItOnce) {
  VolumeStore store = make_store();
  VolumeReply reply = store.create("535.104.05");
  EXPECT_EQ(reply.outcome, VolumeOutcome::ok);
  EXPECT_EQ(reply.mountpoint, mountpoint("535.104.05"));
  EXPECT_TRUE(fs::is_regular_file(mountpoint("535.104.05") + "/bin/nvidia-smi"));
  EXPECT_EQ(store.create("535.104.05").outcome, VolumeOutcome::ok);
  EXPECT_EQ(store.mount("535.104.05", "a").outcome, VolumeOutcome::ok);
  EXPECT_EQ(store.path("535.104.05").mountpoint, mountpoint("535.104.05"));
  EXPECT_EQ(plans, 1);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0], "nvidia_driver_535.104.05: libnvidia-fbc: not shipped by this driver");
  EXPECT_EQ(log[1].rfind("built nvidia_driver_535.104.05 at " + mountpoint("535.104.05") +
                             ": 5 hard links, 0 reflinks, 0 copies, 4 symlinks in ",
                         0),
            0u)
      << log[1];
}

TEST_F(Store, MountOfTheCurrentVersionRebuildsAVolumeRemovedFromDisk) {
  VolumeStore store = make_store();
  store.create("535.104.05");
  fs::remove_all(mountpoint("535.104.05"));
  VolumeReply reply = store.mount("535.104.05", "a");
  EXPECT_EQ(reply.outcome, VolumeOutcome::ok);
  EXPECT_TRUE(fs::is_regular_file(mountpoint("535.104.05") + "/bin/nvidia-smi"));
  EXPECT_EQ(plans, 2);
}

TEST_F(Store, PathAndGetOfTheCurrentVersionBuildIt) {
  VolumeStore store = make_store();
  EXPECT_EQ(store.path("535.104.05").mountpoint, mountpoint("535.104.05"));
  EXPECT_TRUE(volume_on_disk(volumes, "535.104.05"));
}

TEST_F(Store, ServesAnEarlierDriversVolumeWhileItIsOnDisk) {
  VolumeStore store = make_store();
  build_volume(stand_in_driver(temp.file("old-driver"), "470.82.01"), volumes);
  EXPECT_EQ(store.mount("470.82.01", "a").mountpoint, mountpoint("470.82.01"));
  EXPECT_EQ(store.path("470.82.01").mountpoint, mountpoint("470.82.01"));
  EXPECT_EQ(store.create("470.82.01").outcome, VolumeOutcome::ok);
  EXPECT_EQ(store.unmount("470.82.01", "a").outcome, VolumeOutcome::ok);
  EXPECT_EQ(store.remove("470.82.01").outcome, VolumeOutcome::ok);
  EXPECT_FALSE(fs::exists(mountpoint("470.82.01")));
  EXPECT_EQ(store.mount("470.82.01", "a").outcome, VolumeOutcome::no_such_volume);
  EXPECT_EQ(plans, 0);
}

TEST_F(Store, AnotherVersionNotOnDiskIsNoSuchVolume) {
  VolumeStore store = make_store();
  EXPECT_EQ(store.mount("352.79", "a").outcome, VolumeOutcome::no_such_volume);
  EXPECT_EQ(store.path("352.79").outcome, VolumeOutcome::no_such_volume);
  EXPECT_EQ(store.create("352.79").outcome, VolumeOutcome::invalid_version);
  // Removing what is not there succeeds, so that Docker can forget it.
  EXPECT_EQ(store.remove("352.79").outcome, VolumeOutcome::ok);
  EXPECT_EQ(store.unmount("352.79", "a").outcome, VolumeOutcome::ok);
  EXPECT_EQ(plans, 0);
  EXPECT_FALSE(fs::exists(mountpoint("352.79")));
}

TEST_F(Store, FollowsADriverUpgradeWithoutARestart) {
  VolumeStore store = make_store();
  store.mount("535.104.05", "old-container");
  set_version("550.54.14");
  EXPECT_EQ(store.current_version(), "550.54.14");
  EXPECT_EQ(store.create("550.54.14").outcome, VolumeOutcome::ok);
  // The old volume stays for the containers that use it, until removed.
  EXPECT_EQ(store.path("535.104.05").outcome, VolumeOutcome::ok);
  std::vector<VolumeListing> listed = store.list();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].version, "535.104.05");
  EXPECT_EQ(listed[1].version, "550.54.14");
  EXPECT_EQ(listed[1].mountpoint, mountpoint("550.54.14"));
  store.unmount("535.104.05", "old-container");
  EXPECT_EQ(store.remove("535.104.05").outcome, VolumeOutcome::ok);
  EXPECT_EQ(store.create("535.104.05").outcome, VolumeOutcome::invalid_version);
}

TEST_F(Store, ListShowsTheCurrentVolumeBeforeItsFirstBuild) {
  VolumeStore store = make_store();
  std::vector<VolumeListing> listed = store.list();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].version, "535.104.05");
  EXPECT_EQ(listed[0].mountpoint, mountpoint("535.104.05"));
  EXPECT_EQ(plans, 0);
}

TEST_F(Store, RefusesToRemoveAMountedVolume) {
  VolumeStore store = make_store();
  store.mount("535.104.05", "a");
  store.mount("535.104.05", "b");
  store.mount("535.104.05", "b");
  VolumeReply reply = store.remove("535.104.05");
  EXPECT_EQ(reply.outcome, VolumeOutcome::in_use);
  EXPECT_EQ(reply.mounts, 3u);
  store.unmount("535.104.05", "b");
  store.unmount("535.104.05", "a");
  EXPECT_EQ(store.remove("535.104.05").mounts, 1u);
  store.unmount("535.104.05", "unknown-id");
  store.unmount("535.104.05", "b");
  EXPECT_EQ(store.remove("535.104.05").outcome, VolumeOutcome::ok);
  EXPECT_FALSE(fs::exists(mountpoint("535.104.05")));
}

TEST_F(Store, EightConcurrentCreatesMakeOneBuild) {
  VolumeStore store = make_store();
  plan_delay_ms = 100; // all eight arrive while the first one builds
  std::vector<std::thread> threads;
  std::vector<VolumeReply> replies(8);
  for (std::size_t i = 0; i < replies.size(); ++i)
    threads.emplace_back([&, i] { replies[i] = store.create("535.104.05"); });
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(plans, 1);
  for (const VolumeReply &reply : replies) {
    EXPECT_EQ(reply.outcome, VolumeOutcome::ok);
    EXPECT_EQ(reply.mountpoint, mountpoint("535.104.05"));
  }
  EXPECT_EQ(fs::directory_iterator(volumes + "/nvidia_driver")->path().filename(), "535.104.05");
}

TEST_F(Store, ConcurrentMixedRequestsAreSafe) {
  VolumeStore store = make_store();
  build_volume(stand_in_driver(temp.file("old-driver"), "470.82.01"), volumes);
  plan_delay_ms = 20;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      for (int round = 0; round < 20; ++round) {
        std::string id = "c" + std::to_string(i);
        VolumeReply mounted = store.mount(i % 2 == 0 ? "535.104.05" : "470.82.01", id);
        if (mounted.outcome != VolumeOutcome::ok || !fs::exists(mounted.mountpoint))
          ++failures;
        store.list();
        store.unmount(i % 2 == 0 ? "535.104.05" : "470.82.01", id);
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(plans, 1);
  EXPECT_EQ(store.remove("470.82.01").outcome, VolumeOutcome::ok);
  EXPECT_EQ(store.remove("535.104.05").outcome, VolumeOutcome::ok);
}

TEST_F(Store, AFailedBuildIsAnErrorAndIsTriedAgainNextTime) {
  VolumeStore store = make_store();
  plan_fails = true;
  EXPECT_THROW(store.create("535.104.05"), Error);
  EXPECT_FALSE(fs::exists(mountpoint("535.104.05")));
  plan_fails = false;
  EXPECT_EQ(store.create("535.104.05").outcome, VolumeOutcome::ok);
  EXPECT_EQ(plans, 2);
}

TEST_F(Store, ConcurrentRequestsDuringAFailedBuildAllGetAnAnswer) {
  VolumeStore store = make_store();
  plan_fails = true;
  plan_delay_ms = 50;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      try {
        store.mount("535.104.05", "x");
      } catch (const Error &) {
        ++errors;
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(errors, 4);
}

TEST_F(Store, APlanForAnotherVersionIsRefused) {
  VolumeStore store(
      volumes, [] { return std::string("535.104.05"); },
      [this](const std::string &) { return stand_in_driver(temp.file("driver"), "1.0"); });
  try {
    store.create("535.104.05");
    FAIL() << "no error";
  } catch (const Error &error) {
    EXPECT_STREQ(error.what(), "the volume plan for 535.104.05 is for another version (1.0)");
  }
  EXPECT_EQ(volumes_on_disk(volumes), std::vector<std::string>{});
}

TEST_F(Store, ADriverVersionThatIsNoVersionNamesNoFolder) {
  set_version("../../etc");
  VolumeStore store = make_store();
  try {
    store.create("535.104.05");
    FAIL() << "no error";
  } catch (const Error &error) {
    EXPECT_STREQ(error.what(), "the driver version \"../../etc\" is not dot-separated numbers: no "
                               "driver volume can be served");
  }
  // The volumes on disk are still listed.
  build_volume(stand_in_driver(temp.file("old-driver"), "470.82.01"), volumes);
  ASSERT_EQ(store.list().size(), 1u);
  EXPECT_EQ(store.list()[0].version, "470.82.01");
  EXPECT_EQ(plans, 0);
}

TEST_F(Store, RefusesVersionsThatAreNotOne) {
  VolumeStore store = make_store();
  EXPECT_THROW(store.create(".."), Error);
  EXPECT_THROW(store.remove("../x"), Error);
  EXPECT_THROW(store.mount("", "a"), Error);
  EXPECT_THROW(store.unmount("a/b", "a"), Error);
  EXPECT_THROW(store.path("1..2"), Error);
}

TEST_F(Store, StartsByRemovingLeftoversAndMakesTheFolderAbsolute) {
  write_file(volumes + "/nvidia_driver/.build-535.104.05-1-1/bin/x", "half");
  std::string cwd = fs::current_path();
  fs::current_path(temp.path());
  VolumeStore store(
      "volumes/", [] { return std::string("535.104.05"); },
      [this](const std::string &v) { return stand_in_driver(temp.file("driver"), v); },
      [this](const std::string &line) { log.push_back(line); });
  fs::current_path(cwd);
  EXPECT_EQ(store.volumes_dir(), volumes);
  EXPECT_FALSE(fs::exists(volumes + "/nvidia_driver/.build-535.104.05-1-1"));
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0], "removed 1 unfinished volume build in " + volumes + "/nvidia_driver/");
  EXPECT_EQ(store.create("535.104.05").mountpoint, mountpoint("535.104.05"));
}

// After an upgrade without a reboot the new driver cannot be loaded, but the
// volume on disk is the one of the running kernel module: still served.
TEST_F(Store, ServesTheVolumesOnDiskWhileTheDriverVersionIsUnknown) {
  VolumeStore store = make_store();
  ASSERT_EQ(store.create("535.104.05").outcome, VolumeOutcome::ok);
  version_fails = true;
  EXPECT_EQ(store.mount("535.104.05", "a").mountpoint, mountpoint("535.104.05"));
  EXPECT_EQ(store.path("535.104.05").mountpoint, mountpoint("535.104.05"));
  EXPECT_EQ(store.create("535.104.05").outcome, VolumeOutcome::ok);
  std::vector<VolumeListing> listed = store.list();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].version, "535.104.05");
  EXPECT_EQ(store.remove("535.104.05").outcome, VolumeOutcome::in_use);
  EXPECT_EQ(store.unmount("535.104.05", "a").outcome, VolumeOutcome::ok);
  EXPECT_EQ(store.remove("535.104.05").outcome, VolumeOutcome::ok);
  EXPECT_FALSE(fs::exists(mountpoint("535.104.05")));
  EXPECT_EQ(plans, 1);
}

// A version not on disk cannot be told apart from the current one then:
// the reason the driver version is unknown is the answer.
TEST_F(Store, AVersionNotOnDiskWhileTheDriverVersionIsUnknownIsThatError) {
  VolumeStore store = make_store();
  version_fails = true;
  for (auto call : std::vector<std::function<void()>>{
           [&] { store.create("550.54.14"); }, [&] { store.mount("550.54.14", "a"); },
           [&] { store.path("550.54.14"); }}) {
    try {
      call();
      ADD_FAILURE() << "no error";
    } catch (const Error &error) {
      EXPECT_EQ(error.what(), nvml_mismatch);
    }
  }
  EXPECT_EQ(store.list().size(), 0u);
  EXPECT_EQ(plans, 0);
  EXPECT_FALSE(fs::exists(mountpoint("550.54.14")));
}

TEST_F(Store, TheApiServesAVolumeOnDiskWhileTheDriverVersionIsUnknown) {
  VolumeStore store = make_store();
  store.create("535.104.05");
  version_fails = true;
  PluginApiAnswer mounted = answer_plugin_request(
      store, "POST", "/VolumeDriver.Mount", R"({"Name":"nvidia_driver_535.104.05","ID":"c1"})");
  EXPECT_EQ(mounted.status, 200);
  EXPECT_EQ(mounted.body, R"({"Mountpoint":")" + mountpoint("535.104.05") + R"(","Err":""})");
  PluginApiAnswer missing = answer_plugin_request(store, "POST", "/VolumeDriver.Mount",
                                                  R"({"Name":"nvidia_driver_550.54.14"})");
  EXPECT_EQ(missing.error, "nvidia_driver_550.54.14: " + nvml_mismatch);
}
