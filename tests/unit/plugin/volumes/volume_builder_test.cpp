// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/volumes/volume_builder.hpp"
#include "nvd/plugin/volumes/volume_folder.hpp"

#include "nvd/common/error.hpp"
#include "support/table.hpp"
#include "support/temp_dir.hpp"
#include "unit/plugin/volumes/volume_files.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>
#include <iostream>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>

using namespace nvd;
using namespace nvd::test;
namespace fs = std::filesystem;

namespace {

// A driver tree and a volumes folder beside it, in one temp folder.
class VolumeBuilder : public ::testing::Test {
protected:
  TempDir temp{"nvd-volume-builder"};
  std::string driver = temp.file("driver");
  std::string volumes = temp.file("volumes");
  VolumePlan plan = stand_in_driver(driver);
  std::string volume = volumes + "/nvidia_driver/535.104.05";
};

std::vector<std::string> names_in(const std::string &folder) {
  std::vector<std::string> names;
  if (fs::exists(folder))
    for (const auto &entry : fs::directory_iterator(folder))
      names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string error_of(const std::function<void()> &action) {
  try {
    action();
  } catch (const Error &error) {
    return error.what();
  }
  return "(no error)";
}

} // namespace

TEST_F(VolumeBuilder, LaysOutTheLayoutOf10WithHardLinks) {
  VolumeBuild build = build_volume(plan, volumes);
  EXPECT_TRUE(build.built);
  EXPECT_EQ(build.mountpoint, volume);
  EXPECT_EQ(build.hard_links, 5u);
  EXPECT_EQ(build.copies + build.clones, 0u);
  EXPECT_EQ(build.symlinks, 4u);
  EXPECT_EQ(names_in(volume), (std::vector<std::string>{"bin", "lib", "lib64"}));
  EXPECT_EQ(names_in(volume + "/lib64"),
            (std::vector<std::string>{"libcuda.so", "libcuda.so.1", "libcuda.so.535.104.05",
                                      "libnvidia-ml.so.1", "libnvidia-ml.so.535.104.05"}));
  // Hard links: the very inode of the driver's file, no disk used.
  EXPECT_EQ(inode_of(volume + "/lib64/libcuda.so.535.104.05"),
            inode_of(driver + "/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05"));
  EXPECT_EQ(inode_of(volume + "/bin/nvidia-smi"), inode_of(driver + "/usr/bin/nvidia-smi"));
  EXPECT_EQ(mode_of(volume + "/bin/nvidia-smi"), 0755u);
  EXPECT_EQ(fs::read_symlink(volume + "/lib64/libcuda.so.1"), "libcuda.so.535.104.05");
  EXPECT_EQ(read_file(volume + "/lib/libcuda.so.1"), std::string(8000, 'C'));
  EXPECT_EQ(mode_of(volume), 0755u);
  EXPECT_EQ(mode_of(volumes), 0755u);
  // Nothing but the volume beside it: the temporary folder was renamed into place.
  EXPECT_EQ(names_in(volumes + "/nvidia_driver"), std::vector<std::string>{"535.104.05"});
  EXPECT_TRUE(volume_on_disk(volumes, "535.104.05"));
}

TEST_F(VolumeBuilder, LeavesAnExistingVolumeAsItIs) {
  build_volume(plan, volumes);
  write_file(volume + "/bin/marker", "kept");
  auto before = snapshot(volumes);
  VolumeBuild again = build_volume(plan, volumes);
  EXPECT_FALSE(again.built);
  EXPECT_EQ(again.mountpoint, volume);
  EXPECT_EQ(snapshot(volumes), before);
}

TEST_F(VolumeBuilder, MakesTheThreeFoldersEvenForAnEmptyPlan) {
  VolumePlan empty;
  empty.version = "1.0";
  build_volume(empty, volumes);
  EXPECT_EQ(names_in(volumes + "/nvidia_driver/1.0"),
            (std::vector<std::string>{"bin", "lib", "lib64"}));
}

TEST_F(VolumeBuilder, MakesNestedFolders) {
  plan.entries.push_back({VolumeEntry::Kind::file, "lib64/vdpau/libvdpau_nvidia.so.1",
                          driver + "/usr/bin/nvidia-smi"});
  build_volume(plan, volumes);
  EXPECT_TRUE(fs::is_regular_file(volume + "/lib64/vdpau/libvdpau_nvidia.so.1"));
}

TEST_F(VolumeBuilder, LinksTheFileASourceSymlinkPointsTo) {
  fs::create_symlink("libcuda.so." + plan.version,
                     driver + "/usr/lib/x86_64-linux-gnu/libcuda.so.1");
  plan.entries[5].source = driver + "/usr/lib/x86_64-linux-gnu/libcuda.so.1";
  build_volume(plan, volumes);
  EXPECT_FALSE(fs::is_symlink(volume + "/lib64/libcuda.so.535.104.05"));
  EXPECT_EQ(inode_of(volume + "/lib64/libcuda.so.535.104.05"),
            inode_of(driver + "/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05"));
}

TEST_F(VolumeBuilder, CopiesWhenTheVolumesFolderIsOnAnotherFileSystem) {
  ShmDir shm;
  if (!shm.usable() || device_of(shm.path()) == device_of(temp.path()))
    GTEST_SKIP() << "needs /dev/shm on another file system than the temp folder";
  // 1.0 failed here with "invalid cross-device link".
  write_file(driver + "/usr/bin/nvidia-persistenced", "setuid in the source", 04755);
  plan.entries.push_back({VolumeEntry::Kind::file, "bin/nvidia-persistenced",
                          driver + "/usr/bin/nvidia-persistenced"});
  std::string shm_volumes = shm.path() + "/volumes";
  VolumeBuild build = build_volume(plan, shm_volumes);
  std::string copy = shm_volumes + "/nvidia_driver/535.104.05";
  EXPECT_EQ(build.hard_links, 0u);
  EXPECT_EQ(build.copies + build.clones, 6u);
  EXPECT_NE(inode_of(copy + "/lib64/libcuda.so.535.104.05"),
            inode_of(driver + "/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05"));
  EXPECT_EQ(read_file(copy + "/lib64/libcuda.so.535.104.05"), std::string(10000, 'c'));
  EXPECT_EQ(read_file(copy + "/bin/nvidia-smi"), "nvidia-smi 535.104.05");
  EXPECT_EQ(mode_of(copy + "/bin/nvidia-smi"), 0755u);
  EXPECT_EQ(mode_of(copy + "/lib64/libcuda.so.535.104.05"), 0644u);
  // A copy never becomes a new set-user-ID file.
  EXPECT_EQ(mode_of(copy + "/bin/nvidia-persistenced"), 0755u);
  EXPECT_EQ(fs::read_symlink(copy + "/lib64/libcuda.so"), "libcuda.so.535.104.05");
}

TEST_F(VolumeBuilder, CopiesOntoATmpfsMountedInAPrivateMountNamespace) {
  fs::create_directories(volumes);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Exit codes: 0 built and checked, 77 cannot mount here, 1 failed.
    if (::unshare(CLONE_NEWNS) != 0 ||
        ::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        ::mount("tmpfs", volumes.c_str(), "tmpfs", 0, "size=16m") != 0)
      ::_exit(77);
    try {
      VolumeBuild build = build_volume(plan, volumes);
      bool copied =
          build.hard_links == 0 && build.copies + build.clones == 5 &&
          read_file(volume + "/lib64/libnvidia-ml.so.535.104.05") == std::string(5000, 'm');
      ::_exit(copied ? 0 : 1);
    } catch (...) {
      ::_exit(1);
    }
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77)
    GTEST_SKIP() << "cannot mount a tmpfs in a private mount namespace here (not root?)";
  EXPECT_EQ(WEXITSTATUS(status), 0);
  // The tmpfs was private to the child: nothing of it here.
  EXPECT_EQ(names_in(volumes), std::vector<std::string>{});
}

