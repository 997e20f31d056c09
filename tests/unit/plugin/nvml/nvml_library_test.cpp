// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/nvml/nvml_library.hpp"

#include "support/errors.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <fstream>
#include <set>

using namespace nvd::nvml;
using nvd::test::error_of;

namespace {

// Every symbol NVML may have; a test removes some.
const std::set<std::string> &every_symbol() {
  static const std::set<std::string> names = {
      "nvmlInit_v2", "nvmlShutdown", "nvmlErrorString", "nvmlSystemGetDriverVersion",
      "nvmlDeviceGetCount_v2", "nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetUUID",
      "nvmlDeviceGetMinorNumber", "nvmlDeviceGetName", "nvmlDeviceGetPciInfo_v3",
      "nvmlDeviceGetPciInfo_v2", "nvmlDeviceGetPowerUsage", "nvmlSystemGetCudaDriverVersion",
      "nvmlDeviceGetNvLinkRemotePciInfo", "nvmlDeviceGetNvLinkRemotePciInfo_v2"};
  return names;
}

// A lookup that finds `names`, each at an address of its own.
std::function<void *(const char *)> finding(const std::set<std::string> &names) {
  static char addresses[64];
  return [names](const char *name) -> void * {
    auto found = names.find(name);
    if (found == names.end())
      return nullptr;
    return &addresses[std::distance(names.begin(), found)];
  };
}

std::set<std::string> without(std::set<std::string> names, const std::set<std::string> &gone) {
  for (const std::string &name : gone)
    names.erase(name);
  return names;
}

void *address_of(const char *name) { return finding(every_symbol())(name); }

class MissingRequiredEntryPoint : public ::testing::TestWithParam<std::string> {};

} // namespace

TEST_P(MissingRequiredEntryPoint, IsAnErrorNamingIt) {
  std::string name = GetParam();
  std::set<std::string> gone = {name};
  if (name == "nvmlDeviceGetPciInfo_v3 (or _v2)")
    gone = {"nvmlDeviceGetPciInfo_v3", "nvmlDeviceGetPciInfo_v2"};
  EXPECT_EQ(error_of([&] { resolve_api(finding(without(every_symbol(), gone)), "/lib/nvml.so"); }),
            "NVML /lib/nvml.so lacks " + name +
                ": this driver is too old for nvidia-docker-plugin; upgrade it, or pass --inventory");
}

INSTANTIATE_TEST_SUITE_P(EachOne, MissingRequiredEntryPoint,
                         ::testing::ValuesIn(required_entry_points()),
                         [](const ::testing::TestParamInfo<std::string> &row) {
                           std::string name = row.param.substr(0, row.param.find(' '));
                           return name;
                         });

TEST(ResolveApi, NamesEveryMissingRequiredEntryPointAtOnce) {
  std::set<std::string> gone = {"nvmlDeviceGetMinorNumber", "nvmlDeviceGetName"};
  EXPECT_EQ(error_of([&] { resolve_api(finding(without(every_symbol(), gone)), "X"); }),
            "NVML X lacks nvmlDeviceGetMinorNumber, nvmlDeviceGetName: this driver is too old for "
            "nvidia-docker-plugin; upgrade it, or pass --inventory");
}

TEST(ResolveApi, TakesPciInfoV3WhenBothAreThere) {
  Api api = resolve_api(finding(every_symbol()), "X");
  EXPECT_EQ(reinterpret_cast<void *>(api.device_pci_info), address_of("nvmlDeviceGetPciInfo_v3"));
}

TEST(ResolveApi, FallsBackToPciInfoV2) {
  Api api = resolve_api(finding(without(every_symbol(), {"nvmlDeviceGetPciInfo_v3"})), "X");
  EXPECT_EQ(reinterpret_cast<void *>(api.device_pci_info), address_of("nvmlDeviceGetPciInfo_v2"));
}

TEST(ResolveApi, FallsBackToTheUnversionedNvLinkRemotePciInfo) {
  Api api = resolve_api(
      finding(without(every_symbol(), {"nvmlDeviceGetNvLinkRemotePciInfo_v2"})), "X");
  EXPECT_EQ(reinterpret_cast<void *>(api.nvlink_remote_pci),
            address_of("nvmlDeviceGetNvLinkRemotePciInfo"));
}

