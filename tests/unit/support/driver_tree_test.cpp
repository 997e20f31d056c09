// SPDX-License-Identifier: BSD-3-Clause
// The stand-in NVIDIA driver the plugin's tests run on: minimal ELF libraries
// that ldconfig and readelf take for real ones, a tree whose ld.so.cache lists
// what a driver's would, and the stand-in programs and libcuda.
#include "nvd/common/error.hpp"
#include "support/driver_tree.hpp"
#include "support/minimal_elf.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <algorithm>
#include <cstdlib>
#include <dlfcn.h>
#include <filesystem>
#include <functional>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace nvd::test;

namespace {

const std::string version = "535.104.05";
const std::string readelf = "/usr/bin/readelf";
const std::string stand_ins = NVD_DRIVER_STAND_INS_DIR;

#define SKIP_WITHOUT_READELF()                                                                     \
  if (access(readelf.c_str(), X_OK) != 0)                                                          \
  GTEST_SKIP() << "needs " << readelf << " (binutils)"

#define SKIP_UNLESS_ROOT()                                                                         \
  if (geteuid() != 0)                                                                              \
  GTEST_SKIP() << "needs root: ldconfig -r chroots into the tree"

std::string readelf_output(const std::string &options, const std::string &path) {
  Completed result = run_program({readelf, "-W", options, path});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.err, "");
  return result.out;
}

bool contains(const std::string &text, const std::string &needle) {
  return text.find(needle) != std::string::npos;
}

std::vector<LdCacheEntry> entries_named(const std::vector<LdCacheEntry> &cache,
                                        const std::string &name) {
  std::vector<LdCacheEntry> found;
  for (const auto &entry : cache)
    if (entry.name == name)
      found.push_back(entry);
  return found;
}

std::string link_target(const std::string &path) { return fs::read_symlink(path).string(); }

const VolumeFile *volume_file(const DriverTree &tree, const std::string &path) {
  for (const auto &file : tree.expected_volume)
    if (file.path == path)
      return &file;
  return nullptr;
}

std::string error_of(const std::function<void()> &action) {
  try {
    action();
  } catch (const nvd::Error &error) {
    return error.what();
  }
  return "(no error)";
}

// --- Minimal ELF shared objects -------------------------------------------

TEST(MinimalElf, ReadelfReadsA64BitLibrarysClassSonameAndNeeded) {
  SKIP_WITHOUT_READELF();
  TempDir dir;
  write_minimal_elf(
      dir.file("libGL.so.535.104.05"),
      {ElfKind::x86_64, "libGL.so.1", {"libnvidia-glcore.so.535.104.05", "libc.so.6"}, {}});
  std::string header = readelf_output("-h", dir.file("libGL.so.535.104.05"));
  EXPECT_TRUE(contains(header, "ELF64")) << header;
  EXPECT_TRUE(contains(header, "DYN (Shared object file)")) << header;
  EXPECT_TRUE(contains(header, "Advanced Micro Devices X86-64")) << header;
  std::string dynamic = readelf_output("-d", dir.file("libGL.so.535.104.05"));
  EXPECT_TRUE(contains(dynamic, "(SONAME)             Library soname: [libGL.so.1]")) << dynamic;
  EXPECT_TRUE(
      contains(dynamic, "(NEEDED)             Shared library: [libnvidia-glcore.so.535.104.05]"))
      << dynamic;
  EXPECT_LT(dynamic.find("libnvidia-glcore"), dynamic.find("libc.so.6")) << "DT_NEEDED order";
}

TEST(MinimalElf, ReadelfReadsA32BitLibraryAsI386) {
  SKIP_WITHOUT_READELF();
  TempDir dir;
  write_minimal_elf(dir.file("libcuda.so.535.104.05"),
                    {ElfKind::i386, "libcuda.so.1", {"libc.so.6"}, {}});
  std::string header = readelf_output("-h", dir.file("libcuda.so.535.104.05"));
  EXPECT_TRUE(contains(header, "ELF32")) << header;
  EXPECT_TRUE(contains(header, "Intel 80386")) << header;
  std::string dynamic = readelf_output("-d", dir.file("libcuda.so.535.104.05"));
  EXPECT_TRUE(contains(dynamic, "Library soname: [libcuda.so.1]")) << dynamic;
}

TEST(MinimalElf, CarriesTheGnuAbiTagNoteAsSectionAndSegment) {
  SKIP_WITHOUT_READELF();
  TempDir dir;
  write_minimal_elf(
      dir.file("libnvidia-tls.so.1"),
      {ElfKind::x86_64, "libnvidia-tls.so.1", {}, std::array<std::uint32_t, 3>{2, 3, 99}});
  std::string notes = readelf_output("-n", dir.file("libnvidia-tls.so.1"));
  EXPECT_TRUE(contains(notes, ".note.ABI-tag")) << notes;
  EXPECT_TRUE(contains(notes, "OS: Linux, ABI: 2.3.99")) << notes;
  EXPECT_TRUE(contains(readelf_output("-l", dir.file("libnvidia-tls.so.1")), "NOTE"));
}