// fs.protected_hardlinks forbids a user to link a file it does not own (the
// root-owned driver files, for a plugin that runs as its own user): copies.
TEST_F(VolumeBuilder, CopiesWhatItMayNotHardLink) {
  if (::geteuid() != 0 || read_file("/proc/sys/fs/protected_hardlinks") != "1\n")
    GTEST_SKIP() << "needs root and fs.protected_hardlinks=1";
  fs::permissions(temp.path(), fs::perms(0755));
  fs::create_directories(volumes);
  ASSERT_EQ(::chown(volumes.c_str(), 65534, 65534), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0)
      ::_exit(77);
    try {
      VolumeBuild build = build_volume(plan, volumes);
      ::_exit(build.hard_links == 0 && build.copies + build.clones == 5 ? 0 : 1);
    } catch (...) {
      ::_exit(2);
    }
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(read_file(volume + "/lib64/libcuda.so.535.104.05"), std::string(10000, 'c'));
  EXPECT_NE(inode_of(volume + "/lib64/libcuda.so.535.104.05"),
            inode_of(driver + "/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05"));
}

// Links are made from the open descriptor: with AT_EMPTY_PATH where the
// kernel lets this user (CAP_DAC_READ_SEARCH, or Linux 6.10 and later for a
// file it opened itself), else through /proc/self/fd. Either way an ordinary
// user gets hard links of its own files.
TEST_F(VolumeBuilder, HardLinksFromTheOpenFileAsAnOrdinaryUser) {
  if (::geteuid() != 0)
    GTEST_SKIP() << "needs root to become an ordinary user";
  fs::permissions(temp.path(), fs::perms(0755));
  fs::create_directories(volumes);
  for (const std::string &path : {driver, volumes}) {
    ASSERT_EQ(::chown(path.c_str(), 65534, 65534), 0);
    for (const auto &entry : fs::recursive_directory_iterator(path))
      ASSERT_EQ(::lchown(entry.path().c_str(), 65534, 65534), 0);
  }
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0)
      ::_exit(77);
    try {
      VolumeBuild build = build_volume(plan, volumes);
      ::_exit(build.hard_links == 5 && build.copies + build.clones == 0 ? 0 : 1);
    } catch (...) {
      ::_exit(2);
    }
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(inode_of(volume + "/lib64/libcuda.so.535.104.05"),
            inode_of(driver + "/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05"));
}

