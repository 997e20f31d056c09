// SPDX-License-Identifier: BSD-3-Clause
// What nvidia-docker adds to a docker command, against a floor built for the
// purpose (the least any program doing the same job must add), in one run:
//  1. pass-through (`ps`): nvidia-docker → docker, against floor_exec.c (a
//     static program that only execs docker), and for the record against
//     floor_exec_cxx.cpp (the same in C++: what the language's runtime adds);
//  2. GPU `create` (labels from a local Engine API socket, plugin on
//     loopback): nvidia-docker → docker, against floor_requests.c (a static
//     program that makes the same requests, then execs docker with the same
//     final arguments);
//  3. then the plugin's side of that GPU run: its routes under 32 clients.
// "docker" is tests/tools/fake_docker, so that the added times are the
// wrappers' own. Each round runs A (docker alone), B (nvidia-docker) and F
// (the floor) in a rotating order after a warm-up; medians over the rounds.
#include "load_client.hpp"
#include "support/process.hpp"
#include "support/running_plugin.hpp"
#include "support/scripted_server.hpp"
#include "support/temp_dir.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <vector>

extern char **environ;

using namespace nvd::bench;
using namespace nvd::test;
using Clock = std::chrono::steady_clock;

namespace {

struct Command {
  std::vector<std::string> argv;
  std::vector<std::string> env;
};

// One run of the command, its stdout (and unless `keep_stderr`, its stderr)
// to /dev/null; seconds. Exits on a failed run.
double timed_run(const Command &command, bool keep_stderr = false) {
  std::vector<char *> c_argv, c_env;
  for (const auto &a : command.argv)
    c_argv.push_back(const_cast<char *>(a.c_str()));
  c_argv.push_back(nullptr);
  for (const auto &e : command.env)
    c_env.push_back(const_cast<char *>(e.c_str()));
  c_env.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  if (!keep_stderr)
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
    std::fprintf(stderr, "run failed: %s\n", command.argv[0].c_str());
    std::exit(1);
  }
  return seconds;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

struct Case {
  Command docker_alone, nvidia_docker, floor;
  const char *floor_name;
  double target_ratio; // the most (B - A) / (F - A) may be
  // For the record, not the target: a second floor (the same job in C++).
  std::optional<Command> reference;
  const char *reference_name = "";
};

// Runs the case's commands for `rounds` rounds and prints the medians, the
// added times and their ratio; true when the ratio is within the target.
bool compare(const Case &c, int rounds) {
  std::vector<const Command *> commands = {&c.docker_alone, &c.nvidia_docker, &c.floor};
  if (c.reference)
    commands.push_back(&*c.reference);
  const std::size_t count = commands.size();
  for (int i = 0; i < rounds / 10; ++i) // warm-up: caches, page cache, CPU frequency
    for (const Command *command : commands)
      timed_run(*command);
  // Every rotation, forwards and backwards, in turn: none always goes first,
  // nor always follows another.
  std::vector<std::vector<double>> seconds(count), added(count);
  for (int round = 0; round < rounds; ++round) {
    std::vector<double> taken(count);
    std::size_t shift = static_cast<std::size_t>(round) % count;
    bool backwards = (static_cast<std::size_t>(round) / count) % 2 == 1;
    for (std::size_t i = 0; i < count; ++i) {
      std::size_t which = (backwards ? count - 1 - i : i + shift) % count;
      if (backwards)
        which = (which + shift) % count;
      taken[which] = timed_run(*commands[which]);
    }
    for (std::size_t which = 0; which < count; ++which) {
      seconds[which].push_back(taken[which]);
      added[which].push_back(taken[which] - taken[0]);
    }
  }
  double b = median(added[1]), f = median(added[2]), ratio = b / f;
  bool within = ratio <= c.target_ratio;
  std::printf("    A  docker alone            %7.3f ms\n", median(seconds[0]) * 1e3);
  std::printf("    B  through nvidia-docker   %7.3f ms   B - A %+7.3f ms\n",
              median(seconds[1]) * 1e3, b * 1e3);
  std::printf("    F  %-23s %7.3f ms   F - A %+7.3f ms\n", c.floor_name, median(seconds[2]) * 1e3,
              f * 1e3);
  if (c.reference) {
    double r = median(added[3]);
    std::printf("    R  %-23s %7.3f ms   R - A %+7.3f ms   (R - A) / (F - A) = %.2f, (B - A) / (R - A) = %.2f\n",
                c.reference_name, median(seconds[3]) * 1e3, r * 1e3, r / f, b / r);
  }
  std::printf("    (B - A) / (F - A) = %.2f   target <= %.2f: %s\n", ratio, c.target_ratio,
              within ? "within target" : "OVER target");
  return within;
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

// The argv of each docker process that one run of `command` started, in
// order, from fake docker's log in `log_dir` (a new folder).
std::vector<std::vector<std::string>> docker_calls(Command command, const std::string &log_dir) {
  std::filesystem::create_directories(log_dir);
  command.env.push_back("FAKE_DOCKER_LOG=" + log_dir);
  timed_run(command, true); // the run that shows why, should it fail
  std::vector<std::vector<std::string>> calls;
  for (int n = 1; std::filesystem::exists(log_dir + "/call-" + std::to_string(n)); ++n) {
    std::string data = read_file(log_dir + "/call-" + std::to_string(n));
    std::vector<std::string> argv;
    for (std::size_t at = 0; at < data.size(); at = data.find('\0', at) + 1)
      argv.emplace_back(data.c_str() + at);
    calls.push_back(argv);
  }
  return calls;
}

// The request targets one run asked of each server, in order.
struct Requests {
  std::vector<std::string> engine, plugin;
  bool operator==(const Requests &other) const {
    return engine == other.engine && plugin == other.plugin;
  }
};

// The GPU run's servers: the Engine API (a scripted unix socket answering
// the image's inspection) and the real plugin with the 8-GPU inventory.
class GpuServers {
public:
  GpuServers(const std::string &engine_socket, const std::string &image_config)
      : m_engine_answer(
            ScriptedServer::http_answer(200, R"({"Id":"sha256:1","Config":)" + image_config + "}")),
        m_engine(engine_socket, [this](int socket, const std::string &request) {
          {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_engine_targets.push_back(target_of(request));
          }
          ScriptedServer::send_all(socket, m_engine_answer);
        }) {}

  RunningPlugin &plugin() { return m_plugin; }

  // What `run` asked of the two servers.
  Requests asked_by(const std::function<void()> &run) {
    std::size_t engine_before = engine_targets().size();
    std::size_t log_before = m_plugin.process().stderr_text().size();
    run();
    Requests asked;
    std::vector<std::string> engine = engine_targets();
    asked.engine.assign(engine.begin() + static_cast<long>(engine_before), engine.end());
    m_plugin.request_count(); // returns once the plugin has logged every request it answered
    // Its log lines: "<time> GET <target> <status> <duration>".
    std::string log = m_plugin.process().stderr_text().substr(log_before);
    for (std::size_t at = log.find("Z GET "); at != std::string::npos;
         at = log.find("Z GET ", at + 1))
      asked.plugin.push_back(log.substr(at + 6, log.find(' ', at + 6) - at - 6));
    return asked;
  }

private:
  static std::string target_of(const std::string &request_head) {
    std::size_t start = request_head.find(' ') + 1;
    return request_head.substr(start, request_head.find(' ', start) - start);
  }
  std::vector<std::string> engine_targets() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_engine_targets;
  }

  RunningPlugin m_plugin{NVD_PLUGIN_BINARY, NVD_EXAMPLES_DIR "/inventory-8gpu.json"};
  std::string m_engine_answer;
  std::mutex m_mutex;
  std::vector<std::string> m_engine_targets; // every request's, in order
  ScriptedServer m_engine;                   // last: its thread uses the members above
};

std::string joined(const std::vector<std::string> &items) {
  std::string text;
  for (const auto &item : items)
    text += (text.empty() ? "" : " ") + item;
  return text;
}

void print_requests(const char *who, std::size_t docker_processes, const Requests &asked) {
  std::printf("    %-14s %zu docker process(es), %zu Engine API request(s) [%s], %zu plugin "
              "request(s) [%s]\n",
              who, docker_processes, asked.engine.size(), joined(asked.engine).c_str(),
              asked.plugin.size(), joined(asked.plugin).c_str());
}

} // namespace