TEST(MinimalElf, HasNoAbiTagUnlessAsked) {
  SKIP_WITHOUT_READELF();
  TempDir dir;
  write_minimal_elf(dir.file("libx.so.1"), {ElfKind::x86_64, "libx.so.1", {}, {}});
  EXPECT_FALSE(contains(readelf_output("-n", dir.file("libx.so.1")), "ABI"));
}

TEST(MinimalElf, ReadelfFindsNothingToWarnAbout) {
  SKIP_WITHOUT_READELF();
  TempDir dir;
  write_minimal_elf(dir.file("a.so"),
                    {ElfKind::x86_64, "a.so", {"b.so"}, std::array<std::uint32_t, 3>{2, 3, 99}});
  write_minimal_elf(dir.file("b.so"),
                    {ElfKind::i386, "b.so", {"c.so"}, std::array<std::uint32_t, 3>{2, 3, 99}});
  for (const char *name : {"a.so", "b.so"}) {
    Completed result = run_program({readelf, "-a", "-W", dir.file(name)});
    EXPECT_EQ(result.status, 0);
    EXPECT_EQ(result.err, "") << name;
  }
}

TEST(MinimalElf, A64BitOneLoadsWithDlopenAndHasNoEntryPoints) {
  TempDir dir;
  write_minimal_elf(dir.file("libnvd-minimal.so.1"),
                    {ElfKind::x86_64, "libnvd-minimal.so.1", {"libc.so.6"}, {}});
  void *handle = dlopen(dir.file("libnvd-minimal.so.1").c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << dlerror();
  EXPECT_EQ(dlsym(handle, "cuInit"), nullptr);
  dlclose(handle);
}

TEST(MinimalElf, TheLoaderFollowsItsNeededEntries) {
  TempDir dir;
  write_minimal_elf(dir.file("libnvd-needs.so.1"),
                    {ElfKind::x86_64, "libnvd-needs.so.1", {"libnvd-absent.so.7"}, {}});
  void *handle = dlopen(dir.file("libnvd-needs.so.1").c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_EQ(handle, nullptr);
  EXPECT_TRUE(contains(dlerror(), "libnvd-absent.so.7"));
}

TEST(MinimalElf, AnUnwritablePathIsAClearError) {
  EXPECT_EQ(error_of([] { write_minimal_elf("/nonexistent-folder/libx.so.1", {}); }),
            "cannot create the stand-in library /nonexistent-folder/libx.so.1: No such file or "
            "directory");
}

// --- The stand-in libcuda --------------------------------------------------

class StandInLibcuda : public ::testing::Test {
protected:
  void SetUp() override {
    m_handle = dlopen((stand_ins + "/libcuda.so.1").c_str(), RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(m_handle, nullptr) << dlerror();
    m_init = reinterpret_cast<int (*)(unsigned)>(dlsym(m_handle, "cuInit"));
    m_version = reinterpret_cast<int (*)(int *)>(dlsym(m_handle, "cuDriverGetVersion"));
    ASSERT_NE(m_init, nullptr);
    ASSERT_NE(m_version, nullptr);
  }
  void TearDown() override {
    unsetenv("NVD_STAND_IN_CUDA");
    if (m_handle != nullptr)
      dlclose(m_handle);
  }
  void *m_handle = nullptr;
  int (*m_init)(unsigned) = nullptr;
  int (*m_version)(int *) = nullptr;
};

TEST_F(StandInLibcuda, InitSucceedsWithNoFlags) {
  EXPECT_EQ(m_init(0), 0);
  EXPECT_EQ(m_init(1), 1) << "CUDA_ERROR_INVALID_VALUE";
}

TEST_F(StandInLibcuda, AnswersCuda12Point2ByDefault) {
  int answer = 0;
  EXPECT_EQ(m_version(&answer), 0);
  EXPECT_EQ(answer, 12020);
}

TEST_F(StandInLibcuda, AnswersTheVersionOfNvdStandInCuda) {
  setenv("NVD_STAND_IN_CUDA", "11080", 1);
  int answer = 0;
  EXPECT_EQ(m_version(&answer), 0);
  EXPECT_EQ(answer, 11080);
}

TEST_F(StandInLibcuda, ABadNvdStandInCudaIsAnError) {
  setenv("NVD_STAND_IN_CUDA", "12.2", 1);
  int answer = 0;
  EXPECT_EQ(m_version(&answer), 999) << "CUDA_ERROR_UNKNOWN";
  EXPECT_EQ(m_version(nullptr), 1) << "CUDA_ERROR_INVALID_VALUE";
}

TEST(StandInLibcudaFile, ExportsOnlyTheDriverApi) {
  if (access("/usr/bin/nm", X_OK) != 0)
    GTEST_SKIP() << "needs /usr/bin/nm (binutils)";
  Completed result =
      run_program({"/usr/bin/nm", "-D", "--defined-only", stand_ins + "/libcuda.so.1"});
  ASSERT_EQ(result.status, 0) << result.err;
  std::vector<std::string> exported;
  std::size_t start = 0;
  while (start < result.out.size()) {
    std::size_t end = result.out.find('\n', start);
    std::string line = result.out.substr(start, end - start);
    start = end == std::string::npos ? result.out.size() : end + 1;
    std::size_t space = line.rfind(' ');
    if (space != std::string::npos && line.find(" T ") != std::string::npos)
      exported.push_back(line.substr(space + 1));
  }
  EXPECT_EQ(exported, (std::vector<std::string>{"cuDriverGetVersion", "cuInit"})) << result.out;
}

// --- The stand-in programs --------------------------------------------------

TEST(StandInNvidiaSmi, IsStaticForContainersWithoutLibc) {
  SKIP_WITHOUT_READELF();
  std::string program_headers = readelf_output("-l", stand_ins + "/nvidia-smi");
  EXPECT_FALSE(contains(program_headers, "INTERP")) << program_headers;
  EXPECT_FALSE(contains(program_headers, "DYNAMIC")) << program_headers;
}

// A driver volume's layout: bin/nvidia-smi beside lib64/libnvidia-ml.so.<version>.
TEST(StandInNvidiaSmi, PrintsTheVolumesDriverVersionAndTheGpuNodesItSees) {
  TempDir dir;
  fs::create_directories(dir.file("volume/bin"));
  fs::create_directories(dir.file("volume/lib64"));
  fs::create_directories(dir.file("dev"));
  fs::copy_file(stand_ins + "/nvidia-smi", dir.file("volume/bin/nvidia-smi"));
  write_file(dir.file("volume/lib64/libnvidia-ml.so.535.104.05"), "");
  fs::create_symlink("libnvidia-ml.so.535.104.05", dir.file("volume/lib64/libnvidia-ml.so.1"));
  for (const char *node : {"nvidia1", "nvidia3", "nvidiactl", "nvidia-uvm", "null", "nvidia-caps"})
    write_file(dir.file("dev/") + node, "");

  Completed result =
      run_program({dir.file("volume/bin/nvidia-smi")}, {{"NVD_STAND_IN_DEV", dir.file("dev")}});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out,
            "nvidia-smi: a stand-in for testing, not NVIDIA's program (there is no GPU and no "
            "NVIDIA driver behind it)\n"
            "Driver Version: 535.104.05 (from " +
                dir.file("volume/lib64/libnvidia-ml.so.535.104.05") +
                ")\n"
                "GPU device nodes: " +
                dir.file("dev/nvidia1") + " " + dir.file("dev/nvidia3") +
                "\n"
                "Other NVIDIA nodes: " +
                dir.file("dev/nvidia-uvm") + " " + dir.file("dev/nvidiactl") + "\n");
}

TEST(StandInNvidiaSmi, SaysSoWhenItFindsNoDriverBesideIt) {
  TempDir dir;
  fs::create_directories(dir.file("bin"));
  fs::create_directories(dir.file("dev"));
  fs::copy_file(stand_ins + "/nvidia-smi", dir.file("bin/nvidia-debugdump"));
  Completed result =
      run_program({dir.file("bin/nvidia-debugdump")}, {{"NVD_STAND_IN_DEV", dir.file("dev")}});
  EXPECT_EQ(result.status, 9);
  EXPECT_TRUE(contains(result.out, "nvidia-debugdump: a stand-in for testing")) << result.out;
  EXPECT_TRUE(contains(result.out, "Driver Version: unknown (no libnvidia-ml.so.<version> in " +
                                       dir.path() + "/lib64, "))
      << result.out;
  EXPECT_TRUE(contains(result.out, "GPU device nodes: none\n")) << result.out;
}

// --- Driver trees ------------------------------------------------------------

class DriverTreeTest : public ::testing::Test {
protected:
  std::string root() const { return m_dir.file("root"); }
  std::string lib64(const std::string &name = "") const {
    return root() + "/usr/lib/x86_64-linux-gnu" + (name.empty() ? "" : "/" + name);
  }
  std::string lib32(const std::string &name = "") const {
    return root() + "/usr/lib/i386-linux-gnu" + (name.empty() ? "" : "/" + name);
  }
  TempDir m_dir{"nvd-driver-tree"};
};

TEST_F(DriverTreeTest, CacheListsEachLibraryUnderItsRealSoname) {
  SKIP_UNLESS_ROOT();
  DriverTree tree = make_driver_tree(root(), {});
  const std::vector<LdCacheEntry> cache = read_ld_cache(root());
  const std::string folder = "/usr/lib/x86_64-linux-gnu/";
  for (const std::string soname :
       {"libcuda.so.1", "libnvidia-ml.so.1", "libnvidia-ptxjitcompiler.so.1", "libnvidia-nvvm.so.4",
        "libnvidia-gpucomp.so.535.104.05", "libnvidia-nscq.so.2", "libnvidia-tls.so.535.104.05",
        "libnvidia-glcore.so.535.104.05", "libGLX_nvidia.so.0", "libEGL_nvidia.so.0",
        "libGLESv2_nvidia.so.2", "libGLESv1_CM_nvidia.so.1", "libnvoptix.so.1",
        "libvdpau_nvidia.so.1", "libGL.so.1", "libGLESv2.so.2", "libcuda.so"}) {
    auto listed = entries_named(cache, soname);
    bool in_driver_folder = std::any_of(listed.begin(), listed.end(), [&](const LdCacheEntry &e) {
      return e.path == folder + soname && e.flags == "libc6,x86-64";
    });
    EXPECT_TRUE(in_driver_folder) << soname;
  }
  EXPECT_EQ(tree.libraries.size(), driver_library_names().size());
  for (const auto &library : tree.libraries) {
    EXPECT_FALSE(library.is_32bit);
    EXPECT_FALSE(entries_named(cache, library.soname).empty()) << library.soname;
  }
}

TEST_F(DriverTreeTest, SonameLinksPointAtTheVersionedFiles) {
  SKIP_UNLESS_ROOT();
  make_driver_tree(root(), {});
  EXPECT_EQ(link_target(lib64("libcuda.so.1")), "libcuda.so.535.104.05");
  EXPECT_EQ(link_target(lib64("libcuda.so")), "libcuda.so.1");
  EXPECT_EQ(link_target(lib64("libGLX_nvidia.so.0")), "libGLX_nvidia.so.535.104.05");
  EXPECT_EQ(link_target(lib64("libGLX_indirect.so.0")), "libGLX_nvidia.so.535.104.05");
  EXPECT_EQ(link_target(lib64("libnvidia-nvvm.so.4")), "libnvidia-nvvm.so.535.104.05");
  EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(lib64("libnvidia-tls.so.535.104.05"))));
  EXPECT_FALSE(fs::exists(fs::symlink_status(lib64("libnvidia-tls.so.1"))));
}