TEST_F(VolumeBuilder, CreatesAMissingVolumesFolderWithParents) {
  std::string deep = temp.file("a/b/volumes");
  build_volume(plan, deep);
  EXPECT_TRUE(volume_on_disk(deep, "535.104.05"));
  EXPECT_EQ(mode_of(temp.file("a")), 0755u);
}

TEST_F(VolumeBuilder, LeavesNothingWhenASourceIsMissing) {
  plan.entries[5].source = driver + "/usr/lib/x86_64-linux-gnu/libcuda.so.gone";
  EXPECT_EQ(error_of([&] { build_volume(plan, volumes); }),
            "cannot build the driver volume at " + volume +
                ": lib64/libcuda.so.535.104.05: cannot read " + driver +
                "/usr/lib/x86_64-linux-gnu/libcuda.so.gone: No such file or directory");
  EXPECT_EQ(names_in(volumes + "/nvidia_driver"), std::vector<std::string>{});
}

TEST_F(VolumeBuilder, RefusesASourceThatIsNotARegularFile) {
  plan.entries[0].source = driver + "/usr/bin";
  EXPECT_EQ(error_of([&] { build_volume(plan, volumes); }),
            "cannot build the driver volume at " + volume + ": bin/nvidia-debugdump: " + driver +
                "/usr/bin is not a regular file");
  EXPECT_EQ(names_in(volumes + "/nvidia_driver"), std::vector<std::string>{});
}

