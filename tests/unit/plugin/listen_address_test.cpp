// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/common/error.hpp"
#include "nvd/plugin/plugin_server.hpp"

#include <gtest/gtest.h>

using namespace nvd;

TEST(ListenAddress, HostAndPort) {
  ListenAddress address = parse_listen_address("localhost:3476");
  EXPECT_EQ(address.host, "localhost");
  EXPECT_EQ(address.port, 3476);
}

TEST(ListenAddress, EmptyHostIsEveryInterface) {
  EXPECT_EQ(parse_listen_address(":3476").host, "0.0.0.0");
}

TEST(ListenAddress, BracketedIpv6) {
  ListenAddress address = parse_listen_address("[::1]:0");
  EXPECT_EQ(address.host, "::1");
  EXPECT_EQ(address.port, 0);
}

TEST(ListenAddress, BadFormsAreRefused) {
  const char *suffix = " (expected HOST:PORT, [IPV6]:PORT or :PORT)";
  struct Case {
    const char *text;
    std::string message;
  } cases[] = {
      {"localhost", "invalid listen address \"localhost\": no port"},
      {"localhost:", "invalid listen address \"localhost:\": the port must be a number from 0 to 65535"},
      {"localhost:65536", "invalid listen address \"localhost:65536\": the port must be a number from 0 to 65535"},
      {"localhost:-1", "invalid listen address \"localhost:-1\": the port must be a number from 0 to 65535"},
      {"::1:80", "invalid listen address \"::1:80\": an IPv6 address must be in brackets"},
      {"[::1:80", "invalid listen address \"[::1:80\": unbalanced brackets"},
      {"[]:80", "invalid listen address \"[]:80\": unbalanced brackets"},
  };
  for (const auto &c : cases) {
    try {
      parse_listen_address(c.text);
      ADD_FAILURE() << c.text;
    } catch (const Error &error) {
      EXPECT_EQ(error.what(), c.message + suffix);
    }
  }
}
