// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/common/strings.hpp"

#include <gtest/gtest.h>

using namespace nvd;

TEST(Strings, SplitAnyDropsEmptyPieces) {
  EXPECT_EQ(split_any(",0,, 1 ,", ", "), (std::vector<std::string>{"0", "1"}));
  EXPECT_TRUE(split_any("", ",").empty());
  EXPECT_TRUE(split_any(",,, ", ", ").empty());
}

TEST(Strings, SplitWordsIsGoFields) {
  EXPECT_EQ(split_words("  sudo\tdocker \n -D "), (std::vector<std::string>{"sudo", "docker", "-D"}));
}

TEST(Strings, UrlDecodeHandlesPlusAndEscapes) {
  std::string out;
  ASSERT_TRUE(url_decode("0+GPU-12%2Cx%20y", out));
  EXPECT_EQ(out, "0 GPU-12,x y");
  EXPECT_FALSE(url_decode("%", out));
  EXPECT_FALSE(url_decode("%4", out));
  EXPECT_FALSE(url_decode("%zz", out));
  ASSERT_TRUE(url_decode("%41", out));
  EXPECT_EQ(out, "A");
}

TEST(Strings, UrlEncodeKeepsUnreservedOnly) {
  EXPECT_EQ(url_encode("GPU-ab_c.~"), "GPU-ab_c.~");
  EXPECT_EQ(url_encode("a b&c=d/"), "a%20b%26c%3Dd%2F");
}

TEST(Strings, PrintableEscapesControlAndNonAscii) {
  EXPECT_EQ(printable("a\nb\xff"), "a\\x0ab\\xff");
}

TEST(Strings, IsDecimal) {
  EXPECT_TRUE(is_decimal("0123"));
  EXPECT_FALSE(is_decimal(""));
  EXPECT_FALSE(is_decimal("-1"));
  EXPECT_FALSE(is_decimal("1a"));
}