TEST_F(VolumeBuilder, RefusesAFifoAsASourceWithoutWaitingOnIt) {
  std::string fifo = driver + "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  plan.entries[7].source = fifo;
  auto begin = std::chrono::steady_clock::now();
  auto building = std::async(std::launch::async,
                             [&] { return error_of([&] { build_volume(plan, volumes); }); });
  if (building.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    // Let a build that waits on the FIFO go, so that the test ends.
    int writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    ADD_FAILURE() << "the build waited on the FIFO";
    if (writer >= 0)
      ::close(writer);
  }
  EXPECT_EQ(building.get(), "cannot build the driver volume at " + volume +
                                ": lib64/libnvidia-ml.so.535.104.05: " + fifo +
                                " is not a regular file");
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(10));
  EXPECT_EQ(names_in(volumes + "/nvidia_driver"), std::vector<std::string>{});
}

// A source path that names a FIFO one moment and a driver file the next (a
// planted symlink switched back and forth): every build gives the regular
// file or a clear error, never a FIFO in the volume, never a wait on it.
class SwappedSource : public VolumeBuilder, public ::testing::WithParamInterface<bool> {};

TEST_P(SwappedSource, IsLinkedOrCopiedAsCheckedOrRefused) {
  // The volumes on a tmpfs (fast: many builds); the driver beside them to be
  // linked, or on the temp folder's file system to be copied.
  ShmDir shm;
  if (!shm.usable() || device_of(shm.path()) == device_of(temp.path()))
    GTEST_SKIP() << "needs /dev/shm on another file system than the temp folder";
  const bool copied = GetParam();
  const std::string target_volumes = shm.path() + "/volumes";
  const std::string lib = (copied ? driver : shm.path() + "/driver") + "/usr/lib/x86_64-linux-gnu/";
  if (!copied)
    stand_in_driver(shm.path() + "/driver");
  const std::string fifo = lib + "planted.fifo";
  const std::string source = lib + "libnvidia-ml.so.switching";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  ASSERT_EQ(::symlink("libnvidia-ml.so.535.104.05", source.c_str()), 0);
  VolumePlan one;
  one.entries = {{VolumeEntry::Kind::file, "lib64/libnvidia-ml.so.1", source}};

  std::atomic<bool> done{false};
  std::atomic<int> progress{0};
  std::thread switcher([&] {
    const std::string next = lib + "next-link";
    for (bool to_fifo = true; !done; to_fifo = !to_fifo) {
      ::unlink(next.c_str());
      if (::symlink(to_fifo ? "planted.fifo" : "libnvidia-ml.so.535.104.05", next.c_str()) == 0)
        ::rename(next.c_str(), source.c_str());
    }
  });
  std::atomic<int> regular{0}, refused{0}, wrong{0};
  std::string first_wrong;
  std::mutex wrong_mutex;
  std::thread builder([&] {
    auto begin = std::chrono::steady_clock::now();
    for (int i = 0; i < 3000 && std::chrono::steady_clock::now() - begin < std::chrono::seconds(4);
         ++i, ++progress) {
      one.version = "1." + std::to_string(i);
      std::string error = error_of([&] { build_volume(one, target_volumes); });
      std::string file = target_volumes + "/nvidia_driver/" + one.version + "/lib64/" +
                         "libnvidia-ml.so.1";
      struct stat info {};
      // lstat first: reading a FIFO that got into the volume would wait.
      if (error == "(no error)" && ::lstat(file.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
          read_file(file) == std::string(5000, 'm'))
        ++regular;
      else if (error.find(" is not a regular file") != std::string::npos)
        ++refused;
      else {
        ++wrong;
        std::lock_guard<std::mutex> lock(wrong_mutex);
        if (first_wrong.empty())
          first_wrong = error == "(no error)" ? "a volume with something else than the file"
                                              : error;
      }
      if (error == "(no error)")
        remove_volume(target_volumes, one.version);
    }
  });
  // A build that waits on the FIFO is let go (and counted), so the test ends.
  std::atomic<int> waits{0};
  std::thread watchdog([&] {
    int seen = -1;
    auto still_since = std::chrono::steady_clock::now();
    while (!done) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      if (progress != seen) {
        seen = progress;
        still_since = std::chrono::steady_clock::now();
      } else if (std::chrono::steady_clock::now() - still_since > std::chrono::milliseconds(500)) {
        // Opens only while a reader has the FIFO open: a build waiting on it.
        int writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
        if (writer >= 0) {
          ++waits;
          ::close(writer);
        }
        still_since = std::chrono::steady_clock::now();
      }
    }
  });
  builder.join();
  done = true;
  switcher.join();
  watchdog.join();
  EXPECT_EQ(waits, 0) << "builds waited on the FIFO";
  EXPECT_EQ(wrong, 0) << first_wrong;
  EXPECT_GT(regular + refused, 0);
  std::cout << "[ swapped  ] " << regular << " built, " << refused << " refused\n";
}