TEST_F(DriverTreeTest, ThirtyTwoBitLibrariesAreFiledAsI386) {
  SKIP_UNLESS_ROOT();
  DriverTreeOptions options;
  options.with_32bit = true;
  DriverTree tree = make_driver_tree(root(), options);
  EXPECT_EQ(tree.lib32_dir, lib32());
  const std::vector<LdCacheEntry> cache = read_ld_cache(root());
  std::size_t thirty_two = 0;
  for (const auto &library : tree.libraries) {
    if (!library.is_32bit)
      continue;
    ++thirty_two;
    auto listed = entries_named(cache, library.soname);
    bool as_i386 = std::any_of(listed.begin(), listed.end(), [&](const LdCacheEntry &e) {
      return e.path == "/usr/lib/i386-linux-gnu/" + library.soname && e.flags == "libc6";
    });
    EXPECT_TRUE(as_i386) << library.soname;
  }
  EXPECT_GT(thirty_two, 15u);
  EXPECT_TRUE(fs::exists(lib32("libcuda.so.535.104.05")));
  EXPECT_FALSE(fs::exists(lib32("libnvidia-nvvm.so.535.104.05"))) << "NVVM is 64-bit only";
  if (access(readelf.c_str(), X_OK) == 0) {
    EXPECT_TRUE(
        contains(readelf_output("-h", lib32("libGLX_nvidia.so.535.104.05")), "Intel 80386"));
  }
}

