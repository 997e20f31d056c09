// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/driver/volume_plan.hpp"

#include "nvd/common/strings.hpp"
#include "nvd/plugin/driver/driver_libraries.hpp"
#include "support/errors.hpp"
#include "support/table.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

using namespace nvd;
using nvd::test::error_of;

namespace {

const std::string version = "535.104.05";
const std::string lib64_folder = "/usr/lib/x86_64-linux-gnu";
const std::string lib32_folder = "/usr/lib/i386-linux-gnu";

DriverLibraryFile library(ElfClass elf_class, const std::string &cache_name, const std::string &real_name,
                          const std::string &soname, std::vector<std::string> needed = {},
                          const std::string &folder = "") {
  DriverLibraryFile file;
  file.cache_name = cache_name;
  file.folder = !folder.empty() ? folder : elf_class == ElfClass::elf64 ? lib64_folder : lib32_folder;
  file.real_name = real_name;
  file.host_path = "/drv" + file.folder + "/" + real_name;
  file.elf.elf_class = elf_class;
  file.elf.soname = soname;
  file.elf.needed = std::move(needed);
  return file;
}

// A 64-bit library of the running driver: "libnvidia-fbc" ->
// libnvidia-fbc.so.1 -> libnvidia-fbc.so.535.104.05.
DriverLibraryFile lib64(const std::string &stem, std::vector<std::string> needed = {}) {
  return library(ElfClass::elf64, stem + ".so.1", stem + ".so." + version, stem + ".so.1", std::move(needed));
}

DriverLibraryFile lib32(const std::string &stem) {
  return library(ElfClass::elf32, stem + ".so.1", stem + ".so." + version, stem + ".so.1");
}

DriverLibraryFile with_abi_tag(DriverLibraryFile file, ElfAbiTag tag) {
  file.elf.abi_tag = tag;
  return file;
}

// The facts of a driver with `libraries` listed first, then libcuda and libnvidia-ml.
DriverFacts driver_with(std::vector<DriverLibraryFile> libraries,
                        std::vector<DriverBinaryFile> binaries = {}) {
  DriverFacts facts;
  facts.driver_root = "/drv";
  facts.version = version;
  facts.libraries = std::move(libraries);
  facts.libraries.push_back(lib64("libcuda"));
  facts.libraries.push_back(lib64("libnvidia-ml"));
  facts.binaries = std::move(binaries);
  return facts;
}

std::string render(const VolumeEntry &entry) {
  return entry.kind == VolumeEntry::Kind::file ? entry.path + " <- " + entry.source
                                               : entry.path + " -> " + entry.source;
}

std::vector<std::string> render(const std::vector<VolumeEntry> &entries) {
  std::vector<std::string> lines;
  for (const VolumeEntry &entry : entries)
    lines.push_back(render(entry));
  return lines;
}

const std::vector<std::string> essentials = {
    "lib64/libcuda.so -> libcuda.so.535.104.05",
    "lib64/libcuda.so.1 -> libcuda.so.535.104.05",
    "lib64/libcuda.so.535.104.05 <- /drv/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05",
    "lib64/libnvidia-ml.so.1 -> libnvidia-ml.so.535.104.05",
    "lib64/libnvidia-ml.so.535.104.05 <- /drv/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.535.104.05",
};

// The skipped lines that say more than "not shipped" or "not installed".
std::vector<std::string> left_out(const VolumePlan &plan) {
  std::vector<std::string> lines;
  for (const std::string &line : plan.skipped)
    if (!ends_with(line, ": not shipped by this driver") && !ends_with(line, ": not installed"))
      lines.push_back(line);
  return lines;
}

} // namespace

struct PlanCase {
  std::string name;
  std::vector<DriverLibraryFile> libraries;
  std::vector<DriverBinaryFile> binaries;
  std::vector<std::string> entries;  // beyond the essentials
  std::vector<std::string> left_out; // in order
};

