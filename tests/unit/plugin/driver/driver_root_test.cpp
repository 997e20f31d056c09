// SPDX-License-Identifier: BSD-3-Clause
// The driver root edge on a driver tree laid out here: minimal ELF libraries,
// ld.so.cache made by `ldconfig -r`, decoys and hostile links.
#include "nvd/plugin/driver/driver_root.hpp"

#include "driver_test_tools.hpp"
#include "elf_image.hpp"
#include "nvd/common/strings.hpp"
#include "nvd/plugin/driver/volume_plan.hpp"
#include "support/errors.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <elf.h>
#include <iostream>

using namespace nvd;
using nvd::test::elf_bytes;
using nvd::test::error_of;
using nvd::test::make_link;
using nvd::test::write_test_file;

namespace {

const std::string version = "535.104.05";

std::string real_path_of(const std::string &path) {
  char real[PATH_MAX];
  EXPECT_NE(::realpath(path.c_str(), real), nullptr) << path;
  return real;
}

// A driver of `version` under a temporary root, as a host or a driver
// container installs it, with what a real host also has around it.
class DriverRoot : public ::testing::Test {
protected:
  void SetUp() override {
    if (nvd::test::ldconfig_program().empty())
      GTEST_SKIP() << "no ldconfig on this machine";
    m_root = real_path_of(m_dir.path());
    nvd::test::make_folders(m_root,
                            {"etc", "usr/lib/x86_64-linux-gnu", "usr/lib/i386-linux-gnu", "usr/lib/stale",
                             "usr/lib/glvnd", "usr/bin", "usr/sbin", "bin", "sbin", "opt/nvidia/bin"});
    // The stale driver's folder comes first: ld.so (and a naive reader) would take its libcuda.
    write_test_file(file("/etc/ld.so.conf"),
                    "/usr/lib/stale\n/usr/lib/glvnd\n/usr/lib/x86_64-linux-gnu\n/usr/lib/i386-linux-gnu\n",
                    0644);
    library64("libcuda.so.1", "libcuda.so." + version);
    library64("libnvidia-ml.so.1", "libnvidia-ml.so." + version);
    library64("libnvidia-ptxjitcompiler.so.1", "libnvidia-ptxjitcompiler.so." + version);
    library64("libGLX_nvidia.so.0", "libGLX_nvidia.so." + version, {"libnvidia-glcore.so." + version});
    library64("libnvidia-glcore.so." + version, "libnvidia-glcore.so." + version);
    nvd::test::ElfImage tls = nvd::test::x86_64_library("libnvidia-tls.so." + version);
    tls.abi_tag = ElfAbiTag{0, 2, 3, 99};
    write_test_file(file(lib64 + "/libnvidia-tls.so." + version), elf_bytes(tls));
    library64("libnvidia-fbc.so.1", "libnvidia-fbc.so." + version);
    write_test_file(file(lib32 + "/libcuda.so." + version),
                    elf_bytes(nvd::test::i386_library("libcuda.so.1")));
    write_test_file(file("/usr/lib/stale/libcuda.so.470.57.02"),
                    elf_bytes(nvd::test::x86_64_library("libcuda.so.1")));
    write_test_file(file("/usr/lib/glvnd/libEGL.so.1.1.0"),
                    elf_bytes(nvd::test::x86_64_library("libEGL.so.1", {"libGLdispatch.so.0"})));

    write_test_file(file("/usr/bin/nvidia-smi"), "#!/bin/sh\n");
    write_test_file(file("/opt/nvidia/bin/nvidia-debugdump"), "#!/bin/sh\n");
    make_link("/opt/nvidia/bin/nvidia-debugdump",
              file("/usr/bin/nvidia-debugdump")); // absolute: inside the root
    write_test_file(file("/sbin/nvidia-persistenced"), "#!/bin/sh\n");
    write_test_file(file("/usr/bin/nvidia-cuda-mps-control"), "not a program\n", 0644);
    write_test_file(file("/bin/nvidia-cuda-mps-control"), "#!/bin/sh\n");
    make_link("nowhere", file("/usr/bin/nvidia-cuda-mps-server")); // dangling, and in no other folder
    write_test_file(file("/etc/passwd"), "the root's own passwd, not an ELF file\n", 0644);

    nvd::test::run_ldconfig(m_root);
    // After ldconfig: a listed link turned hostile, pointing out of the root.
    make_link("/../../../../../etc/passwd", file(lib64 + "/libnvidia-fbc.so.1"));
  }