TEST_F(DriverTreeTest, StaleLibcudaComesFirstInTheCache) {
  SKIP_UNLESS_ROOT();
  DriverTree tree = make_driver_tree(root(), {});
  auto libcuda = entries_named(read_ld_cache(root()), "libcuda.so.1");
  ASSERT_EQ(libcuda.size(), 2u);
  EXPECT_EQ(libcuda[0].path, "/usr/lib/stale-driver/libcuda.so.1");
  EXPECT_EQ(libcuda[1].path, "/usr/lib/x86_64-linux-gnu/libcuda.so.1");
  EXPECT_EQ(link_target(root() + "/usr/lib/stale-driver/libcuda.so.1"), "libcuda.so.470.199.02");
  EXPECT_NE(std::find(tree.decoys.begin(), tree.decoys.end(),
                      root() + "/usr/lib/stale-driver/libcuda.so.470.199.02"),
            tree.decoys.end());
}

TEST_F(DriverTreeTest, GlvndLibrariesAreListedWithoutNvidiaDependencies) {
  SKIP_UNLESS_ROOT();
  make_driver_tree(root(), {});
  auto cache = read_ld_cache(root());
  auto gl = entries_named(cache, "libGL.so.1");
  ASSERT_EQ(gl.size(), 2u);
  EXPECT_EQ(gl[0].path, "/usr/lib/glvnd/libGL.so.1");
  auto egl = entries_named(cache, "libEGL.so.1");
  ASSERT_EQ(egl.size(), 2u);
  EXPECT_EQ(egl[0].path, "/usr/lib/glvnd/libEGL.so.1");
  if (access(readelf.c_str(), X_OK) == 0) {
    std::string glvnd = readelf_output("-d", root() + "/usr/lib/glvnd/libGL.so.1.7.0");
    EXPECT_TRUE(contains(glvnd, "[libGLdispatch.so.0]")) << glvnd;
    EXPECT_FALSE(contains(glvnd, "libnvidia")) << glvnd;
    std::string nvidia = readelf_output("-d", lib64("libGL.so.535.104.05"));
    EXPECT_TRUE(contains(nvidia, "[libnvidia-glcore.so.535.104.05]")) << nvidia;
    std::string egl_nvidia = readelf_output("-d", lib64("libEGL.so.535.104.05"));
    EXPECT_TRUE(contains(egl_nvidia, "[libnvidia-eglcore.so.535.104.05]")) << egl_nvidia;
  }
}

