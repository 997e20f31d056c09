// SPDX-License-Identifier: BSD-3-Clause
// The driver volume as dockerd knows it: listed and inspected, mounted by
// plain docker with the wiki's arguments, refused clearly where the volume
// API must refuse, built once for many containers at once, kept across a
// plugin restart, renewed by a driver upgrade, and built on another file
// system.
#include "real_engine_world.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <sys/stat.h>

using namespace nvd::test;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

namespace fs = std::filesystem;

struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;
  bool operator==(const FileIdentity &other) const {
    return device == other.device && inode == other.inode;
  }
};

FileIdentity identity_of(const std::string &path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0)
    return {};
  return {info.st_dev, info.st_ino};
}

// The driver's libcuda file (not a link) in the tree.
std::string libcuda_file(const DriverTree &tree) {
  for (const auto &library : tree.libraries)
    if (library.name == "libcuda" && !library.is_32bit)
      return library.path;
  return "";
}

} // namespace

TEST_F(RealEngine, DockerVolumeLsAndInspectShowTheDriverVolume) {
  REQUIRE_PLUGIN();
  Completed run = nvidia_docker({"run", "--rm", label_image, "true"});
  ASSERT_EQ(run.status, 0) << describe(run);
  Completed list = docker({"volume", "ls", "--format", "{{.Driver}} {{.Name}}"});
  EXPECT_THAT(list.out, HasSubstr("nvidia-docker " + volume_name() + "\n")) << describe(list);
  Completed inspect =
      docker({"volume", "inspect", "--format", "{{.Driver}} {{.Mountpoint}}", volume_name()});
  EXPECT_EQ(inspect.out, "nvidia-docker " + volume_folder() + "\n") << describe(inspect);
}

TEST_F(RealEngine, PlainDockerWithTheWikisArgumentsMountsTheSameVolume) {
  REQUIRE_PLUGIN();
  // nvidia-docker 1.0's wiki: what to type when not using nvidia-docker.
  const std::string version = world().driver().version();
  const std::string file = "lib64/libcuda.so." + version;
  Completed run =
      docker({"run", "--rm", "--volume-driver=nvidia-docker", "-v",
              volume_name() + ":/usr/local/nvidia:ro", "--device=/dev/nvidiactl",
              "--device=/dev/nvidia-uvm", "--device=/dev/nvidia2", plain_image, "sh", "-c",
              "stat -c '%i' /usr/local/nvidia/" + file + " && /usr/local/nvidia/bin/nvidia-smi"});
  ASSERT_EQ(run.status, 0) << describe(run);
  std::vector<std::string> lines = lines_of(run.out);
  ASSERT_FALSE(lines.empty());
  // The same file as the host's volume folder holds (a hard link of the driver's).
  FileIdentity on_host = identity_of(volume_folder() + "/" + file);
  EXPECT_EQ(lines[0], std::to_string(on_host.inode));
  EXPECT_TRUE(on_host == identity_of(libcuda_file(world().driver().tree())));
  EXPECT_THAT(run.out, HasSubstr("Driver Version: " + version));
  EXPECT_THAT(run.out, HasSubstr("GPU device nodes: /dev/nvidia2\n"));
}

TEST_F(RealEngine, VolumeCreateOfAnotherNameIsRefusedInOneClearLine) {
  REQUIRE_PLUGIN();
  Completed create = docker({"volume", "create", "-d", "nvidia-docker", "--name", "scratch"});
  EXPECT_NE(create.status, 0) << describe(create);
  EXPECT_THAT(create.err, HasSubstr("bad volume format: scratch"));
  EXPECT_THAT(create.err, HasSubstr(volume_name())); // what this host serves
  EXPECT_EQ(lines_of(create.err).size(), 1u) << create.err;
  EXPECT_THAT(driver_volumes(), Not(::testing::Contains("scratch")));
  expect_plugin_serving();
}

TEST_F(RealEngine, VolumeCreateOfAnotherDriverVersionIsRefusedWithThisHostsVersion) {
  REQUIRE_PLUGIN();
  Completed create =
      docker({"volume", "create", "-d", "nvidia-docker", "--name", "nvidia_driver_470.199.02"});
  EXPECT_NE(create.status, 0) << describe(create);
  EXPECT_THAT(create.err, HasSubstr("invalid volume version: nvidia_driver_470.199.02"));
  EXPECT_THAT(create.err, HasSubstr(volume_name()));
  EXPECT_FALSE(fs::exists(world().volumes_dir() + "/nvidia_driver/470.199.02"));
  expect_plugin_serving();
}

TEST_F(RealEngine, AnAnonymousVolumeWithTheVolumeDriverIsRefusedAsBadVolumeFormat) {
  REQUIRE_PLUGIN();
  // 1.0's gotcha: --volume-driver applies to every -v, and an anonymous
  // volume gets a random name that is no driver volume.
  Completed run =
      docker({"run", "--rm", "--volume-driver=nvidia-docker", "-v", "/data", plain_image, "true"});
  EXPECT_NE(run.status, 0) << describe(run);
  EXPECT_THAT(run.err, HasSubstr("bad volume format: "));
  EXPECT_THAT(run.err, Not(HasSubstr("Unable to find image")));
  expect_plugin_serving();
}