  void library64(const std::string &soname, const std::string &real_name,
                 std::vector<std::string> needed = {}) {
    write_test_file(file(lib64 + "/" + real_name),
                    elf_bytes(nvd::test::x86_64_library(soname, std::move(needed))));
  }

  std::string file(const std::string &inside) const { return m_root + inside; }

  const std::string lib64 = "/usr/lib/x86_64-linux-gnu";
  const std::string lib32 = "/usr/lib/i386-linux-gnu";
  nvd::test::TempDir m_dir{"nvd-driver-root"};
  std::string m_root;
};

std::vector<std::string> render(const std::vector<DriverLibraryFile> &files) {
  std::vector<std::string> lines;
  for (const DriverLibraryFile &file : files)
    lines.push_back(file.cache_name + " " + file.folder + "/" + file.real_name + " " +
                    (file.elf.elf_class == ElfClass::elf64 ? "64" : "32") + " " + file.elf.soname);
  return lines;
}

std::vector<std::string> render(const std::vector<VolumeEntry> &entries, const std::string &root) {
  std::vector<std::string> lines;
  for (const VolumeEntry &entry : entries) {
    std::string source = entry.source;
    if (starts_with(source, root))
      source = "ROOT" + source.substr(root.size());
    lines.push_back(entry.path + (entry.kind == VolumeEntry::Kind::file ? " <- " : " -> ") + source);
  }
  return lines;
}

} // namespace

TEST_F(DriverRoot, FindsTheLibrariesOfTheTableThroughTheCache) {
  const DriverFacts facts = read_driver_facts(m_root, version);
  EXPECT_EQ(facts.driver_root, m_root);
  EXPECT_EQ(facts.version, version);
  std::vector<std::string> found = render(facts.libraries);
  const auto stale = std::find(found.begin(), found.end(),
                               "libcuda.so.1 /usr/lib/stale/libcuda.so.470.57.02 64 libcuda.so.1");
  const auto good = std::find(found.begin(), found.end(),
                              "libcuda.so.1 /usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05 64 libcuda.so.1");
  ASSERT_NE(stale, found.end());
  ASSERT_NE(good, found.end());
  EXPECT_LT(stale, good) << "the cache lists the stale libcuda first";
  std::sort(found.begin(), found.end());
  EXPECT_EQ(
      found,
      (std::vector<std::string>{
          "libEGL.so.1 /usr/lib/glvnd/libEGL.so.1.1.0 64 libEGL.so.1",
          "libGLX_nvidia.so.0 /usr/lib/x86_64-linux-gnu/libGLX_nvidia.so.535.104.05 64 libGLX_nvidia.so.0",
          "libcuda.so.1 /usr/lib/i386-linux-gnu/libcuda.so.535.104.05 32 libcuda.so.1",
          "libcuda.so.1 /usr/lib/stale/libcuda.so.470.57.02 64 libcuda.so.1",
          "libcuda.so.1 /usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05 64 libcuda.so.1",
          "libnvidia-glcore.so.535.104.05 /usr/lib/x86_64-linux-gnu/libnvidia-glcore.so.535.104.05 64 "
          "libnvidia-glcore.so.535.104.05",
          "libnvidia-ml.so.1 /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.535.104.05 64 libnvidia-ml.so.1",
          "libnvidia-ptxjitcompiler.so.1 /usr/lib/x86_64-linux-gnu/libnvidia-ptxjitcompiler.so.535.104.05 64 "
          "libnvidia-ptxjitcompiler.so.1",
          "libnvidia-tls.so.535.104.05 /usr/lib/x86_64-linux-gnu/libnvidia-tls.so.535.104.05 64 "
          "libnvidia-tls.so.535.104.05",
      }));
  for (const DriverLibraryFile &library : facts.libraries)
    EXPECT_EQ(library.host_path, m_root + library.folder + "/" + library.real_name);
}