namespace {

std::vector<std::string> sorted_with_essentials(std::vector<std::string> entries) {
  entries.insert(entries.end(), essentials.begin(), essentials.end());
  std::sort(entries.begin(), entries.end());
  return entries;
}

const std::string usr_lib = "/drv/usr/lib/x86_64-linux-gnu/";

std::vector<PlanCase> plan_cases() {
  DriverLibraryFile stale =
      library(ElfClass::elf64, "libcuda.so.1", "libcuda.so.470.57.02", "libcuda.so.1", {}, "/usr/lib/stale");
  DriverLibraryFile same_name_elsewhere = lib64("libnvidia-fbc");
  same_name_elsewhere.folder = "/opt/nvidia";
  same_name_elsewhere.host_path = "/drv/opt/nvidia/libnvidia-fbc.so.535.104.05";
  DriverLibraryFile development_link = lib64("libnvidia-fbc");
  development_link.cache_name = "libnvidia-fbc.so";
  DriverLibraryFile relative = lib64("libnvidia-fbc");
  relative.host_path = "usr/lib/libnvidia-fbc.so.535.104.05";
  DriverLibraryFile tls_classic =
      with_abi_tag(library(ElfClass::elf64, "libnvidia-tls.so.535.104.05", "libnvidia-tls.so.535.104.05",
                           "libnvidia-tls.so.535.104.05"),
                   {0, 2, 2, 5});
  DriverLibraryFile tls_new =
      with_abi_tag(library(ElfClass::elf64, "libnvidia-tls.so.535.104.05", "libnvidia-tls.so.535.104.05",
                           "libnvidia-tls.so.535.104.05", {}, lib64_folder + "/tls"),
                   {0, 2, 3, 99});
  return {
      {"minimal_driver", {}, {}, {}, {}},
      {"video_library",
       {lib64("libnvidia-encode")},
       {},
       {"lib64/libnvidia-encode.so.1 -> libnvidia-encode.so.535.104.05",
        "lib64/libnvidia-encode.so.535.104.05 <- " + usr_lib + "libnvidia-encode.so.535.104.05"},
       {}},
      {"thirty_two_bit_libraries_go_to_lib",
       {lib32("libcuda"), lib32("libnvidia-ml")},
       {},
       {"lib/libcuda.so -> libcuda.so.535.104.05", "lib/libcuda.so.1 -> libcuda.so.535.104.05",
        "lib/libcuda.so.535.104.05 <- /drv/usr/lib/i386-linux-gnu/libcuda.so.535.104.05",
        "lib/libnvidia-ml.so.1 -> libnvidia-ml.so.535.104.05",
        "lib/libnvidia-ml.so.535.104.05 <- /drv/usr/lib/i386-linux-gnu/libnvidia-ml.so.535.104.05"},
       {}},
      {"a_stale_libcuda_listed_first_does_not_win",
       {stale},
       {},
       {},
       {"libcuda.so.1 (/usr/lib/stale/libcuda.so.470.57.02): not of driver 535.104.05, left out"}},
      {"the_version_must_follow_a_dot",
       {library(ElfClass::elf64, "libnvidia-fbc.so.1", "libnvidia-fbc.so.1535.104.05", "libnvidia-fbc.so.1")},
       {},
       {},
       {"libnvidia-fbc.so.1 (/usr/lib/x86_64-linux-gnu/libnvidia-fbc.so.1535.104.05): not of driver "
        "535.104.05, "
        "left out"}},
      {"nvidias_legacy_libgl_goes_in",
       {library(ElfClass::elf64, "libGL.so.1", "libGL.so.535.104.05", "libGL.so.1",
                {"libnvidia-tls.so.535.104.05", "libnvidia-glcore.so.535.104.05"})},
       {},
       {"lib64/libGL.so.1 -> libGL.so.535.104.05",
        "lib64/libGL.so.535.104.05 <- " + usr_lib + "libGL.so.535.104.05"},
       {}},
      {"nvidias_legacy_gles_needing_eglcore_goes_in",
       {library(ElfClass::elf64, "libGLESv2.so.2", "libGLESv2.so.535.104.05", "libGLESv2.so.2",
                {"libnvidia-eglcore.so.535.104.05"})},
       {},
       {"lib64/libGLESv2.so.2 -> libGLESv2.so.535.104.05",
        "lib64/libGLESv2.so.535.104.05 <- " + usr_lib + "libGLESv2.so.535.104.05"},
       {}},
      {"another_vendors_libegl_stays_out_even_with_the_drivers_version",
       {library(ElfClass::elf64, "libEGL.so.1", "libEGL.so.535.104.05", "libEGL.so.1",
                {"libGLdispatch.so.0"})},
       {},
       {},
       {"libEGL.so.1 (/usr/lib/x86_64-linux-gnu/libEGL.so.535.104.05): not NVIDIA's (it needs neither "
        "libnvidia-glcore nor libnvidia-eglcore), left out"}},
      {"glvnds_libegl_stays_out",
       {library(ElfClass::elf64, "libEGL.so.1", "libEGL.so.1.1.0", "libEGL.so.1", {"libGLdispatch.so.0"})},
       {},
       {},
       {"libEGL.so.1 (/usr/lib/x86_64-linux-gnu/libEGL.so.1.1.0): not of driver 535.104.05, left out"}},
      {"libglx_nvidia_brings_the_indirect_link",
       {library(ElfClass::elf64, "libGLX_nvidia.so.0", "libGLX_nvidia.so.535.104.05", "libGLX_nvidia.so.0"),
        library(ElfClass::elf32, "libGLX_nvidia.so.0", "libGLX_nvidia.so.535.104.05", "libGLX_nvidia.so.0")},
       {},
       {"lib64/libGLX_indirect.so.0 -> libGLX_nvidia.so.535.104.05",
        "lib64/libGLX_nvidia.so.0 -> libGLX_nvidia.so.535.104.05",
        "lib64/libGLX_nvidia.so.535.104.05 <- " + usr_lib + "libGLX_nvidia.so.535.104.05",
        "lib/libGLX_indirect.so.0 -> libGLX_nvidia.so.535.104.05",
        "lib/libGLX_nvidia.so.0 -> libGLX_nvidia.so.535.104.05",
        "lib/libGLX_nvidia.so.535.104.05 <- /drv/usr/lib/i386-linux-gnu/libGLX_nvidia.so.535.104.05"},
       {}},
      {"tls_of_the_new_abi_goes_in",
       {tls_new},
       {},
       {"lib64/libnvidia-tls.so.535.104.05 <- " + usr_lib + "tls/libnvidia-tls.so.535.104.05"},
       {}},
      {"tls_without_an_abi_tag_goes_in",
       {library(ElfClass::elf64, "libnvidia-tls.so.535.104.05", "libnvidia-tls.so.535.104.05",
                "libnvidia-tls.so.535.104.05")},
       {},
       {"lib64/libnvidia-tls.so.535.104.05 <- " + usr_lib + "libnvidia-tls.so.535.104.05"},
       {}},
      {"tls_of_the_classic_abi_stays_out_and_the_new_one_wins",
       {tls_classic, tls_new},
       {},
       {"lib64/libnvidia-tls.so.535.104.05 <- " + usr_lib + "tls/libnvidia-tls.so.535.104.05"},
       {"libnvidia-tls.so.535.104.05 (/usr/lib/x86_64-linux-gnu/libnvidia-tls.so.535.104.05): of the classic "
        "TLS "
        "ABI (ABI tag 2.2.5), left out"}},
      {"pkcs11_libraries_by_prefix",
       {library(ElfClass::elf64, "libnvidia-pkcs11.so.535.104.05", "libnvidia-pkcs11.so.535.104.05",
                "libnvidia-pkcs11.so.535.104.05"),
        library(ElfClass::elf64, "libnvidia-pkcs11-openssl3.so.535.104.05",
                "libnvidia-pkcs11-openssl3.so.535.104.05", "libnvidia-pkcs11-openssl3.so.535.104.05")},
       {},
       {"lib64/libnvidia-pkcs11-openssl3.so.535.104.05 <- " + usr_lib +
            "libnvidia-pkcs11-openssl3.so.535.104.05",
        "lib64/libnvidia-pkcs11.so.535.104.05 <- " + usr_lib + "libnvidia-pkcs11.so.535.104.05"},
       {}},
      {"the_first_file_to_claim_a_path_keeps_it",
       {lib64("libnvidia-fbc"), same_name_elsewhere},
       {},
       {"lib64/libnvidia-fbc.so.1 -> libnvidia-fbc.so.535.104.05",
        "lib64/libnvidia-fbc.so.535.104.05 <- " + usr_lib + "libnvidia-fbc.so.535.104.05"},
       {"libnvidia-fbc.so.1 (/opt/nvidia/libnvidia-fbc.so.535.104.05): lib64/libnvidia-fbc.so.535.104.05 is "
        "taken by " +
        usr_lib + "libnvidia-fbc.so.535.104.05, left out"}},
      {"one_file_under_two_names_is_one_entry",
       {lib64("libnvidia-fbc"), development_link},
       {},
       {"lib64/libnvidia-fbc.so.1 -> libnvidia-fbc.so.535.104.05",
        "lib64/libnvidia-fbc.so.535.104.05 <- " + usr_lib + "libnvidia-fbc.so.535.104.05"},
       {}},
      {"a_soname_link_may_not_replace_another_file",
       {lib64("libnvidia-glcore"), library(ElfClass::elf64, "libnvidia-glsi.so.535.104.05",
                                           "libnvidia-glsi.so.535.104.05", "libnvidia-glcore.so.535.104.05")},
       {},
       {"lib64/libnvidia-glcore.so.1 -> libnvidia-glcore.so.535.104.05",
        "lib64/libnvidia-glcore.so.535.104.05 <- " + usr_lib + "libnvidia-glcore.so.535.104.05"},
       {"libnvidia-glsi.so.535.104.05 (/usr/lib/x86_64-linux-gnu/libnvidia-glsi.so.535.104.05): "
        "lib64/libnvidia-glcore.so.535.104.05 is taken by " +
        usr_lib + "libnvidia-glcore.so.535.104.05, left out"}},
      {"without_a_soname_the_cache_name_is_the_link",
       {library(ElfClass::elf64, "libnvidia-cfg.so.1", "libnvidia-cfg.so.535.104.05", "")},
       {},
       {"lib64/libnvidia-cfg.so.1 -> libnvidia-cfg.so.535.104.05",
        "lib64/libnvidia-cfg.so.535.104.05 <- " + usr_lib + "libnvidia-cfg.so.535.104.05"},
       {}},
      {"a_soname_that_is_the_real_name_needs_no_link",
       {library(ElfClass::elf64, "libnvidia-glsi.so.535.104.05", "libnvidia-glsi.so.535.104.05",
                "libnvidia-glsi.so.535.104.05")},
       {},
       {"lib64/libnvidia-glsi.so.535.104.05 <- " + usr_lib + "libnvidia-glsi.so.535.104.05"},
       {}},
      {"a_real_name_that_is_no_plain_name_stays_out",
       {library(ElfClass::elf64, "libnvidia-fbc.so.1", "..", "libnvidia-fbc.so.1")},
       {},
       {},
       {"libnvidia-fbc.so.1 (/usr/lib/x86_64-linux-gnu/..): not a plain file name, left out"}},
      {"a_hostile_soname_stays_out",
       {library(ElfClass::elf64, "libnvidia-fbc.so.1", "libnvidia-fbc.so.535.104.05",
                "../../etc/ld.so.preload")},
       {},
       {},
       {"libnvidia-fbc.so.1 (/usr/lib/x86_64-linux-gnu/libnvidia-fbc.so.535.104.05): its SONAME "
        "../../etc/ld.so.preload is not a plain file name, left out"}},
      {"a_dot_soname_stays_out",
       {library(ElfClass::elf64, "libnvidia-fbc.so.1", "libnvidia-fbc.so.535.104.05", ".")},
       {},
       {},
       {"libnvidia-fbc.so.1 (/usr/lib/x86_64-linux-gnu/libnvidia-fbc.so.535.104.05): its SONAME . is not a "
        "plain "
        "file name, left out"}},
      {"a_cache_name_leading_to_another_library_stays_out",
       {library(ElfClass::elf64, "libnvidia-fbc.so.1", "libnvidia-encode.so.535.104.05",
                "libnvidia-fbc.so.1")},
       {},
       {},
       {"libnvidia-fbc.so.1 (/usr/lib/x86_64-linux-gnu/libnvidia-encode.so.535.104.05): its file is not "
        "libnvidia-fbc's, left out"}},
      {"a_relative_host_path_stays_out",
       {relative},
       {},
       {},
       {"libnvidia-fbc.so.1 (/usr/lib/x86_64-linux-gnu/libnvidia-fbc.so.535.104.05): no absolute path to "
        "link from, "
        "left out"}},
      {"binaries_go_to_bin_the_first_found_wins",
       {},
       {{"nvidia-smi", "/drv/usr/bin/nvidia-smi"},
        {"nvidia-smi", "/drv/bin/nvidia-smi"},
        {"nv-fabricmanager", "/drv/usr/sbin/nv-fabricmanager"}},
       {"bin/nv-fabricmanager <- /drv/usr/sbin/nv-fabricmanager",
        "bin/nvidia-smi <- /drv/usr/bin/nvidia-smi"},
       {}},
  };
}

} // namespace

