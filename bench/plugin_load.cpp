// SPDX-License-Identifier: BSD-3-Clause
// nvidia-docker-plugin under load: 32 concurrent keep-alive clients asking
// /docker/cli/json over loopback, from the 8-GPU inventory and, in the same
// run, from NVML discovery (the stand-in NVML on a stand-in host, 8 GPUs;
// needs root, else skipped with the reason), plus /gpu/status/json, which
// reads NVML live at each request. Prints requests per second, latency
// percentiles, the NVML/inventory ratios, and the server's memory.
#include "load_client.hpp"
#include "support/process.hpp"
#include "support/running_plugin.hpp"
#include "support/stand_in_host.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>

using namespace nvd::bench;
using namespace nvd::test;

namespace {

long resident_kib(int pid) {
  std::string status = read_file("/proc/" + std::to_string(pid) + "/status");
  auto at = status.find("VmRSS:");
  return at == std::string::npos ? -1 : std::atol(status.c_str() + at + 6);
}

std::string docker_cli_json(int client) {
  return "/docker/cli/json?dev=" + std::to_string(client % 8);
}

// The paced and flat-out loads on a running plugin, with its memory.
PacedAndFlatOut measure(RunningPlugin &plugin, int clients, int per_client) {
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  long rest = resident_kib(plugin.process().pid());
  PacedAndFlatOut figures = paced_and_flat_out(plugin.port(), clients, per_client, docker_cli_json);
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
  PacedAndFlatOut inventory;
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
  PacedAndFlatOut nvml = measure(*plugin, clients, per_client);
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