INSTANTIATE_TEST_SUITE_P(LinkAndCopy, SwappedSource, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool> &row) {
                           return row.param ? "Copied" : "Linked";
                         });

struct BadEntry {
  const char *name;
  VolumeEntry entry;
  const char *problem;
};
NVD_PRINT_ROW_AS_NAME(BadEntry)
class VolumeEntries : public ::testing::TestWithParam<BadEntry> {};

TEST_P(VolumeEntries, AreRefusedBeforeAnythingIsMade) {
  TempDir temp("nvd-volume-entry");
  VolumePlan plan;
  plan.version = "535.104.05";
  plan.entries = {GetParam().entry};
  EXPECT_EQ(volume_entry_problem(GetParam().entry), GetParam().problem);
  EXPECT_EQ(error_of([&] { build_volume(plan, temp.file("volumes")); }),
            "cannot build nvidia_driver_535.104.05: entry \"" + GetParam().entry.path +
                "\": " + GetParam().problem);
  EXPECT_FALSE(fs::exists(temp.file("volumes")));
}

using Kind = VolumeEntry::Kind;
INSTANTIATE_TEST_SUITE_P(
    Cases, VolumeEntries,
    ::testing::Values(
        BadEntry{"EmptyPath", {Kind::file, "", "/usr/bin/nvidia-smi"}, "the path is empty"},
        BadEntry{"AbsolutePath",
                 {Kind::file, "/etc/passwd", "/usr/bin/nvidia-smi"},
                 "the path is absolute (it must be relative to the volume)"},
        BadEntry{"DotDotPart",
                 {Kind::file, "bin/../../../etc/x", "/usr/bin/nvidia-smi"},
                 "the path has a \"..\" part"},
        BadEntry{
            "DotPart", {Kind::file, "bin/./x", "/usr/bin/nvidia-smi"}, "the path has a \".\" part"},
        BadEntry{"EmptyPart",
                 {Kind::file, "bin//x", "/usr/bin/nvidia-smi"},
                 "the path has an empty part"},
        BadEntry{"TrailingSlash",
                 {Kind::file, "bin/", "/usr/bin/nvidia-smi"},
                 "the path has an empty part"},
        BadEntry{"OddCharacters",
                 {Kind::file, "bin/nvidia smi", "/usr/bin/nvidia-smi"},
                 "the path has characters other than letters, digits, '_', '.' and '-'"},
        BadEntry{"RelativeSource",
                 {Kind::file, "bin/nvidia-smi", "usr/bin/nvidia-smi"},
                 "the source \"usr/bin/nvidia-smi\" is not an absolute path"},
        BadEntry{"SourceWithDotDot",
                 {Kind::file, "bin/nvidia-smi", "/usr/bin/../../etc/shadow"},
                 "the source \"/usr/bin/../../etc/shadow\" has a \"..\" part"},
        BadEntry{"SymlinkOutOfTheFolder",
                 {Kind::symlink, "lib64/libcuda.so", "../../../../etc/passwd"},
                 "the symlink's target \"../../../../etc/passwd\" has characters other than "
                 "letters, digits, '_', '.' and '-' (it must be a file name in the same folder)"},
        BadEntry{"AbsoluteSymlink",
                 {Kind::symlink, "lib64/libcuda.so", "/etc/passwd"},
                 "the symlink's target \"/etc/passwd\" has characters other than letters, digits, "
                 "'_', '.' and '-' (it must be a file name in the same folder)"},
        BadEntry{"SymlinkToParent",
                 {Kind::symlink, "lib64/up", ".."},
                 "the symlink's target \"..\" has a \"..\" part (it must be a file name in the "
                 "same folder)"}),
    nvd::test::RowName());