TEST_F(DriverTreeTest, OnlyTheDriversLibnvidiaTlsHasTheNewAbi) {
  SKIP_UNLESS_ROOT();
  SKIP_WITHOUT_READELF();
  make_driver_tree(root(), {});
  auto tls = entries_named(read_ld_cache(root()), "libnvidia-tls.so.535.104.05");
  ASSERT_EQ(tls.size(), 2u);
  EXPECT_EQ(tls[0].path, "/usr/lib/classic-tls/libnvidia-tls.so.535.104.05");
  EXPECT_TRUE(contains(readelf_output("-n", lib64("libnvidia-tls.so.535.104.05")), "ABI: 2.3.99"));
  EXPECT_TRUE(contains(readelf_output("-n", root() + tls[0].path), "ABI: 2.2.0"));
}

TEST_F(DriverTreeTest, WithoutDecoysTheCacheHoldsOnlyTheDriver) {
  SKIP_UNLESS_ROOT();
  DriverTreeOptions options;
  options.decoys = false;
  DriverTree tree = make_driver_tree(root(), options);
  EXPECT_TRUE(tree.decoys.empty());
  for (const auto &entry : read_ld_cache(root()))
    EXPECT_EQ(entry.path.rfind("/usr/lib/x86_64-linux-gnu/", 0), 0u) << entry.path;
  EXPECT_FALSE(fs::exists(root() + "/usr/bin/nvidia-settings"));
}

TEST_F(DriverTreeTest, ExpectedVolumeHoldsEachFileItsLinksAndThePrograms) {
  SKIP_UNLESS_ROOT();
  DriverTreeOptions options;
  options.with_32bit = true;
  DriverTree tree = make_driver_tree(root(), options);

  const VolumeFile *libcuda = volume_file(tree, "lib64/libcuda.so.535.104.05");
  ASSERT_NE(libcuda, nullptr);
  EXPECT_EQ(libcuda->source, lib64("libcuda.so.535.104.05"));
  EXPECT_FALSE(libcuda->is_link());
  for (const auto &[path, target] : std::vector<std::pair<std::string, std::string>>{
           {"lib64/libcuda.so.1", "libcuda.so.535.104.05"},
           {"lib64/libcuda.so", "libcuda.so.535.104.05"},
           {"lib64/libGLX_indirect.so.0", "libGLX_nvidia.so.535.104.05"},
           {"lib64/libnvidia-ml.so.1", "libnvidia-ml.so.535.104.05"},
           {"lib/libcuda.so.1", "libcuda.so.535.104.05"},
           {"lib/libcuda.so", "libcuda.so.535.104.05"},
           {"lib/libGLX_indirect.so.0", "libGLX_nvidia.so.535.104.05"}}) {
    const VolumeFile *link = volume_file(tree, path);
    ASSERT_NE(link, nullptr) << path;
    EXPECT_EQ(link->link_target, target) << path;
    EXPECT_EQ(link->source, "") << path;
  }
  for (const char *program : {"nvidia-smi", "nvidia-debugdump", "nvidia-persistenced",
                              "nvidia-cuda-mps-control", "nvidia-cuda-mps-server"}) {
    const VolumeFile *file = volume_file(tree, std::string("bin/") + program);
    ASSERT_NE(file, nullptr) << program;
    EXPECT_EQ(file->source, root() + "/usr/bin/" + program);
  }
  EXPECT_EQ(volume_file(tree, "bin/nv-fabricmanager"), nullptr);
  EXPECT_EQ(volume_file(tree, "bin/nvidia-settings"), nullptr);
  EXPECT_EQ(volume_file(tree, "lib64/libnvidia-tls.so.1"), nullptr);

  // Sorted, unique, and consistent: each file exists in the tree, each link
  // names a file of the same folder, no decoy is taken.
  for (std::size_t i = 1; i < tree.expected_volume.size(); ++i)
    EXPECT_LT(tree.expected_volume[i - 1].path, tree.expected_volume[i].path);
  for (const auto &file : tree.expected_volume) {
    if (file.is_link()) {
      std::string folder = file.path.substr(0, file.path.find('/') + 1);
      EXPECT_NE(volume_file(tree, folder + file.link_target), nullptr) << file.path;
    } else {
      EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(file.source))) << file.source;
      EXPECT_EQ(std::find(tree.decoys.begin(), tree.decoys.end(), file.source), tree.decoys.end());
    }
  }
}

