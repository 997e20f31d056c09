// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/grammar/flag_cache.hpp"

#include <gtest/gtest.h>

using namespace nvd;

TEST(FlagCache, RoundTrips) {
  std::vector<FlagSpec> flags = {{"frobnicate", 0, true, false}, {"tty", 't', false, false}};
  std::string text = serialize_flags(flags);
  EXPECT_EQ(text, "frobnicate - 1\ntty t 0\n");
  auto back = parse_serialized_flags(text);
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].long_name, "frobnicate");
  EXPECT_TRUE((*back)[0].takes_value);
  EXPECT_EQ((*back)[1].short_name, 't');
}

TEST(FlagCache, DamagedCacheIsRejected) {
  EXPECT_FALSE(parse_serialized_flags("frobnicate - 2\n"));
  EXPECT_FALSE(parse_serialized_flags("frob nicate - 1\n"));
  EXPECT_FALSE(parse_serialized_flags("FROB - 1\n"));
  EXPECT_FALSE(parse_serialized_flags("x xx 1\n"));
}

TEST(FlagCache, PathDependsOnVersionAndCommand) {
  Environment env = {{"HOME", "/home/u"}};
  std::string a = flag_cache_path(env, "Docker version 28.2.2, build e6534b4", "run");
  std::string b = flag_cache_path(env, "Docker version 29.0.0, build 1", "run");
  EXPECT_EQ(a.rfind("/home/u/.cache/nvidia-docker/flags-", 0), 0u) << a;
  EXPECT_NE(a, b);
  EXPECT_EQ(a.substr(a.size() - 4), "-run");
  EXPECT_EQ(flag_cache_path({{"XDG_CACHE_HOME", "/c"}, {"HOME", "/h"}}, "v", "create").rfind("/c/nvidia-docker/", 0), 0u);
  EXPECT_EQ(flag_cache_path({}, "v", "run"), "");
  EXPECT_EQ(flag_cache_path({{"HOME", "relative"}}, "v", "run"), "");
}
