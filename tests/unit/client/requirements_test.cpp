// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/common/error.hpp"
#include "nvd/client/requirements.hpp"

#include "support/table.hpp"

#include <gtest/gtest.h>

using namespace nvd;

namespace {

HostFacts host(const char *driver = "535.104.05", const char *cuda = "12.2",
               std::vector<GpuFacts> gpus = {{"tesla", "7.0"}, {"tesla", "7.0"}}) {
  return {*parse_version(driver), *parse_version(cuda), std::move(gpus)};
}

struct RequirementCase {
  const char *name;
  const char *text;
  HostFacts host;
  std::string outcome; // "" when met
};
NVD_PRINT_ROW_AS_NAME(RequirementCase)

class RequirementTable : public ::testing::TestWithParam<RequirementCase> {};

} // namespace

TEST_P(RequirementTable, Evaluates) {
  EXPECT_EQ(check_requirement(parse_requirement("NVIDIA_REQUIRE_CUDA", GetParam().text), GetParam().host),
            GetParam().outcome);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RequirementTable,
    ::testing::Values(
        RequirementCase{"CudaGreaterOrEqualMet", "cuda>=12.2", host(), ""},
        RequirementCase{"CudaGreaterOrEqualUnmet", "cuda>=12.4", host(),
                        "unsatisfied condition: cuda>=12.4 (this host's driver supports CUDA 12.2)"},
        RequirementCase{"ThreePartVersions", "cuda>=12.2.0", host(), ""},
        RequirementCase{"PatchTooNew", "cuda>=12.2.1", host(),
                        "unsatisfied condition: cuda>=12.2.1 (this host's driver supports CUDA 12.2)"},
        RequirementCase{"Equal", "cuda=12.2", host(), ""},
        RequirementCase{"NotEqual", "cuda!=12.2", host(),
                        "unsatisfied condition: cuda!=12.2 (this host's driver supports CUDA 12.2)"},
        RequirementCase{"Less", "driver<536", host(), ""},
        RequirementCase{"LessOrEqualUnmet", "driver<=470", host(),
                        "unsatisfied condition: driver<=470 (this host's driver is 535.104.05)"},
        RequirementCase{"Greater", "driver>535", host(), ""},
        RequirementCase{"GreaterUnmet", "driver>535.104.05", host(),
                        "unsatisfied condition: driver>535.104.05 (this host's driver is 535.104.05)"},
        RequirementCase{"AndAllMet", "cuda>=12.0,driver>=530,driver<540", host(), ""},
        RequirementCase{"AndOneUnmet", "cuda>=12.0,driver>=540", host(),
                        "unsatisfied condition: driver>=540 (this host's driver is 535.104.05)"},
        RequirementCase{"OrSecondMet", "cuda>=12.4 brand=tesla,driver>=535,driver<536", host(), ""},
        RequirementCase{"OrNoneMetReportsFirst", "cuda>=12.4 brand=tesla,driver>=470,driver<471", host(),
                        "unsatisfied condition: cuda>=12.4 (this host's driver supports CUDA 12.2)"},
        RequirementCase{"BrandMet", "brand=Tesla", host(), ""},
        RequirementCase{"BrandUnmet", "brand=geforce", host(),
                        "unsatisfied condition: brand=geforce (a GPU of this host is of brand tesla)"},
        RequirementCase{"BrandNotEqual", "brand!=geforce", host(), ""},
        RequirementCase{"BrandMustHoldOnEveryGpu", "brand=tesla", host("535.1", "12.2", {{"tesla", "7.0"}, {"geforce", "8.6"}}),
                        "unsatisfied condition: brand=tesla (a GPU of this host is of brand geforce)"},
        RequirementCase{"ArchMet", "arch>=7.0", host(), ""},
        RequirementCase{"ArchUnmet", "arch>=8.0", host(),
                        "unsatisfied condition: arch>=8.0 (a GPU of this host has architecture 7.0)"},
        RequirementCase{"ArchUnknown", "arch>=8.0", host("535.1", "12.2", {{"tesla", ""}}),
                        "unsatisfied condition: arch>=8.0 (a GPU of this host has architecture unknown)"},
        RequirementCase{"DeviceConditionWithoutGpus", "brand=tesla,arch=9.0", host("535.1", "12.2", {}), ""},
        RequirementCase{"EmptyIsMet", "   ", host(), ""}),
    nvd::test::RowName());

TEST(Requirements, MalformedConstraintsAreRefused) {
  for (const char *bad : {"cuda", "cuda>>12", "cuda>=abc", "cuda>=12.", "gpu>=1", "brand>tesla", "brand=",
                          "=12", "cuda=>12"}) {
    try {
      parse_requirement("NVIDIA_REQUIRE_CUDA", bad);
      ADD_FAILURE() << bad;
    } catch (const Error &error) {
      EXPECT_EQ(error.what(), std::string("NVIDIA_REQUIRE_CUDA: invalid constraint \"") + bad +
                                  "\" (expected cuda, driver, arch or brand, an operator = != < <= > >=, and a value)");
    }
  }
}

TEST(Requirements, BrandFromModel) {
  EXPECT_EQ(brand_from_model("Tesla V100-SXM2-16GB"), "tesla");
  EXPECT_EQ(brand_from_model("Quadro RTX 8000"), "quadro");
  EXPECT_EQ(brand_from_model("NVIDIA GeForce RTX 4090"), "geforce");
  EXPECT_EQ(brand_from_model("NVIDIA TITAN RTX"), "titan");
  EXPECT_EQ(brand_from_model("NVIDIA RTX A6000"), "nvidiartx");
  EXPECT_EQ(brand_from_model("NVIDIA A100-SXM4-80GB"), "nvidia");
  EXPECT_EQ(brand_from_model(""), "unknown");
}