TEST_F(DriverRoot, AHostileLinkStaysInsideTheRoot) {
  const DriverFacts facts = read_driver_facts(m_root, version);
  EXPECT_EQ(facts.unreadable, (std::vector<std::string>{"libnvidia-fbc.so.1 (x86-64): " + m_root +
                                                        "/etc/passwd: not an ELF file, left out"}));
}

TEST_F(DriverRoot, FindsTheProgramsInTheirFoldersFollowingLinksInsideTheRoot) {
  const DriverFacts facts = read_driver_facts(m_root, version);
  std::vector<std::string> found;
  for (const DriverBinaryFile &binary : facts.binaries)
    found.push_back(binary.name + " " + binary.host_path.substr(m_root.size()));
  EXPECT_EQ(found, (std::vector<std::string>{"nvidia-smi /usr/bin/nvidia-smi",
                                             "nvidia-debugdump /opt/nvidia/bin/nvidia-debugdump",
                                             "nvidia-persistenced /sbin/nvidia-persistenced",
                                             "nvidia-cuda-mps-control /bin/nvidia-cuda-mps-control"}));
}

TEST_F(DriverRoot, PlansTheDriverVolume) {
  const VolumePlan plan = plan_driver_volume(read_driver_facts(m_root, version));
  EXPECT_EQ(
      render(plan.entries, m_root),
      (std::vector<std::string>{
          "bin/nvidia-cuda-mps-control <- ROOT/bin/nvidia-cuda-mps-control",
          "bin/nvidia-debugdump <- ROOT/opt/nvidia/bin/nvidia-debugdump",
          "bin/nvidia-persistenced <- ROOT/sbin/nvidia-persistenced",
          "bin/nvidia-smi <- ROOT/usr/bin/nvidia-smi",
          "lib/libcuda.so -> libcuda.so.535.104.05",
          "lib/libcuda.so.1 -> libcuda.so.535.104.05",
          "lib/libcuda.so.535.104.05 <- ROOT/usr/lib/i386-linux-gnu/libcuda.so.535.104.05",
          "lib64/libGLX_indirect.so.0 -> libGLX_nvidia.so.535.104.05",
          "lib64/libGLX_nvidia.so.0 -> libGLX_nvidia.so.535.104.05",
          "lib64/libGLX_nvidia.so.535.104.05 <- ROOT/usr/lib/x86_64-linux-gnu/libGLX_nvidia.so.535.104.05",
          "lib64/libcuda.so -> libcuda.so.535.104.05",
          "lib64/libcuda.so.1 -> libcuda.so.535.104.05",
          "lib64/libcuda.so.535.104.05 <- ROOT/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05",
          "lib64/libnvidia-glcore.so.535.104.05 <- "
          "ROOT/usr/lib/x86_64-linux-gnu/libnvidia-glcore.so.535.104.05",
          "lib64/libnvidia-ml.so.1 -> libnvidia-ml.so.535.104.05",
          "lib64/libnvidia-ml.so.535.104.05 <- ROOT/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.535.104.05",
          "lib64/libnvidia-ptxjitcompiler.so.1 -> libnvidia-ptxjitcompiler.so.535.104.05",
          "lib64/libnvidia-ptxjitcompiler.so.535.104.05 <- "
          "ROOT/usr/lib/x86_64-linux-gnu/libnvidia-ptxjitcompiler.so.535.104.05",
          "lib64/libnvidia-tls.so.535.104.05 <- ROOT/usr/lib/x86_64-linux-gnu/libnvidia-tls.so.535.104.05",
      }));
  std::vector<std::string> left_out;
  for (const std::string &line : plan.skipped)
    if (!ends_with(line, ": not shipped by this driver"))
      left_out.push_back(line);
  EXPECT_EQ(left_out,
            (std::vector<std::string>{
                "libnvidia-fbc.so.1 (x86-64): " + m_root + "/etc/passwd: not an ELF file, left out",
                "libcuda.so.1 (/usr/lib/stale/libcuda.so.470.57.02): not of driver 535.104.05, left out",
                "libEGL.so.1 (/usr/lib/glvnd/libEGL.so.1.1.0): not of driver 535.104.05, left out",
                "nvidia-cuda-mps-server: not installed",
                "nv-fabricmanager: not installed",
            }));
}

