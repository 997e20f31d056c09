// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/transport/stream_http.hpp"
#include "nvd/common/error.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>

using namespace nvd;

namespace {

// "127.0.0.1:3476" or "[::1]:3476".
std::string shown(const LoopbackAddress &address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.storage.ss_family == AF_INET) {
    const auto &v4 = reinterpret_cast<const sockaddr_in &>(address.storage);
    EXPECT_EQ(address.length, sizeof(sockaddr_in));
    ::inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
    return std::string(text) + ":" + std::to_string(ntohs(v4.sin_port));
  }
  const auto &v6 = reinterpret_cast<const sockaddr_in6 &>(address.storage);
  EXPECT_EQ(address.length, sizeof(sockaddr_in6));
  ::inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
  return "[" + std::string(text) + "]:" + std::to_string(ntohs(v6.sin6_port));
}

std::vector<std::string> shown(const std::string &host) {
  std::vector<std::string> out;
  for (const auto &address : loopback_addresses(host, 3476))
    out.push_back(shown(address));
  return out;
}

} // namespace

TEST(LoopbackAddresses, LocalhostIsBothLoopbacksWithoutTheResolver) {
  const std::vector<std::string> both = {"127.0.0.1:3476", "[::1]:3476"};
  for (const char *name : {"localhost", "LocalHost", "localhost.", "gpu.localhost", "a.b.LOCALHOST."}) {
    EXPECT_EQ(shown(name), both) << name;
    EXPECT_TRUE(is_loopback_host(name)) << name;
  }
}

TEST(LoopbackAddresses, NumbersAreThemselves) {
  EXPECT_EQ(shown("127.0.0.1"), std::vector<std::string>{"127.0.0.1:3476"});
  EXPECT_EQ(shown("127.1"), std::vector<std::string>{"127.0.0.1:3476"}) << "as inet_aton and the resolver read it";
  EXPECT_EQ(shown("127.255.255.254"), std::vector<std::string>{"127.255.255.254:3476"});
  EXPECT_EQ(shown("::1"), std::vector<std::string>{"[::1]:3476"});
  EXPECT_EQ(shown("0:0:0:0:0:0:0:1"), std::vector<std::string>{"[::1]:3476"});
}

TEST(LoopbackAddresses, OtherHostsAreNotLoopback) {
  for (const char *host : {"", "gpu1", "10.0.0.1", "128.0.0.1", "126.255.255.255", "127.example.com",
                           "localhost.example.com", "localhostx", "::2", "::", "::ffff:127.0.0.1", "[::1]",
                           "127.0.0.1 ", "localhost:3476"}) {
    EXPECT_TRUE(loopback_addresses(host, 3476).empty()) << host;
    EXPECT_FALSE(is_loopback_host(host)) << host;
  }
}

TEST(LoopbackAddresses, TcpOpenerRefusesOtherHosts) {
  try {
    tcp_opener("gpu1", 3476);
    FAIL();
  } catch (const Error &error) {
    EXPECT_STREQ(error.what(), "not a loopback address: gpu1 (only this machine is asked without libcurl)");
  }
}