TEST_F(DriverTreeTest, OmittedLibrariesAndProgramsAreNotInstalled) {
  SKIP_UNLESS_ROOT();
  DriverTreeOptions options;
  options.omit = {"libnvidia-fbc", "libGL", "nvidia-persistenced"};
  DriverTree tree = make_driver_tree(root(), options);
  EXPECT_FALSE(fs::exists(lib64("libnvidia-fbc.so.535.104.05")));
  EXPECT_FALSE(fs::exists(lib64("libGL.so.535.104.05")));
  EXPECT_FALSE(fs::exists(root() + "/usr/bin/nvidia-persistenced"));
  auto cache = read_ld_cache(root());
  EXPECT_TRUE(entries_named(cache, "libnvidia-fbc.so.1").empty());
  auto gl = entries_named(cache, "libGL.so.1");
  ASSERT_EQ(gl.size(), 1u) << "GLVND's only";
  EXPECT_EQ(gl[0].path, "/usr/lib/glvnd/libGL.so.1");
  EXPECT_EQ(volume_file(tree, "lib64/libnvidia-fbc.so.1"), nullptr);
  EXPECT_EQ(volume_file(tree, "bin/nvidia-persistenced"), nullptr);
  EXPECT_NE(volume_file(tree, "bin/nvidia-smi"), nullptr);
}

TEST_F(DriverTreeTest, FabricManagerOnlyWhenAsked) {
  SKIP_UNLESS_ROOT();
  DriverTreeOptions options;
  options.with_fabric_manager = true;
  DriverTree tree = make_driver_tree(root(), options);
  EXPECT_TRUE(fs::exists(root() + "/usr/bin/nv-fabricmanager"));
  EXPECT_NE(volume_file(tree, "bin/nv-fabricmanager"), nullptr);
}