TEST_F(DriverRoot, TheRootMayBeNamedThroughALinkOrWithATrailingSlash) {
  nvd::test::TempDir links("nvd-driver-root-link");
  make_link(m_root, links.file("driver"));
  EXPECT_EQ(read_driver_facts(links.file("driver"), version).driver_root, m_root);
  EXPECT_EQ(read_driver_facts(m_root + "/", version).driver_root, m_root);
}

TEST_F(DriverRoot, FindsNvmlAsTheLoaderWould) {
  EXPECT_EQ(find_driver_library(m_root, "libnvidia-ml.so.1"), file(lib64 + "/libnvidia-ml.so.535.104.05"));
}

TEST_F(DriverRoot, FindsLibcudaAsTheLoaderWouldOrOfTheRunningDriver) {
  EXPECT_EQ(find_driver_library(m_root, "libcuda.so.1"), file("/usr/lib/stale/libcuda.so.470.57.02"));
  EXPECT_EQ(find_driver_library(m_root, "libcuda.so.1", version), file(lib64 + "/libcuda.so.535.104.05"));
  EXPECT_EQ(find_driver_library(m_root, "libcuda.so.1", "999.1"),
            file("/usr/lib/stale/libcuda.so.470.57.02"));
}

TEST_F(DriverRoot, ALibraryTheCacheLacksIsAClearError) {
  EXPECT_EQ(error_of([&] { find_driver_library(m_root, "libnvidia-nscq.so.2"); }),
            "libnvidia-nscq.so.2 not in " + m_root + "/etc/ld.so.cache: is the NVIDIA driver installed under " +
                m_root + ", and was ldconfig run there (ldconfig -r " + m_root + ")?");
}

TEST_F(DriverRoot, ALibraryTheCacheListsButTheRootLacksIsAClearError) {
  ASSERT_EQ(::unlink(file(lib64 + "/libnvidia-ml.so.535.104.05").c_str()), 0);
  EXPECT_EQ(error_of([&] { find_driver_library(m_root, "libnvidia-ml.so.1"); }),
            "libnvidia-ml.so.1, listed in " + m_root +
                "/etc/ld.so.cache as /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1, is missing under " +
                m_root + " (No such file or directory): run ldconfig -r " + m_root);
  const DriverFacts facts = read_driver_facts(m_root, version);
  EXPECT_NE(std::find(facts.unreadable.begin(), facts.unreadable.end(),
                      "libnvidia-ml.so.1 (x86-64): /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1 under " +
                          m_root + ": No such file or directory, left out"),
            facts.unreadable.end());
  EXPECT_EQ(error_of([&] { plan_driver_volume(facts); }),
            "no 64-bit libnvidia-ml of driver 535.104.05 in " + m_root +
                "/etc/ld.so.cache: is the NVIDIA driver installed under " + m_root +
                ", and was ldconfig run there "
                "(ldconfig -r " +
                m_root + ")?");
}

TEST_F(DriverRoot, AnEntryWhoseFileIsOfAnotherMachineIsLeftOut) {
  write_test_file(file(lib64 + "/libnvidia-opencl.so." + version),
                  elf_bytes(nvd::test::i386_library("libnvidia-opencl.so.1")));
  write_test_file(
      file("/etc/ld.so.cache"),
      nvd::test::new_cache({{"libnvidia-opencl.so.1", lib64 + "/libnvidia-opencl.so." + version, 0x0303}}),
      0644);
  EXPECT_EQ(read_driver_facts(m_root, version).unreadable,
            (std::vector<std::string>{"libnvidia-opencl.so.1 (x86-64): " + m_root + lib64 +
                                      "/libnvidia-opencl.so." + version +
                                      ": built for ELF machine 3, not x86-64 as the cache says, left out"}));
}