class VolumePlanCase : public ::testing::TestWithParam<PlanCase> {};

TEST_P(VolumePlanCase, HasTheseEntriesAndLeavesOutThese) {
  const VolumePlan plan = plan_driver_volume(driver_with(GetParam().libraries, GetParam().binaries));
  EXPECT_EQ(plan.version, version);
  EXPECT_EQ(render(plan.entries), sorted_with_essentials(GetParam().entries));
  EXPECT_EQ(left_out(plan), GetParam().left_out);
}

TEST_P(VolumePlanCase, EntriesAreSortedUniquePlainAndInTheirFolders) {
  const VolumePlan plan = plan_driver_volume(driver_with(GetParam().libraries, GetParam().binaries));
  std::set<std::string> paths;
  for (std::size_t i = 0; i < plan.entries.size(); ++i) {
    const VolumeEntry &entry = plan.entries[i];
    EXPECT_TRUE(paths.insert(entry.path).second) << entry.path << " twice";
    if (i > 0) {
      EXPECT_LT(plan.entries[i - 1].path, entry.path);
    }
    const std::size_t slash = entry.path.find('/');
    ASSERT_NE(slash, std::string::npos) << entry.path;
    const std::string folder = entry.path.substr(0, slash);
    const std::string name = entry.path.substr(slash + 1);
    EXPECT_TRUE(folder == "bin" || folder == "lib" || folder == "lib64") << entry.path;
    EXPECT_TRUE(is_plain_name(name) && name != "." && name != "..") << entry.path;
    EXPECT_EQ(entry.path.find(".."), std::string::npos) << entry.path;
    if (entry.kind == VolumeEntry::Kind::symlink) {
      EXPECT_TRUE(is_plain_name(entry.source) && entry.source != "..") << entry.source;
      // A link's target is a file of the plan, in the same folder.
      EXPECT_TRUE(std::any_of(plan.entries.begin(), plan.entries.end(), [&](const VolumeEntry &file) {
        return file.kind == VolumeEntry::Kind::file && file.path == folder + "/" + entry.source;
      })) << entry.path;
    } else {
      EXPECT_TRUE(starts_with(entry.source, "/")) << entry.source;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Drivers, VolumePlanCase, ::testing::ValuesIn(plan_cases()), nvd::test::RowName());

TEST(VolumePlan, SaysWhatTheDriverDoesNotShipAndWhichProgramsAreMissing) {
  const VolumePlan plan = plan_driver_volume(
      driver_with({lib64("libnvidia-encode")}, {{"nvidia-smi", "/drv/usr/bin/nvidia-smi"}}));
  std::vector<std::string> expected;
  for (const DriverLibrary &library : driver_libraries())
    if (library.stem != "libcuda" && library.stem != "libnvidia-ml" && library.stem != "libnvidia-encode")
      expected.push_back(std::string(library.stem) + ": not shipped by this driver");
  for (const char *name : {"nvidia-debugdump", "nvidia-persistenced", "nvidia-cuda-mps-control",
                           "nvidia-cuda-mps-server", "nv-fabricmanager"})
    expected.push_back(std::string(name) + ": not installed");
  EXPECT_EQ(plan.skipped, expected);
  EXPECT_EQ(plan.skipped.front(), "libnvidia-ptxjitcompiler: not shipped by this driver");
}

TEST(VolumePlan, UnreadableCandidatesComeFirstInTheSkippedLines) {
  DriverFacts facts = driver_with({});
  facts.unreadable = {"libnvidia-fbc.so.1 (x86-64): /drv/x: not an ELF file, left out"};
  const VolumePlan plan = plan_driver_volume(facts);
  EXPECT_EQ(plan.skipped.front(), facts.unreadable.front());
}

TEST(VolumePlan, ALibraryListedOnlyWithAnotherVersionIsNotAlsoNotShipped) {
  DriverFacts facts = driver_with(
      {library(ElfClass::elf64, "libnvidia-fbc.so.1", "libnvidia-fbc.so.470.57.02", "libnvidia-fbc.so.1")});
  const VolumePlan plan = plan_driver_volume(facts);
  EXPECT_EQ(std::count(plan.skipped.begin(), plan.skipped.end(), "libnvidia-fbc: not shipped by this driver"),
            0);
}

// ----- Errors -----

namespace {

DriverFacts facts_of(std::vector<DriverLibraryFile> libraries, const std::string &root = "/drv") {
  DriverFacts facts;
  facts.driver_root = root;
  facts.version = version;
  facts.libraries = std::move(libraries);
  return facts;
}

} // namespace

struct ErrorCase {
  std::string name;
  DriverFacts facts;
  std::string error;
};

class VolumePlanRefuses : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(VolumePlanRefuses, SayingWhichAndWhatToCheck) {
  EXPECT_EQ(error_of([&] { plan_driver_volume(GetParam().facts); }), GetParam().error);
}

namespace {

const std::string check_drv = " of driver 535.104.05 in /drv/etc/ld.so.cache: is the NVIDIA driver installed "
                              "under /drv, and was ldconfig run "
                              "there (ldconfig -r /drv)?";

DriverFacts with_version(const std::string &text) {
  DriverFacts facts = driver_with({});
  facts.version = text;
  return facts;
}

std::vector<ErrorCase> error_cases() {
  const DriverLibraryFile stale =
      library(ElfClass::elf64, "libcuda.so.1", "libcuda.so.470.57.02", "libcuda.so.1", {}, "/usr/lib/stale");
  return {
      {"no_libcuda", facts_of({lib64("libnvidia-ml")}), "no 64-bit libcuda" + check_drv},
      {"no_libnvidia_ml", facts_of({lib64("libcuda")}), "no 64-bit libnvidia-ml" + check_drv},
      {"neither", facts_of({}), "no 64-bit libcuda and libnvidia-ml" + check_drv},
      {"only_a_stale_libcuda", facts_of({stale, lib64("libnvidia-ml")}),
       "no 64-bit libcuda (libcuda.so.1 (/usr/lib/stale/libcuda.so.470.57.02): not of driver 535.104.05)" +
           check_drv},
      {"only_a_32_bit_libcuda", facts_of({lib32("libcuda"), lib64("libnvidia-ml")}),
       "no 64-bit libcuda" + check_drv},
      {"at_the_host_root", facts_of({lib64("libcuda")}, "/"),
       "no 64-bit libnvidia-ml of driver 535.104.05 in /etc/ld.so.cache: is the NVIDIA driver installed "
       "under /, and "
       "was ldconfig run there (ldconfig)?"},
      {"empty_version", with_version(""),
       "invalid driver version:  (dot-separated numbers expected, such as 535.104.05)"},
      {"double_dot_version", with_version("535..05"),
       "invalid driver version: 535..05 (dot-separated numbers expected, such as 535.104.05)"},
      {"path_as_version", with_version("../535"),
       "invalid driver version: ../535 (dot-separated numbers expected, such as 535.104.05)"},
      {"control_characters_in_the_version", with_version("535\n"),
       "invalid driver version: 535\\x0a (dot-separated numbers expected, such as 535.104.05)"},
  };
}

} // namespace

INSTANTIATE_TEST_SUITE_P(Drivers, VolumePlanRefuses, ::testing::ValuesIn(error_cases()),
                         nvd::test::RowName());
