// SPDX-License-Identifier: BSD-3-Clause
// A load client for the plugin's REST API: keep-alive clients on loopback,
// each timing its requests. Used by plugin_load.cpp and wrapper_bench.cpp.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace nvd::bench {

struct LoadResult {
  std::vector<double> latencies; // seconds, sorted
  int failures;
  double elapsed;
};

// What client `c` asks, as a request line's target.
using TargetFor = std::function<std::string(int client)>;

// `clients` threads, each with a keep-alive connection to 127.0.0.1:`port`,
// each sending `per_client` requests: back to back (pace 0), or one every
// `pace` seconds (an open load that leaves the CPU time to answer, as real
// clients do).
LoadResult load(int port, int clients, int per_client, double pace, const TargetFor &target);

// The p-th latency in milliseconds (0 < p <= 1); 0 when nothing was answered.
double percentile(const LoadResult &r, double p);

// Prints `title`, then what was answered, requests/s and the latency percentiles.
void report(const char *title, const LoadResult &r);

struct PacedAndFlatOut {
  LoadResult paced, flat_out;
};

// The two loads the benchmarks report, each printed: paced (each client one
// request every 20 ms, `per_client` / 4 of them), the meaningful one for
// latency, then flat out (`per_client` back to back), for throughput.
PacedAndFlatOut paced_and_flat_out(int port, int clients, int per_client, const TargetFor &target);

} // namespace nvd::bench