TEST_F(DriverRoot, CachePathsThatClimbOutStayInside) {
  write_test_file(file("/etc/ld.so.cache"),
                  nvd::test::new_cache({{"libnvidia-cfg.so.1", "/../../../../../etc/passwd", 0x0303},
                                        {"libnvidia-encode.so.1", "/usr/lib", 0x0303}}),
                  0644);
  EXPECT_EQ(read_driver_facts(m_root, version).unreadable,
            (std::vector<std::string>{
                "libnvidia-cfg.so.1 (x86-64): " + m_root + "/etc/passwd: not an ELF file, left out",
                "libnvidia-encode.so.1 (x86-64): " + m_root + "/usr/lib: not a regular file, left out"}));
}

TEST_F(DriverRoot, OtherArchitecturesAndOtherLibrariesAreNotCandidates) {
  write_test_file(
      file("/etc/ld.so.cache"),
      nvd::test::new_cache({{"libnvidia-ml.so.1", lib64 + "/libnvidia-ml.so.1", 0x0803}, // x32
                            {"libnvidia-ml.so.1", lib64 + "/libnvidia-ml.so.1", 0x0a03}, // AArch64
                            {"libcudart.so.12", lib64 + "/libnvidia-ml.so.1", 0x0303}}), // not the driver's
      0644);
  const DriverFacts facts = read_driver_facts(m_root, version);
  if (native_arch() == LibraryArch::x86_64) {
    EXPECT_TRUE(facts.libraries.empty());
  }
  EXPECT_TRUE(facts.unreadable.empty());
}

TEST_F(DriverRoot, ABrokenCacheIsAnErrorNamingIt) {
  write_test_file(file("/etc/ld.so.cache"), "not a cache", 0644);
  EXPECT_EQ(error_of([&] { read_driver_facts(m_root, version); }),
            m_root + "/etc/ld.so.cache: not an ld.so.cache (neither glibc's new format nor the old one)");
  EXPECT_EQ(error_of([&] { find_driver_library(m_root, "libnvidia-ml.so.1"); }),
            m_root + "/etc/ld.so.cache: not an ld.so.cache (neither glibc's new format nor the old one)");
}

TEST_F(DriverRoot, ALinkedCacheIsFollowedInsideTheRoot) {
  nvd::test::make_folders(m_root, {"var/cache/ldconfig"});
  ASSERT_EQ(::rename(file("/etc/ld.so.cache").c_str(), file("/var/cache/ldconfig/ld.so.cache").c_str()), 0);
  make_link("/var/cache/ldconfig/ld.so.cache", file("/etc/ld.so.cache"));
  EXPECT_EQ(find_driver_library(m_root, "libnvidia-ml.so.1"), file(lib64 + "/libnvidia-ml.so.535.104.05"));
}

TEST(DriverRootWithoutDriver, NoCacheIsAClearError) {
  nvd::test::TempDir dir("nvd-driver-root");
  const std::string root = real_path_of(dir.path());
  const std::string error =
      root + "/etc/ld.so.cache: No such file or directory: is the NVIDIA driver installed under " + root +
      ", and was ldconfig run there?";
  EXPECT_EQ(error_of([&] { read_driver_facts(root, version); }), error);
  EXPECT_EQ(error_of([&] { find_driver_library(root, "libnvidia-ml.so.1"); }), error);
}

TEST(DriverRootWithoutDriver, AMissingOrFileRootIsAClearError) {
  EXPECT_EQ(error_of([] { read_driver_facts("/nonexistent/driver", version); }),
            "driver root /nonexistent/driver: No such file or directory");
  EXPECT_EQ(error_of([] { read_driver_facts("/etc/passwd", version); }),
            "driver root /etc/passwd: not a folder");
  EXPECT_EQ(error_of([] { find_driver_library("", "libnvidia-ml.so.1"); }), "driver root: empty path");
}

TEST(DriverRootOfThisMachine, ReadsItsCacheAndFindsItsCLibrary) {
  // The real file, links followed (on Debian, /lib is a link to usr/lib).
  EXPECT_EQ(read_elf_facts(find_driver_library("/", "libc.so.6")).soname, "libc.so.6");
  // Whatever driver this machine has (none, or one of another version), the
  // plan of a version no driver has is the error that says what to check.
  const DriverFacts facts = read_driver_facts("/", "1.0");
  EXPECT_TRUE(starts_with(error_of([&] { plan_driver_volume(facts); }), "no 64-bit libcuda"));
}

