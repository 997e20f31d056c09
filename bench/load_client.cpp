// SPDX-License-Identifier: BSD-3-Clause
#include "load_client.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace nvd::bench {

namespace {

using Clock = std::chrono::steady_clock;

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  return fd;
}

// Sends one GET and reads its whole answer (Content-Length framed); false on failure.
bool request(int fd, const std::string &text) {
  if (::send(fd, text.data(), text.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(text.size()))
    return false;
  std::string in;
  char buffer[8192];
  std::size_t need = std::string::npos;
  while (true) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0)
      return false;
    in.append(buffer, static_cast<std::size_t>(n));
    auto head = in.find("\r\n\r\n");
    if (head != std::string::npos && need == std::string::npos) {
      auto length = in.find("Content-Length: ");
      if (length == std::string::npos)
        return false;
      need = head + 4 + std::strtoul(in.c_str() + length + 16, nullptr, 10);
    }
    if (need != std::string::npos && in.size() >= need)
      return in.compare(0, 12, "HTTP/1.1 200") == 0;
  }
}

} // namespace

LoadResult load(int port, int clients, int per_client, double pace, const TargetFor &target) {
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(clients));
  std::atomic<int> failures{0};
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      int fd = connect_to(port);
      std::string text = "GET " + target(c) + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
      // Start times spread over half a period, so that the clients do not ask in one burst.
      auto next =
          Clock::now() + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(pace * (c * 997 % 10000) / 20000.0));
      for (int i = 0; i < per_client; ++i) {
        if (pace > 0) {
          std::this_thread::sleep_until(next);
          next += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(pace));
        }
        auto t0 = Clock::now();
        if (fd < 0 || !request(fd, text)) {
          // The server closes idle or counted-out keep-alive connections: reconnect.
          if (fd >= 0)
            ::close(fd);
          fd = connect_to(port);
          if (fd < 0 || !request(fd, text)) {
            ++failures;
            continue;
          }
        }
        latencies[static_cast<std::size_t>(c)].push_back(
            std::chrono::duration<double>(Clock::now() - t0).count());
      }
      if (fd >= 0)
        ::close(fd);
    });
  }
  for (auto &thread : threads)
    thread.join();
  LoadResult result{
      {}, failures.load(), std::chrono::duration<double>(Clock::now() - start).count()};
  for (auto &l : latencies)
    result.latencies.insert(result.latencies.end(), l.begin(), l.end());
  std::sort(result.latencies.begin(), result.latencies.end());
  return result;
}

double percentile(const LoadResult &r, double p) {
  if (r.latencies.empty())
    return 0;
  return r.latencies[static_cast<std::size_t>(p * static_cast<double>(r.latencies.size() - 1))] *
         1e3;
}

void report(const char *title, const LoadResult &r) {
  auto pct = [&](double p) { return percentile(r, p); };
  std::printf("  %s\n", title);
  if (r.latencies.empty()) {
    std::printf("    nothing answered, %d failed\n", r.failures);
    return;
  }
  std::printf("    %zu answered, %d failed, %.0f requests/s\n", r.latencies.size(), r.failures,
              static_cast<double>(r.latencies.size()) / r.elapsed);
  std::printf("    latency p50 %.3f ms   p90 %.3f ms   p99 %.3f ms   max %.3f ms\n", pct(0.5),
              pct(0.9), pct(0.99), r.latencies.back() * 1e3);
}

PacedAndFlatOut paced_and_flat_out(int port, int clients, int per_client, const TargetFor &target) {
  constexpr double pace = 0.02;
  PacedAndFlatOut figures;
  figures.paced = load(port, clients, per_client / 4, pace, target);
  std::string title = "paced: each client one request every 20 ms (" +
                      std::to_string(static_cast<int>(clients / pace)) + " requests/s in all)";
  report(title.c_str(), figures.paced);
  figures.flat_out = load(port, clients, per_client, 0, target);
  report("flat out: each client back to back (client and server share the 2 cores)",
         figures.flat_out);
  return figures;
}

} // namespace nvd::bench
