// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/driver/driver_libraries.hpp"

#include "support/table.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

using namespace nvd;

TEST(DriverLibraries, StemsAreUniqueAndOnlyTheTwoEssentialsAreRequired) {
  std::set<std::string_view> stems;
  std::set<std::string_view> required;
  for (const DriverLibrary &library : driver_libraries()) {
    EXPECT_TRUE(stems.insert(library.stem).second) << library.stem << " is listed twice";
    if (library.required)
      required.insert(library.stem);
  }
  EXPECT_EQ(required, (std::set<std::string_view>{"libcuda", "libnvidia-ml"}));
}

TEST(DriverLibraries, EveryStemFindsItsOwnEntry) {
  for (const DriverLibrary &library : driver_libraries()) {
    const std::string name = std::string(library.stem) + ".so.535.104.05";
    EXPECT_EQ(driver_library_of(name), &library) << name;
  }
}

TEST(DriverLibraries, TheIssuesListIsThere) {
  for (const char *stem : {"libcuda",
                           "libnvidia-ml",
                           "libnvidia-ptxjitcompiler",
                           "libnvidia-nvvm",
                           "libnvidia-gpucomp",
                           "libnvidia-allocator",
                           "libcudadebugger",
                           "libnvidia-opencl",
                           "libnvidia-cfg",
                           "libnvidia-nscq",
                           "libnvidia-pkcs11",
                           "libnvidia-fatbinaryloader",
                           "libnvidia-compiler",
                           "libvdpau_nvidia",
                           "libnvidia-encode",
                           "libnvcuvid",
                           "libnvidia-opticalflow",
                           "libnvidia-fbc",
                           "libnvidia-ifr",
                           "libnvidia-eglcore",
                           "libnvidia-glcore",
                           "libnvidia-tls",
                           "libnvidia-glsi",
                           "libnvidia-rtcore",
                           "libnvoptix",
                           "libGLX_nvidia",
                           "libEGL_nvidia",
                           "libGLESv2_nvidia",
                           "libGLESv1_CM_nvidia",
                           "libnvidia-glvkspirv",
                           "libGL",
                           "libEGL",
                           "libGLESv1_CM",
                           "libGLESv2"})
    EXPECT_NE(driver_library_of(std::string(stem) + ".so.1"), nullptr) << stem;
}

TEST(DriverLibraries, OnlyTheVendorNeutralNamesHaveTheGlCondition) {
  for (const DriverLibrary &library : driver_libraries()) {
    const bool gl = library.stem == "libGL" || library.stem == "libEGL" || library.stem == "libGLESv1_CM" ||
                    library.stem == "libGLESv2";
    EXPECT_EQ(library.condition == LibraryCondition::nvidia_gl_core, gl) << library.stem;
  }
  EXPECT_EQ(driver_library_of("libnvidia-tls.so.535.104.05")->condition, LibraryCondition::new_tls_abi);
}

TEST(DriverLibraries, ExtraLinks) {
  EXPECT_EQ(driver_library_of("libcuda.so.1")->extra_link, "libcuda.so");
  EXPECT_EQ(driver_library_of("libGLX_nvidia.so.0")->extra_link, "libGLX_indirect.so.0");
  EXPECT_EQ(driver_library_of("libnvidia-ml.so.1")->extra_link, "");
}

TEST(DriverLibraries, BinariesAreTheSixPrograms) {
  EXPECT_EQ(driver_binaries(), (std::vector<std::string_view>{
                                   "nvidia-smi", "nvidia-debugdump", "nvidia-persistenced",
                                   "nvidia-cuda-mps-control", "nvidia-cuda-mps-server", "nv-fabricmanager"}));
}

struct StemRow {
  std::string name;
  std::string file_name;
  std::string stem;
};

class LibraryStem : public ::testing::TestWithParam<StemRow> {};

TEST_P(LibraryStem, IsTheNameBeforeSo) { EXPECT_EQ(library_stem(GetParam().file_name), GetParam().stem); }

INSTANTIATE_TEST_SUITE_P(Names, LibraryStem,
                         ::testing::Values(StemRow{"soname", "libcuda.so.1", "libcuda"},
                                           StemRow{"real_name", "libcuda.so.535.104.05", "libcuda"},
                                           StemRow{"development_link", "libcuda.so", "libcuda"},
                                           StemRow{"dots_in_the_stem", "libnvrtc.alt.so.13", "libnvrtc.alt"},
                                           StemRow{"so_inside_a_word", "libfoo.sox.so.1", "libfoo.sox"},
                                           StemRow{"no_so", "nvidia-smi", "nvidia-smi"},
                                           StemRow{"so_alone", ".so.1", ".so.1"}, StemRow{"empty", "", ""}),
                         nvd::test::RowName());

struct MatchRow {
  std::string name;
  std::string file_name;
  std::string stem; // "" for no entry
};

class DriverLibraryOf : public ::testing::TestWithParam<MatchRow> {};

TEST_P(DriverLibraryOf, FindsTheTablesEntry) {
  const DriverLibrary *library = driver_library_of(GetParam().file_name);
  EXPECT_EQ(library == nullptr ? std::string() : std::string(library->stem), GetParam().stem);
}

INSTANTIATE_TEST_SUITE_P(
    Names, DriverLibraryOf,
    ::testing::Values(MatchRow{"cuda", "libcuda.so.1", "libcuda"},
                      MatchRow{"pkcs11", "libnvidia-pkcs11.so.535.104.05", "libnvidia-pkcs11"},
                      MatchRow{"pkcs11_openssl3", "libnvidia-pkcs11-openssl3.so.535.104.05",
                               "libnvidia-pkcs11"},
                      MatchRow{"glx_vendor_is_not_libgl", "libGLX_nvidia.so.0", "libGLX_nvidia"},
                      MatchRow{"libgl", "libGL.so.1", "libGL"},
                      MatchRow{"glvnd_glx_loader_is_not_listed", "libGLX.so.0", ""},
                      MatchRow{"glvnd_dispatch_is_not_listed", "libGLdispatch.so.0", ""},
                      MatchRow{"cuda_runtime_is_not_the_driver", "libcudart.so.12", ""},
                      MatchRow{"a_longer_stem_is_another_library", "libcuda2.so.1", ""},
                      MatchRow{"the_stem_alone_is_no_library_file", "libcuda", ""},
                      MatchRow{"a_program", "nvidia-smi", ""}),
    nvd::test::RowName());
