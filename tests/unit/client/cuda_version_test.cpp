// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/cuda_version.hpp"

#include <gtest/gtest.h>

using namespace nvd;

namespace {
Version v(const char *text) { return *parse_version(text); }
} // namespace

TEST(CudaVersion, Parses) {
  EXPECT_EQ(v("12.4.1").parts, (std::vector<unsigned long>{12, 4, 1}));
  for (const char *bad : {"", "abc", "12.", ".4", "12..4", "12.4a", "v12", "1234567890"})
    EXPECT_FALSE(parse_version(bad)) << bad;
}

TEST(CudaVersion, ComparesNumericallyWithMissingPartsAsZero) {
  EXPECT_LT(compare_versions(v("9.2"), v("10.0")), 0);
  EXPECT_EQ(compare_versions(v("12.4"), v("12.4.0")), 0);
  EXPECT_GT(compare_versions(v("12.4.1"), v("12.4")), 0);
  EXPECT_LT(compare_versions(v("8"), v("8.0.1")), 0);
}

TEST(CudaVersion, CheckMessage) {
  EXPECT_EQ(check_cuda_version(v("11.8"), v("12.4")), "unsupported CUDA version: driver 11.8 < image 12.4");
  EXPECT_EQ(check_cuda_version(v("7.5"), v("8.0")), "unsupported CUDA version: driver 7.5 < image 8.0");
  EXPECT_EQ(check_cuda_version(v("12.4"), v("12.4")), "");
  EXPECT_EQ(check_cuda_version(v("12.4"), v("12.4.1")), "unsupported CUDA version: driver 12.4 < image 12.4.1");
  EXPECT_EQ(check_cuda_version(v("12.5"), v("12.4.1")), "");
}