int main(int argc, char **argv) {
  int rounds = argc > 1 ? std::atoi(argv[1]) : 1000;
  if (rounds < 1) {
    std::fprintf(stderr, "usage: nvd_bench_wrapper [rounds]\n");
    return 2;
  }
  TempDir dir("nvd-bench");
  std::filesystem::create_directories(dir.file("bin"));
  std::filesystem::create_directories(dir.file("images"));
  std::filesystem::copy_file(NVD_FAKE_DOCKER, dir.file("bin/docker"));
  std::string docker = dir.file("bin/docker");
  std::string config =
      R"({"Labels":{"com.nvidia.volumes.needed":"nvidia_driver","com.nvidia.cuda.version":"8.0"}})";
  write_file(dir.file("images/nvidia_cuda_latest.json"), config);

  std::vector<std::string> env = base_environment();
  env.push_back("PATH=" + dir.file("bin") + ":/usr/bin:/bin");
  env.push_back("FAKE_DOCKER_IMAGES=" + dir.file("images"));

  std::printf("nvidia-docker wrapper benchmark: %d interleaved rounds of A, B, F per case, "
              "medians (added times: of each round's difference to A)\n\n",
              rounds);
  bool within_targets = true;

  std::printf("1. pass-through: `ps` (floor: bench/floor_exec.c, a static exec)\n");
  within_targets &= compare({{{docker, "ps"}, env},
                             {{NVD_CLIENT_BINARY, "ps"}, env},
                             {{NVD_FLOOR_EXEC, docker, "ps"}, env},
                             "floor_exec",
                             1.10,
                             Command{{NVD_FLOOR_EXEC_CXX, docker, "ps"}, env},
                             "floor_exec_cxx"},
                            rounds);

  std::printf("\n2. GPU `create` (labels from a local Engine API socket, plugin on loopback;\n"
              "   floor: bench/floor_requests.c, the same requests then exec)\n");
  GpuServers servers(dir.file("engine.sock"), config);
  std::vector<std::string> gpu_env = env;
  gpu_env.push_back("DOCKER_HOST=unix://" + dir.file("engine.sock"));
  gpu_env.push_back("NV_HOST=" + servers.plugin().base_url());

  // The floor asks what nvidia-docker asks and runs docker as nvidia-docker does.
  Command nvidia_docker{{NVD_CLIENT_BINARY, "create", "nvidia/cuda"}, gpu_env};
  std::vector<std::vector<std::string>> nvidia_docker_calls;
  Requests nvidia_docker_asked = servers.asked_by(
      [&] { nvidia_docker_calls = docker_calls(nvidia_docker, dir.file("log-nvidia-docker")); });
  if (nvidia_docker_calls.size() != 1 || nvidia_docker_asked.engine.size() != 1 ||
      nvidia_docker_asked.plugin.empty()) {
    std::fprintf(stderr,
                 "nvidia-docker create ran %zu docker process(es) and made %zu Engine "
                 "API request(s); the floor models 1 and 1\n",
                 nvidia_docker_calls.size(), nvidia_docker_asked.engine.size());
    return 1;
  }
  std::vector<std::string> final_args = nvidia_docker_calls[0];
  final_args[0] = docker; // as nvidia-docker resolved it from PATH: spawned by path here
  std::vector<std::string> floor_argv = {NVD_FLOOR_REQUESTS, dir.file("engine.sock"),
                                         nvidia_docker_asked.engine[0],
                                         std::to_string(servers.plugin().port())};
  floor_argv.insert(floor_argv.end(), nvidia_docker_asked.plugin.begin(),
                    nvidia_docker_asked.plugin.end());
  floor_argv.push_back("--");
  floor_argv.insert(floor_argv.end(), final_args.begin(), final_args.end());
  Command floor{floor_argv, gpu_env};

  std::vector<std::vector<std::string>> floor_calls;
  Requests floor_asked =
      servers.asked_by([&] { floor_calls = docker_calls(floor, dir.file("log-floor")); });
  std::printf("    final docker arguments (from nvidia-docker's run): %s\n",
              joined({final_args.begin() + 1, final_args.end()}).c_str());
  print_requests("nvidia-docker:", nvidia_docker_calls.size(), nvidia_docker_asked);
  print_requests("floor:", floor_calls.size(), floor_asked);
  if (!(floor_asked == nvidia_docker_asked) ||
      floor_calls != std::vector<std::vector<std::string>>{final_args}) {
    std::fprintf(stderr, "the floor did not ask or run what nvidia-docker did\n");
    return 1;
  }
  within_targets &=
      compare({{final_args, gpu_env}, nvidia_docker, floor, "floor_requests", 1.25, std::nullopt, ""}, rounds);

  // After the wrapper cases, so that neither disturbs the other.
  constexpr int clients = 32;
  std::printf("\n3. the plugin's side of a GPU run: %d keep-alive clients on loopback asking what "
              "nvidia-docker asked\n",
              clients);
  int failures = 0;
  for (const std::string &target : nvidia_docker_asked.plugin) {
    std::printf("  GET %s\n", target.c_str());
    PacedAndFlatOut figures =
        paced_and_flat_out(servers.plugin().port(), clients, 400, [&](int) { return target; });
    failures += figures.paced.failures + figures.flat_out.failures;
  }

  std::printf("\n%s\n", within_targets ? "all within target" : "some OVER target");
  return failures == 0 ? 0 : 1;
}