TEST_F(DriverTreeTest, TheTreesLibcudaIsTheStandInAndAnswers) {
  SKIP_UNLESS_ROOT();
  make_driver_tree(root(), {});
  void *handle = dlopen(lib64("libcuda.so.1").c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << dlerror();
  auto get_version = reinterpret_cast<int (*)(int *)>(dlsym(handle, "cuDriverGetVersion"));
  ASSERT_NE(get_version, nullptr);
  int answer = 0;
  EXPECT_EQ(get_version(&answer), 0);
  EXPECT_EQ(answer, 12020);
  dlclose(handle);
}

TEST_F(DriverTreeTest, TheTreesNvidiaSmiPrintsTheDriverVersion) {
  SKIP_UNLESS_ROOT();
  make_driver_tree(root(), {});
  // The tree's own layout: usr/bin beside usr/lib/x86_64-linux-gnu.
  fs::create_directories(m_dir.file("dev"));
  write_file(m_dir.file("dev/nvidia0"), "");
  Completed result =
      run_program({root() + "/usr/bin/nvidia-smi"}, {{"NVD_STAND_IN_DEV", m_dir.file("dev")}});
  EXPECT_EQ(result.status, 0) << result.out;
  EXPECT_TRUE(contains(result.out, "Driver Version: 535.104.05 (from " + root() +
                                       "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.535.104.05)"))
      << result.out;
  EXPECT_TRUE(contains(result.out, "GPU device nodes: " + m_dir.file("dev/nvidia0") + "\n"));
}

TEST_F(DriverTreeTest, TheGivenNvmlIsInstalledAsTheVersionedFile) {
  SKIP_UNLESS_ROOT();
  write_minimal_elf(m_dir.file("libnvidia-ml.so.1"),
                    {ElfKind::x86_64, "libnvidia-ml.so.1", {"libc.so.6"}, {}});
  DriverTreeOptions options;
  options.nvml_library = m_dir.file("libnvidia-ml.so.1");
  make_driver_tree(root(), options);
  EXPECT_EQ(read_file(lib64("libnvidia-ml.so.535.104.05")), read_file(options.nvml_library));
}

TEST_F(DriverTreeTest, AnNvmlWithAnotherSonameIsRefused) {
  SKIP_UNLESS_ROOT();
  write_minimal_elf(m_dir.file("libwrong.so.1"),
                    {ElfKind::x86_64, "libwrong.so.1", {"libc.so.6"}, {}});
  DriverTreeOptions options;
  options.nvml_library = m_dir.file("libwrong.so.1");
  EXPECT_EQ(error_of([&] { make_driver_tree(root(), options); }),
            "driver tree: ldconfig did not list libnvidia-ml.so.1 (libc6,x86-64) => "
            "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1 in " +
                root() + "/etc/ld.so.cache: is " + lib64("libnvidia-ml.so.535.104.05") +
                "'s SONAME libnvidia-ml.so.1?");
}

TEST_F(DriverTreeTest, InstalledVersionIsReadFromTheTree) {
  SKIP_UNLESS_ROOT();
  DriverTreeOptions options;
  options.version = "550.54.14";
  make_driver_tree(root(), options);
  EXPECT_EQ(installed_driver_version(root()), "550.54.14");
  EXPECT_EQ(error_of([&] { installed_driver_version(m_dir.path()); }),
            "driver tree: no driver installed at " + m_dir.path() +
                " (no libnvidia-ml.so.<version> or libcuda.so.<version> in " + m_dir.path() +
                "/usr/lib/x86_64-linux-gnu)");
}

TEST_F(DriverTreeTest, UpgradeReplacesTheDriverAndKeepsTheDecoys) {
  SKIP_UNLESS_ROOT();
  DriverTreeOptions options;
  options.with_32bit = true;
  DriverTree old_tree = make_driver_tree(root(), options);
  // What a driver volume of the old version holds: hard links.
  fs::create_hard_link(lib64("libcuda.so.535.104.05"), m_dir.file("volume-libcuda"));
  fs::create_hard_link(root() + "/usr/bin/nvidia-smi", m_dir.file("volume-nvidia-smi"));
  const std::string old_libcuda = read_file(m_dir.file("volume-libcuda"));

  DriverTree tree = upgrade_driver_tree(old_tree, "550.54.14");
  EXPECT_EQ(tree.options.version, "550.54.14");
  EXPECT_TRUE(tree.options.with_32bit);
  EXPECT_EQ(installed_driver_version(root()), "550.54.14");
  for (const auto &library : old_tree.libraries)
    EXPECT_FALSE(fs::exists(fs::symlink_status(library.path))) << library.path;
  for (const auto &library : tree.libraries)
    EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(library.path))) << library.path;
  EXPECT_EQ(link_target(lib64("libcuda.so.1")), "libcuda.so.550.54.14");
  EXPECT_EQ(link_target(lib32("libcuda.so.1")), "libcuda.so.550.54.14");
  EXPECT_EQ(link_target(lib64("libGLX_indirect.so.0")), "libGLX_nvidia.so.550.54.14");
  EXPECT_FALSE(fs::exists(lib64("libnvidia-tls.so.535.104.05")));
  EXPECT_FALSE(fs::exists(root() + "/usr/lib/classic-tls/libnvidia-tls.so.535.104.05"));
  EXPECT_TRUE(fs::exists(root() + "/usr/lib/classic-tls/libnvidia-tls.so.550.54.14"));

  auto cache = read_ld_cache(root());
  auto libcuda = entries_named(cache, "libcuda.so.1");
  ASSERT_EQ(libcuda.size(), 3u);
  EXPECT_EQ(libcuda[0].path, "/usr/lib/stale-driver/libcuda.so.1") << "the stale decoy stays";
  EXPECT_TRUE(entries_named(cache, "libnvidia-tls.so.535.104.05").empty());
  EXPECT_EQ(entries_named(cache, "libnvidia-glcore.so.550.54.14").size(), 2u);

  // The old volume's files are untouched; the programs are new files.
  EXPECT_EQ(read_file(m_dir.file("volume-libcuda")), old_libcuda);
  struct stat old_program {
  }, new_program{};
  ASSERT_EQ(stat(m_dir.file("volume-nvidia-smi").c_str(), &old_program), 0);
  ASSERT_EQ(stat((root() + "/usr/bin/nvidia-smi").c_str(), &new_program), 0);
  EXPECT_NE(old_program.st_ino, new_program.st_ino);
  ASSERT_NE(volume_file(tree, "lib64/libcuda.so.550.54.14"), nullptr);
  EXPECT_EQ(volume_file(tree, "lib64/libcuda.so.535.104.05"), nullptr);
}

TEST_F(DriverTreeTest, UpgradeToTheInstalledVersionIsRefused) {
  SKIP_UNLESS_ROOT();
  DriverTree tree = make_driver_tree(root(), {});
  EXPECT_EQ(error_of([&] { upgrade_driver_tree(tree, version); }),
            "driver tree: " + root() + " already has driver 535.104.05");
}

TEST_F(DriverTreeTest, AFolderThatIsNotEmptyIsRefused) {
  SKIP_UNLESS_ROOT();
  fs::create_directories(root());
  write_file(root() + "/something", "");
  EXPECT_EQ(error_of([&] { make_driver_tree(root(), {}); }),
            "driver tree: " + root() +
                " is not empty (a new tree needs an empty folder; upgrade_driver_tree installs "
                "another version over one)");
}