TEST_F(RealEngine, SeveralGpuContainersStartedAtOnceShareOneVolume) {
  REQUIRE_PLUGIN();
  // From no volume at all: every container asks for it at once, one build serves them.
  docker({"volume", "rm", volume_name()});
  ASSERT_FALSE(fs::exists(volume_folder()));
  std::vector<Invocation> invocations;
  for (int i = 0; i < 6; ++i)
    invocations.push_back(
        {{"run", "--rm", label_image, "nvidia-smi"}, {{"NV_GPU", std::to_string(i % 3)}}});
  std::vector<Completed> runs = nvidia_docker_together(invocations);
  for (const auto &run : runs) {
    EXPECT_EQ(run.status, 0) << describe(run);
    EXPECT_THAT(run.out, HasSubstr("Driver Version: " + world().driver().version()));
  }
  EXPECT_EQ(driver_volumes(), std::vector<std::string>{volume_name()});
  // Nothing half-built beside it.
  std::vector<std::string> entries;
  for (const auto &entry : fs::directory_iterator(world().volumes_dir() + "/nvidia_driver"))
    entries.push_back(entry.path().filename().string());
  EXPECT_EQ(entries, std::vector<std::string>{world().driver().version()});
}

TEST_F(RealEngine, APluginRestartReusesTheVolume) {
  REQUIRE_PLUGIN();
  Completed first = nvidia_docker({"run", "--rm", label_image, "true"});
  ASSERT_EQ(first.status, 0) << describe(first);
  FileIdentity folder = identity_of(volume_folder());
  ASSERT_NE(folder.inode, 0u);

  EXPECT_EQ(world().stop_plugin(), 0) << world().plugin().log();
  EXPECT_FALSE(fs::exists(plugin_socket("/run/docker/plugins")))
      << "the socket outlived the plugin";
  world().ensure_default_plugin();

  Completed again = nvidia_docker({"run", "--rm", label_image, "nvidia-smi"});
  ASSERT_EQ(again.status, 0) << describe(again);
  EXPECT_TRUE(identity_of(volume_folder()) == folder) << "the volume was built again";
  EXPECT_EQ(driver_volumes(), std::vector<std::string>{volume_name()});
}

TEST_F(RealEngine, APluginKilledOutrightServesAgainOnceRestarted) {
  REQUIRE_PLUGIN();
  Completed first = nvidia_docker({"run", "--rm", label_image, "true"});
  ASSERT_EQ(first.status, 0) << describe(first);
  // Its socket file stays behind: the next start must not trip over it.
  world().plugin().kill_outright();
  ASSERT_TRUE(fs::exists(plugin_socket("/run/docker/plugins")));
  world().ensure_default_plugin();
  expect_plugin_serving();
}

TEST_F(RealEngine, ADriverUpgradeServesANewVolumeWithoutAPluginRestart) {
  REQUIRE_PLUGIN();
  const std::string old_version = world().driver().version();
  const std::string old_volume = volume_name();
  Completed before = nvidia_docker({"run", "--rm", label_image, "nvidia-smi"});
  ASSERT_EQ(before.status, 0) << describe(before);

  const std::string new_version = "550.54.14";
  world().driver().upgrade(new_version);
  Completed after = nvidia_docker(
      {"run", "--rm", label_image, "sh", "-c", "nvidia-smi; ls /usr/local/nvidia/lib64"});
  ASSERT_EQ(after.status, 0) << describe(after) << world().plugin().log();
  EXPECT_THAT(after.out, HasSubstr("Driver Version: " + new_version));
  EXPECT_THAT(after.out, HasSubstr("libcuda.so." + new_version + "\n"));
  EXPECT_THAT(after.out, Not(HasSubstr(old_version)));
  EXPECT_TRUE(world().plugin().running()) << "the plugin had to restart";
  // The old volume stays until removed: a container made before still works.
  std::vector<std::string> volumes = driver_volumes();
  EXPECT_THAT(volumes, ::testing::UnorderedElementsAre(old_volume, "nvidia_driver_" + new_version));
  EXPECT_TRUE(fs::exists(world().volumes_dir() + "/nvidia_driver/" + old_version +
                         "/lib64/libcuda.so." + old_version));
}

TEST_F(RealEngine, AVolumesFolderOnAnotherFileSystemIsBuiltByCopying) {
  REQUIRE_PLUGIN();
  // 1.0 failed here with "invalid cross-device link".
  std::string other = sandbox_dir() + "/volumes-on-tmpfs";
  fs::create_directories(other);
  mount_tmpfs(other);
  PluginSetup setup = world().default_plugin_setup();
  setup.volumes_dir = other;
  world().replace_plugin(setup);

  const std::string version = world().driver().version();
  Completed run =
      nvidia_docker({"run", "--rm", label_image, "sh", "-c",
                     "nvidia-smi && stat -c '%s' /usr/local/nvidia/lib64/libcuda.so." + version});
  EXPECT_EQ(run.status, 0) << describe(run) << world().plugin().log();
  EXPECT_THAT(run.out, HasSubstr("Driver Version: " + version));
  std::string built = other + "/nvidia_driver/" + version + "/lib64/libcuda.so." + version;
  std::string source = libcuda_file(world().driver().tree());
  EXPECT_TRUE(fs::is_regular_file(built));
  EXPECT_FALSE(identity_of(built) == identity_of(source)) << "a hard link across file systems?";
  EXPECT_EQ(fs::file_size(built), fs::file_size(source));
  EXPECT_THAT(run.out, HasSubstr("\n" + std::to_string(fs::file_size(source)) + "\n"));

  // Forgotten while its plugin still answers (dockerd waits for a driver that does not).
  docker({"volume", "rm", volume_name()});
  world().stop_plugin();
  unmount_path(other);
}
