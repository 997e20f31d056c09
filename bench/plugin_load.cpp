// SPDX-License-Identifier: BSD-3-Clause
// nvidia-docker-plugin under load: 32 concurrent keep-alive clients asking
// /docker/cli/json over loopback, from the 8-GPU inventory and, in the same
// run, from NVML discovery (the stand-in NVML on a stand-in host, 8 GPUs;
// needs root, else skipped with the reason), plus /gpu/status/json, which
// reads NVML live at each request. Prints requests per second, latency
// percentiles, the NVML/inventory ratios, and the server's memory.
#include "support/process.hpp"
#include "support/running_plugin.hpp"
#include "support/stand_in_host.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace nvd::test;
using Clock = std::chrono::steady_clock;

namespace {

long resident_kib(int pid) {
  std::string status = read_file("/proc/" + std::to_string(pid) + "/status");
  auto at = status.find("VmRSS:");
  return at == std::string::npos ? -1 : std::atol(status.c_str() + at + 6);
}

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0)
    return -1;
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

struct LoadResult {
  std::vector<double> latencies;
  int failures;
  double elapsed;
};

// What client `c` asks, as a request line's target.
using TargetFor = std::function<std::string(int client)>;
std::string docker_cli_json(int client) {
  return "/docker/cli/json?dev=" + std::to_string(client % 8);
}

// `clients` threads, each with a keep-alive connection, each sending
// `per_client` requests: back to back (pace 0), or one every `pace` seconds
// (an open load that leaves the CPU time to answer, as real clients do).
LoadResult load(int port, int clients, int per_client, double pace,
                const TargetFor &target = docker_cli_json) {
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

// The p-th latency in milliseconds (0 < p <= 1); 0 when nothing was answered.
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

struct PluginFigures {
  LoadResult paced, flat_out;
};

// The same two loads on a running plugin, with its memory.
PluginFigures measure(RunningPlugin &plugin, int clients, int per_client) {
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  long rest = resident_kib(plugin.process().pid());
  PluginFigures figures;
  figures.paced = load(plugin.port(), clients, per_client / 4, 0.02);
  report("paced: each client one request every 20 ms (1600 requests/s in all)", figures.paced);
  figures.flat_out = load(plugin.port(), clients, per_client, 0);
  report("flat out: each client back to back (client and server share the 2 cores)",
         figures.flat_out);
  std::printf("    memory (VmRSS): %ld KiB at rest, %ld KiB after the load\n", rest,
              resident_kib(plugin.process().pid()));
  return figures;
}

} // namespace

int main(int argc, char **argv) {
  int clients = 32;
  int per_client = argc > 1 ? std::atoi(argv[1]) : 2000;
  int failures = 0;

  std::printf("nvidia-docker-plugin load: %d keep-alive clients asking /docker/cli/json (8 GPUs), "
              "loopback\n",
              clients);
  std::printf("- GPUs from the inventory file (--inventory)\n");
  PluginFigures inventory;
  {
    RunningPlugin plugin(NVD_PLUGIN_BINARY, NVD_EXAMPLES_DIR "/inventory-8gpu.json");
    inventory = measure(plugin, clients, per_client);
  }
  failures += inventory.paced.failures + inventory.flat_out.failures;

  std::printf("- GPUs from NVML (the stand-in NVML of a stand-in driver, --driver-root)\n");
  if (std::optional<std::string> why_not = stand_in_host_unavailable()) {
    std::printf("  skipped: %s\n", why_not->c_str());
    return failures == 0 ? 0 : 1;
  }
  StandInHost host(NVD_PLUGIN_BINARY, stand_in_gpus(8));
  std::unique_ptr<RunningPlugin> plugin = host.start();
  PluginFigures nvml = measure(*plugin, clients, per_client);
  failures += nvml.paced.failures + nvml.flat_out.failures;

  // /gpu/status/json reads every GPU's figures from NVML at each request
  // (~25 NVML calls per GPU): paced slower, so that the figure is the
  // answer's time rather than a queue behind saturated cores.
  LoadResult status = load(plugin->port(), clients, std::max(1, per_client / 20), 0.1,
                           [](int) { return std::string("/gpu/status/json"); });
  report("/gpu/status/json (8 GPUs), paced: each client one request every 100 ms (320 requests/s)",
         status);
  failures += status.failures;

  int loads = 0;
  std::string log = plugin->process().stderr_text();
  for (std::size_t at = log.find("loading NVML"); at != std::string::npos;
       at = log.find("loading NVML", at + 1))
    ++loads;
  std::printf("  NVML loaded %d time(s) in all (once at start: no request re-ran discovery)\n",
              loads);

  std::printf("- NVML / inventory, /docker/cli/json\n");
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  std::printf("    paced:    p50 %.3f / %.3f ms (x%.2f)   p99 %.3f / %.3f ms (x%.2f)\n",
              percentile(nvml.paced, 0.5), percentile(inventory.paced, 0.5),
              ratio(percentile(nvml.paced, 0.5), percentile(inventory.paced, 0.5)),
              percentile(nvml.paced, 0.99), percentile(inventory.paced, 0.99),
              ratio(percentile(nvml.paced, 0.99), percentile(inventory.paced, 0.99)));
  std::printf("    flat out: p50 %.3f / %.3f ms (x%.2f)   p99 %.3f / %.3f ms (x%.2f)\n",
              percentile(nvml.flat_out, 0.5), percentile(inventory.flat_out, 0.5),
              ratio(percentile(nvml.flat_out, 0.5), percentile(inventory.flat_out, 0.5)),
              percentile(nvml.flat_out, 0.99), percentile(inventory.flat_out, 0.99),
              ratio(percentile(nvml.flat_out, 0.99), percentile(inventory.flat_out, 0.99)));
  std::printf("    /gpu/status/json p99 (NVML, paced): %.3f ms\n", percentile(status, 0.99));
  return failures == 0 ? 0 : 1;
}