// This machine's own driver. On a GPU host (a device machine): the plan of
// its real driver, printed for the record, the version being NVML's real
// file's suffix, as NVML reports it. Elsewhere: the error the plugin would
// show, which names what to check.
TEST(DriverRootOfThisMachine, PlansItsNvidiaDriverOrSaysWhyNot) {
  std::string nvml, missing;
  try {
    nvml = find_driver_library("/", "libnvidia-ml.so.1");
  } catch (const Error &error) {
    missing = error.what();
  }
  if (nvml.empty()) {
    std::cout << "no NVIDIA driver on this machine: " << missing << "\n";
    EXPECT_TRUE(starts_with(missing, "libnvidia-ml.so.1 ")) << missing;
    EXPECT_NE(missing.find("is the NVIDIA driver installed under /, and was ldconfig run there (ldconfig)?"),
              std::string::npos)
        << missing;
    return;
  }
  const std::string prefix = "libnvidia-ml.so.";
  const std::string name = nvml.substr(nvml.rfind('/') + 1);
  ASSERT_TRUE(starts_with(name, prefix)) << nvml;
  const std::string driver_version = name.substr(prefix.size());
  const auto start = std::chrono::steady_clock::now();
  const VolumePlan plan = plan_driver_volume(read_driver_facts("/", driver_version));
  const double milliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::cout << "driver " << driver_version << ": " << plan.entries.size() << " entries in " << milliseconds
            << " ms\n";
  for (const VolumeEntry &entry : plan.entries)
    std::cout << "  " << entry.path << (entry.kind == VolumeEntry::Kind::file ? " <- " : " -> ")
              << entry.source << "\n";
  for (const std::string &line : plan.skipped)
    std::cout << "  skipped: " << line << "\n";
  const auto has = [&](const std::string &path) {
    return std::any_of(plan.entries.begin(), plan.entries.end(),
                       [&](const VolumeEntry &entry) { return entry.path == path; });
  };
  EXPECT_TRUE(has("lib64/libcuda.so.1"));
  EXPECT_TRUE(has("lib64/libcuda.so"));
  EXPECT_TRUE(has("lib64/libnvidia-ml.so.1"));
  EXPECT_TRUE(has("lib64/libnvidia-ml.so." + driver_version));
}

TEST_F(DriverRoot, FindsTheVdpauDriverInItsOwnFolderBesideLibcuda) {
  // libvdpau opens <libdir>/vdpau/libvdpau_nvidia.so.1: the cache does not list it.
  nvd::test::make_folders(m_root, {lib64 + "/vdpau", "/usr/lib/stale/vdpau"});
  write_test_file(file(lib64 + "/vdpau/libvdpau_nvidia.so." + version),
                  elf_bytes(nvd::test::x86_64_library("libvdpau_nvidia.so.1")));
  write_test_file(file("/usr/lib/stale/vdpau/libvdpau_nvidia.so." + version),
                  elf_bytes(nvd::test::x86_64_library("libvdpau_nvidia.so.1"))); // beside a stale libcuda
  const DriverFacts facts = read_driver_facts(m_root, version);
  std::vector<std::string> found = render(facts.libraries);
  EXPECT_EQ(std::count(found.begin(), found.end(),
                       "libvdpau_nvidia.so.1 /usr/lib/x86_64-linux-gnu/vdpau/libvdpau_nvidia.so.535.104.05 64 "
                       "libvdpau_nvidia.so.1"),
            1);
  EXPECT_EQ(std::count_if(found.begin(), found.end(),
                          [](const std::string &line) { return line.find("/stale/vdpau") != std::string::npos; }),
            0);
  std::vector<std::string> plan = render(plan_driver_volume(facts).entries, m_root);
  EXPECT_NE(std::find(plan.begin(), plan.end(),
                      "lib64/libvdpau_nvidia.so.535.104.05 <- ROOT/usr/lib/x86_64-linux-gnu/vdpau/"
                      "libvdpau_nvidia.so.535.104.05"),
            plan.end());
  EXPECT_NE(std::find(plan.begin(), plan.end(), "lib64/libvdpau_nvidia.so.1 -> libvdpau_nvidia.so.535.104.05"),
            plan.end());
}