TEST_F(VolumeBuilder, RefusesAPlanWithAPathTwice) {
  plan.entries.push_back(plan.entries[0]);
  EXPECT_EQ(error_of([&] { build_volume(plan, volumes); }),
            "cannot build nvidia_driver_535.104.05: entry \"bin/nvidia-debugdump\" appears twice");
}

TEST_F(VolumeBuilder, RefusesAFileWhereAFolderGoes) {
  plan.entries.push_back({Kind::file, "lib64", driver + "/usr/bin/nvidia-smi"});
  EXPECT_EQ(error_of([&] { build_volume(plan, volumes); }),
            "cannot build nvidia_driver_535.104.05: entry \"lib64\" is both a file and a folder "
            "of the volume");
}

TEST_F(VolumeBuilder, RefusesAVersionThatIsNotOne) {
  for (std::string version : {"", "..", "../../etc", "535.104.05/x", "1..2", ".1", "a"}) {
    plan.version = version;
    EXPECT_EQ(error_of([&] { build_volume(plan, volumes); }),
              "invalid driver version \"" + version +
                  "\" (expected dot-separated numbers such as 535.104.05)");
  }
  EXPECT_FALSE(fs::exists(volumes));
}

// Symlinks planted inside the volumes folder, pointing outside it: never followed.
class PlantedSymlink : public VolumeBuilder {
protected:
  std::string outside = temp.file("outside");
  void SetUp() override {
    write_file(outside + "/precious", "do not touch");
    fs::create_directories(outside + "/nvidia_driver");
  }
};

TEST_F(PlantedSymlink, AtTheDriverFolderIsRefused) {
  fs::create_directories(volumes);
  fs::create_directory_symlink(outside, volumes + "/nvidia_driver");
  auto before = snapshot(outside);
  EXPECT_EQ(error_of([&] { build_volume(plan, volumes); }),
            volumes + "/nvidia_driver is a symlink: volumes are never reached through a symlink "
                      "(replace it with a folder, or choose another volumes folder with -d)");
  EXPECT_THROW(volume_on_disk(volumes, "535.104.05"), Error);
  EXPECT_THROW(volumes_on_disk(volumes), Error);
  EXPECT_THROW(remove_volume(volumes, "535.104.05"), Error);
  EXPECT_THROW(remove_leftover_builds(volumes), Error);
  EXPECT_EQ(snapshot(outside), before);
}

TEST_F(PlantedSymlink, AtAVersionIsNoVolumeAndIsLeftAlone) {
  fs::create_directories(volumes + "/nvidia_driver");
  fs::create_directory_symlink(outside, volume);
  auto before = snapshot(outside);
  EXPECT_FALSE(volume_on_disk(volumes, "535.104.05"));
  EXPECT_EQ(volumes_on_disk(volumes), std::vector<std::string>{});
  EXPECT_EQ(error_of([&] { build_volume(plan, volumes); }),
            "cannot build the driver volume at " + volume +
                ": something that is not a folder (a file or a symlink) is there; remove it");
  EXPECT_EQ(error_of([&] { remove_volume(volumes, "535.104.05"); }),
            volume + " is not a volume folder (a file or a symlink): left alone; remove it by "
                     "hand if it is not needed");
  EXPECT_TRUE(fs::is_symlink(volume));
  EXPECT_EQ(snapshot(outside), before);
}

