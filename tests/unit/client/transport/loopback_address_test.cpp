// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/transport/stream_http.hpp"
#include "nvd/common/error.hpp"
#include "nvd/client/transport/http_errors.hpp"

#include "support/errors.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

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
  EXPECT_EQ(nvd::test::error_of([] { tcp_opener("gpu1", 3476); }),
            "not a loopback address: gpu1 (only this machine is asked without libcurl)");
}

TEST(LoopbackAddresses, RefusedByOneIsRefusedWhateverTheOthersSay) {
  // A port nothing listens on (bound, never listening), then an address no
  // socket can be made for, as ::1 is where IPv6 is turned off.
  int holder = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in bound{};
  bound.sin_family = AF_INET;
  bound.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(holder, reinterpret_cast<sockaddr *>(&bound), sizeof bound), 0);
  socklen_t length = sizeof bound;
  ASSERT_EQ(::getsockname(holder, reinterpret_cast<sockaddr *>(&bound), &length), 0);
  std::vector<LoopbackAddress> addresses = loopback_addresses("127.0.0.1", ntohs(bound.sin_port));
  LoopbackAddress unusable{};
  unusable.storage.ss_family = AF_UNIX + 100; // no such family: socket() fails
  unusable.length = sizeof(sockaddr_in6);
  addresses.push_back(unusable);
  StreamOpener open = addresses_opener(addresses);
  EXPECT_THROW(open(std::chrono::steady_clock::now() + std::chrono::seconds(5)), ConnectionRefused);
  ::close(holder);
}
