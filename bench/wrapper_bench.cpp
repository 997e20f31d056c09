// SPDX-License-Identifier: BSD-3-Clause
// What nvidia-docker adds to a docker command, measured side by side:
//  1. pass-through (`ps`): nvidia-docker → docker, against docker alone;
//  2. GPU `create`: nvidia-docker (labels from a local Engine API socket,
//     plugin on loopback) → docker, against docker alone with the same final
//     arguments.
// "docker" is tests/tools/fake_docker, so that the difference is the
// wrapper's own cost. Runs are interleaved A/B after a warm-up; medians.
#include "support/process.hpp"
#include "support/running_plugin.hpp"
#include "support/scripted_server.hpp"
#include "support/temp_dir.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <vector>

extern char **environ;

using namespace nvd::test;
using Clock = std::chrono::steady_clock;

namespace {

// One run of argv with the given environment, stdout/stderr to /dev/null; seconds.
double timed_run(const std::vector<std::string> &argv, const std::vector<std::string> &env) {
  std::vector<char *> c_argv, c_env;
  for (const auto &a : argv)
    c_argv.push_back(const_cast<char *>(a.c_str()));
  c_argv.push_back(nullptr);
  for (const auto &e : env)
    c_env.push_back(const_cast<char *>(e.c_str()));
  c_env.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  auto start = Clock::now();
  pid_t pid;
  if (posix_spawn(&pid, c_argv[0], &actions, nullptr, c_argv.data(), c_env.data()) != 0) {
    std::perror("posix_spawn");
    std::exit(1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  posix_spawn_file_actions_destroy(&actions);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "run failed: %s\n", argv[0].c_str());
    std::exit(1);
  }
  return seconds;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

struct Pair {
  double a, b;
};

Pair side_by_side(const std::vector<std::string> &a_argv, const std::vector<std::string> &a_env,
                  const std::vector<std::string> &b_argv, const std::vector<std::string> &b_env,
                  int runs) {
  for (int i = 0; i < runs / 10; ++i) { // warm-up: caches, page cache, CPU frequency
    timed_run(a_argv, a_env);
    timed_run(b_argv, b_env);
  }
  std::vector<double> a, b, differences;
  for (int i = 0; i < runs; ++i) {
    // Alternate which goes first, so that neither always follows the other.
    double x, y;
    if (i % 2 == 0) {
      x = timed_run(a_argv, a_env);
      y = timed_run(b_argv, b_env);
    } else {
      y = timed_run(b_argv, b_env);
      x = timed_run(a_argv, a_env);
    }
    a.push_back(x);
    b.push_back(y);
    differences.push_back(y - x);
  }
  std::printf("    A (docker alone)         median %8.3f ms\n", median(a) * 1e3);
  std::printf("    B (through nvidia-docker) median %8.3f ms\n", median(b) * 1e3);
  std::printf("    B - A, median of pairs   %8.3f ms   (ratio %.2f, %d pairs)\n",
              median(differences) * 1e3, median(b) / median(a), runs);
  return {median(a), median(b)};
}

std::vector<std::string> base_environment() {
  std::vector<std::string> env;
  for (char **e = environ; *e != nullptr; ++e) {
    std::string item = *e;
    if (item.rfind("NV_", 0) != 0 && item.rfind("DOCKER_", 0) != 0 && item.rfind("PATH=", 0) != 0)
      env.push_back(item);
  }
  return env;
}

int count_files(const std::string &dir) {
  int n = 0;
  for (const auto &entry : std::filesystem::directory_iterator(dir))
    n += entry.path().extension() != ".env";
  return n;
}

} // namespace

int main(int argc, char **argv) {
  int runs = argc > 1 ? std::atoi(argv[1]) : 1000;
  TempDir dir("nvd-bench");
  std::filesystem::create_directories(dir.file("bin"));
  std::filesystem::create_directories(dir.file("images"));
  std::filesystem::create_directories(dir.file("log"));
  std::filesystem::copy_file(NVD_FAKE_DOCKER, dir.file("bin/docker"));
  std::string docker = dir.file("bin/docker");
  std::string config = R"({"Labels":{"com.nvidia.volumes.needed":"nvidia_driver","com.nvidia.cuda.version":"8.0"}})";
  write_file(dir.file("images/nvidia_cuda_latest.json"), config);

  std::vector<std::string> env = base_environment();
  env.push_back("PATH=" + dir.file("bin") + ":/usr/bin:/bin");
  env.push_back("FAKE_DOCKER_IMAGES=" + dir.file("images"));

  std::printf("nvidia-docker wrapper benchmark (%d interleaved pairs each)\n\n", runs);

  std::printf("1. pass-through: `ps`\n");
  side_by_side({docker, "ps"}, env, {NVD_CLIENT_BINARY, "ps"}, env, runs);

  std::printf("\n2. GPU `create` (labels from a local Engine API socket, plugin on loopback)\n");
  RunningPlugin plugin(NVD_PLUGIN_BINARY, NVD_EXAMPLES_DIR "/inventory-8gpu.json");
  std::atomic<int> engine_requests{0};
  std::string answer = ScriptedServer::http_answer(200, "{\"Id\":\"sha256:1\",\"Config\":" + config + "}");
  ScriptedServer engine(dir.file("engine.sock"), [&](int s, const std::string &) {
    ++engine_requests;
    ScriptedServer::send_all(s, answer);
  });
  std::vector<std::string> gpu_env = env;
  gpu_env.push_back("DOCKER_HOST=unix://" + dir.file("engine.sock"));
  gpu_env.push_back("NV_HOST=" + plugin.base_url());
  std::vector<std::string> final_args = {
      docker, "create", "--volume-driver=nvidia-docker",
      "--volume=nvidia_driver_550.54.15:/usr/local/nvidia:ro", "--device=/dev/nvidiactl",
      "--device=/dev/nvidia-uvm", "--device=/dev/nvidia-uvm-tools"};
  for (int i = 0; i < 8; ++i)
    final_args.push_back("--device=/dev/nvidia" + std::to_string(i));
  final_args.push_back("nvidia/cuda");
  side_by_side(final_args, gpu_env, {NVD_CLIENT_BINARY, "create", "nvidia/cuda"}, gpu_env, runs);

  // One more run, counted: docker processes, Engine API and plugin requests.
  std::vector<std::string> counted_env = gpu_env;
  counted_env.push_back("FAKE_DOCKER_LOG=" + dir.file("log"));
  int engine_before = engine_requests.load();
  int plugin_before = plugin.request_count();
  timed_run({NVD_CLIENT_BINARY, "create", "nvidia/cuda"}, counted_env);
  std::printf("    per GPU create: %d docker process(es) (the final one), %d Engine API "
              "request(s), %d plugin request(s)\n",
              count_files(dir.file("log")), engine_requests.load() - engine_before,
              plugin.request_count() - plugin_before);
  return 0;
}