TEST_F(PlantedSymlink, InsideAVolumeIsRemovedItselfNotWhatItPointsTo) {
  build_volume(plan, volumes);
  fs::create_directory_symlink(outside, volume + "/lib64/escape");
  fs::create_symlink(outside + "/precious", volume + "/bin/precious");
  auto before = snapshot(outside);
  EXPECT_TRUE(remove_volume(volumes, "535.104.05"));
  EXPECT_FALSE(exists_no_follow(volume));
  EXPECT_EQ(snapshot(outside), before);
  // The driver's own files lose a link, nothing more.
  EXPECT_EQ(read_file(driver + "/usr/bin/nvidia-smi"), "nvidia-smi 535.104.05");
}

TEST_F(PlantedSymlink, AtALeftoverNameIsRemovedItselfNotWhatItPointsTo) {
  fs::create_directories(volumes + "/nvidia_driver");
  fs::create_directory_symlink(outside, volumes + "/nvidia_driver/.build-535.104.05-1-1");
  auto before = snapshot(outside);
  EXPECT_EQ(remove_leftover_builds(volumes), 1u);
  EXPECT_EQ(names_in(volumes + "/nvidia_driver"), std::vector<std::string>{});
  EXPECT_EQ(snapshot(outside), before);
}

TEST_F(VolumeBuilder, LeftoversOfOurOwnAreRemovedAndNothingElse) {
  build_volume(plan, volumes);
  write_file(volumes + "/nvidia_driver/.build-535.104.05-4242-1/lib64/libcuda.so.535.104.05",
             "half");
  write_file(volumes + "/nvidia_driver/.remove-470.82.01-4242-2/bin/nvidia-smi", "half");
  write_file(volumes + "/nvidia_driver/.hidden", "someone's");
  write_file(volumes + "/nvidia_driver/.build-", "not one of ours: no version");
  write_file(volumes + "/nvidia_driver/notes.txt", "someone's");
  write_file(volumes + "/keep.txt", "someone's");
  fs::create_directories(volumes + "/nvidia_driver/build-1");
  EXPECT_EQ(remove_leftover_builds(volumes), 2u);
  EXPECT_EQ(names_in(volumes + "/nvidia_driver"),
            (std::vector<std::string>{".build-", ".hidden", "535.104.05", "build-1", "notes.txt"}));
  EXPECT_EQ(names_in(volumes), (std::vector<std::string>{"keep.txt", "nvidia_driver"}));
}

TEST_F(VolumeBuilder, ListsOnlyVersionFoldersInNumericOrder) {
  for (std::string version : {"535.104.05", "9.1", "10.0", "470.82.01"}) {
    VolumePlan other = plan;
    other.version = version;
    other.entries.clear();
    build_volume(other, volumes);
  }
  write_file(volumes + "/nvidia_driver/1.2", "a file, not a volume");
  fs::create_directories(volumes + "/nvidia_driver/custom");
  fs::create_directory_symlink(volume, volumes + "/nvidia_driver/999.1");
  EXPECT_EQ(volumes_on_disk(volumes),
            (std::vector<std::string>{"9.1", "10.0", "470.82.01", "535.104.05"}));
  EXPECT_EQ(volumes_on_disk(temp.file("none")), std::vector<std::string>{});
}

TEST_F(VolumeBuilder, RemovesAVolumeAndReportsOneThatWasNotThere) {
  build_volume(plan, volumes);
  EXPECT_TRUE(remove_volume(volumes, "535.104.05"));
  EXPECT_FALSE(remove_volume(volumes, "535.104.05"));
  EXPECT_FALSE(remove_volume(temp.file("none"), "535.104.05"));
  EXPECT_EQ(names_in(volumes + "/nvidia_driver"), std::vector<std::string>{});
  EXPECT_THROW(remove_volume(volumes, ".."), Error);
}