TEST_F(DriverTreeTest, TheFileSystemRootIsRefused) {
  EXPECT_EQ(error_of([&] { make_driver_tree("/", {}); }),
            "driver tree: refusing to install a stand-in driver into /");
}

TEST_F(DriverTreeTest, ABadVersionIsRefused) {
  for (const std::string bad : {"", "535", "535..104", "535.104.", "v535.104", "535.104.05/.."}) {
    DriverTreeOptions options;
    options.version = bad;
    EXPECT_EQ(error_of([&] { make_driver_tree(root(), options); }),
              "driver tree: version \"" + bad +
                  "\" is not a driver version (dotted numbers, e.g. 535.104.05)");
  }
  EXPECT_FALSE(fs::exists(root()));
}

TEST_F(DriverTreeTest, AStaleVersionEqualToTheDriversIsRefused) {
  DriverTreeOptions options;
  options.stale_version = options.version;
  EXPECT_EQ(error_of([&] { make_driver_tree(root(), options); }),
            "driver tree: the stale libcuda's version must differ from the driver's (535.104.05)");
}

TEST_F(DriverTreeTest, AnUnknownNameToOmitIsRefused) {
  DriverTreeOptions options;
  options.omit = {"libnvidia-nope"};
  std::string message = error_of([&] { make_driver_tree(root(), options); });
  EXPECT_EQ(message.rfind("driver tree: cannot omit \"libnvidia-nope\": not a library or program "
                          "of the driver (known: libcuda, libnvidia-ml, ",
                          0),
            0u)
      << message;
  EXPECT_TRUE(contains(message, ", nvidia-smi, ")) << message;
}

TEST_F(DriverTreeTest, AMissingNvmlIsRefused) {
  DriverTreeOptions options;
  options.nvml_library = m_dir.file("absent/libnvidia-ml.so.1");
  EXPECT_EQ(error_of([&] { make_driver_tree(root(), options); }),
            "driver tree: the stand-in NVML " + options.nvml_library +
                " is not a file (build the target nvd_stand_in_nvml)");
}

TEST_F(DriverTreeTest, AFolderWithoutStandInsIsRefused) {
  SKIP_UNLESS_ROOT();
  DriverTreeOptions options;
  options.stand_ins = m_dir.file("nothing-here");
  EXPECT_EQ(error_of([&] { make_driver_tree(root(), options); }),
            "driver tree: the stand-in " + options.stand_ins +
                "/libcuda.so.1 is missing (build the targets nvd_stand_in_cuda and "
                "nvd_stand_in_nvidia_tool)");
  EXPECT_FALSE(fs::exists(root()));
}

// --- The command-line tool ---------------------------------------------------

TEST_F(DriverTreeTest, ToolInstallsATreeAndListsItsVolume) {
  SKIP_UNLESS_ROOT();
  Completed result =
      run_program({NVD_MAKE_DRIVER_TREE, root(), "--version", "550.54.14", "--32bit", "--omit",
                   "libnvidia-fbc", "--omit", "nvidia-persistenced", "--list"});
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.err, "");
  EXPECT_TRUE(contains(result.out, "\nlib64/libcuda.so.1 -> libcuda.so.550.54.14\n")) << result.out;
  EXPECT_TRUE(contains(result.out, "\nlib/libcuda.so.550.54.14\n")) << result.out;
  EXPECT_TRUE(contains(result.out, "\nbin/nvidia-smi\n")) << result.out;
  EXPECT_FALSE(contains(result.out, "fbc")) << result.out;
  EXPECT_FALSE(contains(result.out, "persistenced")) << result.out;
  EXPECT_EQ(installed_driver_version(root()), "550.54.14");
}

TEST_F(DriverTreeTest, ToolUpgradesATree) {
  SKIP_UNLESS_ROOT();
  make_driver_tree(root(), {});
  Completed result =
      run_program({NVD_MAKE_DRIVER_TREE, root(), "--upgrade", "--version", "550.54.14"});
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out.rfind("upgraded to stand-in NVIDIA driver 550.54.14 at " + root() + ": ", 0),
            0u)
      << result.out;
  EXPECT_EQ(installed_driver_version(root()), "550.54.14");
}

TEST(MakeDriverTreeTool, ReportsItsErrorsInOneLine) {
  Completed result = run_program({NVD_MAKE_DRIVER_TREE, "/", "--no-decoys"});
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.err,
            "make_driver_tree: driver tree: refusing to install a stand-in driver into /\n");
}

TEST(MakeDriverTreeTool, AnUnknownOptionIsAUsageError) {
  Completed result = run_program({NVD_MAKE_DRIVER_TREE, "/tmp/x", "--bogus"});
  EXPECT_EQ(result.status, 2);
  EXPECT_TRUE(contains(result.err, "make_driver_tree: ")) << result.err;
  EXPECT_TRUE(contains(result.err, "--bogus")) << result.err;
  EXPECT_TRUE(contains(result.err, "(see --help)\n")) << result.err;
}

} // namespace