TEST(ResolveApi, LeavesAbsentOptionalEntryPointsNull) {
  std::set<std::string> required_only =
      without(every_symbol(), {"nvmlDeviceGetPowerUsage", "nvmlSystemGetCudaDriverVersion",
                               "nvmlDeviceGetNvLinkRemotePciInfo",
                               "nvmlDeviceGetNvLinkRemotePciInfo_v2"});
  Api api = resolve_api(finding(required_only), "X");
  EXPECT_EQ(api.power_usage, nullptr);
  EXPECT_EQ(api.cuda_driver_version, nullptr);
  EXPECT_EQ(api.nvlink_remote_pci, nullptr);
  EXPECT_EQ(api.temperature, nullptr);
  EXPECT_NE(api.init, nullptr);
}

TEST(ResolveApi, FindsOptionalEntryPointsThatArePresent) {
  Api api = resolve_api(finding(every_symbol()), "X");
  EXPECT_EQ(reinterpret_cast<void *>(api.power_usage), address_of("nvmlDeviceGetPowerUsage"));
}

TEST(NvmlLibrary, NoPathIsNvmlNotFoundUnderTheDriverRoot) {
  EXPECT_EQ(error_of([] { NvmlLibrary("", "/run/nvidia/driver"); }),
            "NVML not found under the driver root /run/nvidia/driver: is the NVIDIA driver "
            "installed? or pass --inventory");
}

TEST(NvmlLibrary, AMissingFileIsNvmlNotFoundUnderTheDriverRoot) {
  nvd::test::TempDir dir;
  EXPECT_EQ(error_of([&] { NvmlLibrary(dir.file("lib/libnvidia-ml.so.1"), dir.path()); }),
            "NVML not found under the driver root " + dir.path() +
                ": is the NVIDIA driver installed? or pass --inventory");
}

TEST(NvmlLibrary, AFileThatIsNoLibraryCannotBeLoaded) {
  nvd::test::TempDir dir;
  std::ofstream(dir.file("libnvidia-ml.so.1")) << "not an ELF file\n";
  std::string error = error_of([&] { NvmlLibrary(dir.file("libnvidia-ml.so.1"), "/"); });
  EXPECT_EQ(error.rfind("cannot load NVML " + dir.file("libnvidia-ml.so.1") + ": ", 0), 0u)
      << error;
}

TEST(NvmlLibrary, ALibraryWithoutRequiredEntryPointsIsAnErrorNamingThem) {
  std::string error = error_of([] { NvmlLibrary(NVD_STAND_IN_NVML_INCOMPLETE, "/"); });
  EXPECT_NE(error.find(" lacks nvmlDeviceGetMinorNumber, nvmlDeviceGetPciInfo_v3 (or _v2): this "
                       "driver is too old for nvidia-docker-plugin; upgrade it, or pass --inventory"),
            std::string::npos)
      << error;
}

TEST(NvmlLibrary, LoadsTheFileItsLinkNames) {
  nvd::test::TempDir dir;
  std::string link = dir.file("libnvidia-ml.so.1");
  ASSERT_EQ(::symlink(NVD_STAND_IN_NVML_FULL, link.c_str()), 0);
  NvmlLibrary library(link, dir.path());
  char real[PATH_MAX];
  ASSERT_NE(::realpath(NVD_STAND_IN_NVML_FULL, real), nullptr);
  EXPECT_EQ(library.path(), real);
}

TEST(LibcudaDriverVersion, IsAskedOfTheLibcudaGiven) {
  ::setenv("NVD_STAND_IN_CUDA", "11080", 1);
  EXPECT_EQ(libcuda_driver_version(NVD_STAND_IN_CUDA), 11080);
  ::unsetenv("NVD_STAND_IN_CUDA");
}

TEST(LibcudaDriverVersion, IsUnknownWithoutLibcuda) {
  EXPECT_EQ(libcuda_driver_version(""), std::nullopt);
  EXPECT_EQ(libcuda_driver_version("/nonexistent/libcuda.so.1"), std::nullopt);
  EXPECT_EQ(libcuda_driver_version(NVD_STAND_IN_NVML_FULL), std::nullopt); // no cuDriverGetVersion
}