TEST_F(VolumeBuilder, TouchesNothingAroundTheVolumesFolder) {
  write_file(temp.file("around/file"), "beside the volumes folder");
  write_file(volumes + "/keep.txt", "in the volumes folder");
  write_file(volumes + "/nvidia_driver/notes.txt", "in nvidia_driver");
  fs::create_directories(volumes + "/nvidia_driver");
  auto around = snapshot(temp.file("around"));
  auto driver_before = snapshot(driver);
  build_volume(plan, volumes);
  remove_volume(volumes, "535.104.05");
  build_volume(plan, volumes);
  remove_leftover_builds(volumes);
  EXPECT_EQ(snapshot(temp.file("around")), around);
  EXPECT_EQ(read_file(volumes + "/keep.txt"), "in the volumes folder");
  EXPECT_EQ(read_file(volumes + "/nvidia_driver/notes.txt"), "in nvidia_driver");
  // The driver's files: the same content and modes (their link counts change, nothing else).
  auto driver_after = snapshot(driver);
  EXPECT_EQ(driver_after.size(), driver_before.size());
  for (const auto &[path, description] : driver_before)
    if (fs::is_regular_file(driver + "/" + path)) {
      EXPECT_EQ(driver_after[path], description) << path;
    }
}

// A build killed at any moment leaves either no volume or a whole one, and
// its leftovers go at the next start.
TEST_F(VolumeBuilder, AnInterruptedBuildNeverLeavesAVolumeThatLooksComplete) {
  ShmDir shm;
  // Copies onto another file system take long enough to be interrupted.
  std::string target = shm.usable() && device_of(shm.path()) != device_of(temp.path())
                           ? shm.path() + "/volumes"
                           : volumes;
  const std::string big(4 << 20, 'x');
  for (int i = 0; i < 12; ++i) {
    std::string name = "libnvidia-big" + std::to_string(i) + ".so.535.104.05";
    write_file(driver + "/usr/lib/x86_64-linux-gnu/" + name, big);
    plan.entries.push_back(
        {Kind::file, "lib64/" + name, driver + "/usr/lib/x86_64-linux-gnu/" + name});
  }
  std::sort(plan.entries.begin(), plan.entries.end(),
            [](const VolumeEntry &a, const VolumeEntry &b) { return a.path < b.path; });
  const std::string final_volume = target + "/nvidia_driver/535.104.05";
  int interrupted = 0;
  int cut_short = 0; // killed in the middle of a build: leftovers found
  for (int delay_us : {0, 200, 1000, 3000, 6000, 10000, 20000, 40000}) {
    remove_volume(target, "535.104.05");
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      try {
        build_volume(plan, target);
      } catch (...) {
      }
      ::_exit(0);
    }
    ::usleep(static_cast<useconds_t>(delay_us));
    ::kill(child, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    if (WIFSIGNALED(status))
      ++interrupted;
    if (volume_on_disk(target, "535.104.05")) {
      for (const VolumeEntry &entry : plan.entries)
        if (entry.kind == Kind::file) {
          EXPECT_EQ(fs::file_size(final_volume + "/" + entry.path), fs::file_size(entry.source))
              << entry.path << " after " << delay_us << " us";
        }
    }
    if (remove_leftover_builds(target) > 0)
      ++cut_short;
    for (const std::string &name : names_in(target + "/nvidia_driver"))
      EXPECT_EQ(name, "535.104.05") << "left after " << delay_us << " us";
  }
  EXPECT_GT(interrupted, 0);
  // Copies of 48 MiB take milliseconds: some kills land in the middle.
  if (target != volumes) {
    EXPECT_GT(cut_short, 0);
  }
  std::cout << "builds killed: " << interrupted << ", of which mid-build: " << cut_short << "\n";
  remove_volume(target, "535.104.05");
}
