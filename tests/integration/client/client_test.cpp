// SPDX-License-Identifier: BSD-3-Clause
// The built nvidia-docker against the built plugin on a loopback port, with
// NV_DOCKER pointing at a fake docker that records its argv byte for byte.
#include "support/process.hpp"
#include "support/running_plugin.hpp"
#include "support/scripted_server.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <csignal>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

using namespace nvd::test;

namespace {

const std::string client = NVD_CLIENT_BINARY;
const std::string fake_docker = NVD_FAKE_DOCKER;
const std::string gpu_labels =
    R"({"Env":["PATH=/usr/bin"],"Labels":{"com.nvidia.volumes.needed":"nvidia_driver","com.nvidia.cuda.version":"8.0"}})";
const std::string plain_labels = R"({"Env":["PATH=/usr/bin"],"Labels":null})";

std::vector<std::string> split_nul(const std::string &data) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < data.size()) {
    std::size_t end = data.find('\0', start);
    out.push_back(data.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

class Client : public ::testing::Test {
protected:
  Client()
      : plugin(NVD_PLUGIN_BINARY, NVD_EXAMPLES_DIR "/inventory-2gpu.json"),
        images(dir.file("images")), registry(dir.file("registry")), log(dir.file("log")) {
    std::filesystem::create_directories(images);
    std::filesystem::create_directories(registry);
    std::filesystem::create_directories(log);
  }

  void add_image(const std::string &file, const std::string &config, bool present = true) {
    write_file((present ? images : registry) + "/" + file, config);
  }

  std::map<std::string, std::optional<std::string>> env(
      std::map<std::string, std::optional<std::string>> extra = {}) {
    std::map<std::string, std::optional<std::string>> base = {
        {"NV_DOCKER", fake_docker},        {"NV_HOST", plugin.base_url()},
        {"DOCKER_HOST", "unix:///nonexistent.sock"},
        {"FAKE_DOCKER_LOG", log},          {"FAKE_DOCKER_IMAGES", images},
        {"FAKE_DOCKER_REGISTRY", registry}, {"NV_GPU", std::nullopt},
        {"NV_DEBUG", std::nullopt},        {"NV_DRY_RUN", std::nullopt}};
    for (auto &[name, value] : extra)
      base[name] = value;
    return base;
  }

  Completed nvidia_docker(const std::vector<std::string> &args,
                          std::map<std::string, std::optional<std::string>> extra = {}) {
    std::vector<std::string> argv = {client};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_program(argv, env(std::move(extra)));
  }

  // The argv of each docker invocation, in order (argv[0] included).
  std::vector<std::vector<std::string>> docker_calls() {
    std::vector<std::vector<std::string>> calls;
    for (int n = 1;; ++n) {
      std::string path = log + "/call-" + std::to_string(n);
      if (!std::filesystem::exists(path))
        return calls;
      calls.push_back(split_nul(read_file(path)));
    }
  }

  std::vector<std::string> last_call() {
    auto calls = docker_calls();
    return calls.empty() ? std::vector<std::string>{} : calls.back();
  }

  std::vector<std::string> with_fake(std::vector<std::string> args) {
    args.insert(args.begin(), fake_docker);
    return args;
  }

  TempDir dir;
  RunningPlugin plugin;
  std::string images, registry, log;
};

const std::vector<std::string> all_gpus = {
    "--volume-driver=nvidia-docker", "--volume=nvidia_driver_535.104.05:/usr/local/nvidia:ro",
    "--device=/dev/nvidiactl",       "--device=/dev/nvidia-uvm",
    "--device=/dev/nvidia-uvm-tools", "--device=/dev/nvidia0", "--device=/dev/nvidia1"};

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string> &b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

} // namespace

TEST_F(Client, PassThroughExecsDockerWithoutAsking) {
  Completed result = nvidia_docker({"ps", "-a", "--format", "{{.ID}} {{.Names}}"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out, "fake docker ran ps\n");
  EXPECT_EQ(docker_calls(), (std::vector<std::vector<std::string>>{
                                with_fake({"ps", "-a", "--format", "{{.ID}} {{.Names}}"})}));
  EXPECT_EQ(plugin.request_count(), 0);
}

TEST_F(Client, ExitStatusOfDockerIsKept) {
  Completed result = nvidia_docker({"ps"}, {{"FAKE_DOCKER_EXIT", "42"}});
  EXPECT_EQ(result.status, 42);
}

TEST_F(Client, VersionPrintsBannerFirst) {
  Completed result = nvidia_docker({"version"});
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(result.out, "NVIDIA Docker: 1.1.0\n\nClient:\n Version:           28.2.2 (fake)\n");
}

TEST_F(Client, GpuImageRunsWithThePluginsDevices) {
  add_image("nvidia_cuda_latest.json", gpu_labels);
  Completed result = nvidia_docker({"run", "--rm", "-it", "nvidia/cuda", "nvidia-smi"});
  EXPECT_EQ(result.status, 0) << result.err;
  auto calls = docker_calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0], with_fake({"image", "inspect", "--format", "{{json .Config}}", "--", "nvidia/cuda"}));
  EXPECT_EQ(calls[1], with_fake(concat(concat({"run", "--rm", "-it"}, all_gpus), {"nvidia/cuda", "nvidia-smi"})));
  EXPECT_EQ(plugin.request_count(), 2); // /gpu/info/json and /docker/cli/json
}

TEST_F(Client, NonGpuImageRunsUnchanged) {
  add_image("busybox_latest.json", plain_labels);
  Completed result = nvidia_docker({"run", "busybox", "true"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(last_call(), with_fake({"run", "busybox", "true"}));
  EXPECT_EQ(plugin.request_count(), 0);
}

TEST_F(Client, MissingImageIsPulledWithProgressOnStderr) {
  add_image("nvidia_cuda_12.4.json", gpu_labels, false);
  Completed result = nvidia_docker({"create", "--platform", "linux/amd64", "nvidia/cuda:12.4"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out, "fake docker ran create\n"); // stdout clean for CID=$(…)
  EXPECT_NE(result.err.find("Pulling from nvidia/cuda:12.4"), std::string::npos) << result.err;
  auto calls = docker_calls();
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[1], with_fake({"pull", "--platform=linux/amd64", "--", "nvidia/cuda:12.4"}));
  EXPECT_EQ(calls[3], with_fake(concat(concat({"create", "--platform", "linux/amd64"}, all_gpus),
                                       {"nvidia/cuda:12.4"})));
}

TEST_F(Client, PullNeverLeavesTheMissingImageToDocker) {
  add_image("nvidia_cuda_latest.json", gpu_labels, false);
  Completed result = nvidia_docker({"run", "--pull", "never", "nvidia/cuda"});
  EXPECT_EQ(result.status, 0) << result.err;
  auto calls = docker_calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1], with_fake({"run", "--pull", "never", "nvidia/cuda"}));
}

TEST_F(Client, FailedPullShowsDockersMessageAloneAndRunsNothing) {
  Completed result = nvidia_docker({"run", "nosuch/image"});
  EXPECT_EQ(result.status, 1); // docker pull's own status
  EXPECT_NE(result.err.find("pull access denied for nosuch/image"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("nvidia-docker |"), std::string::npos) << result.err;
  EXPECT_EQ(docker_calls().size(), 2u);
}

TEST_F(Client, NvGpuByIndexAndUuidPrefix) {
  add_image("cuda_latest.json", gpu_labels);
  nvidia_docker({"run", "cuda"}, {{"NV_GPU", "1"}});
  std::vector<std::string> first = last_call();
  ASSERT_GE(first.size(), 2u);
  EXPECT_EQ(first.at(first.size() - 2), "--device=/dev/nvidia1");
  EXPECT_EQ(std::count(first.begin(), first.end(), "--device=/dev/nvidia0"), 0);
  nvidia_docker({"run", "cuda"}, {{"NV_GPU", "GPU-836c, 1"}});
  std::vector<std::string> call = last_call();
  ASSERT_GE(call.size(), 3u);
  EXPECT_EQ(call.at(call.size() - 3), "--device=/dev/nvidia0");
  EXPECT_EQ(call.at(call.size() - 2), "--device=/dev/nvidia1");
}

TEST_F(Client, InvalidNvGpuIsThePluginsRefusal) {
  add_image("cuda_latest.json", gpu_labels);
  Completed result = nvidia_docker({"run", "cuda"}, {{"NV_GPU", "7"}});
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.err, "nvidia-docker | Error: NV_GPU: invalid device: 7 (answer of " + plugin.base_url() +
                            "/docker/cli/json?vol=nvidia_driver&dev=7)\n");
  EXPECT_EQ(docker_calls().size(), 1u); // the inspect only
}

TEST_F(Client, CudaTooNewIsRefused) {
  add_image("cuda_latest.json",
            R"({"Labels":{"com.nvidia.volumes.needed":"nvidia_driver","com.nvidia.cuda.version":"12.4"}})");
  Completed result = nvidia_docker({"run", "cuda"});
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.err, "nvidia-docker | Error: unsupported CUDA version: driver 12.2 < image 12.4\n");
  EXPECT_EQ(docker_calls().size(), 1u);
}

TEST_F(Client, PluginNotRunningFailsFastWithAdvice) {
  add_image("cuda_latest.json", gpu_labels);
  int closed_port = plugin.port();
  plugin.process().signal(SIGTERM);
  plugin.process().wait();
  auto start = std::chrono::steady_clock::now();
  Completed result = nvidia_docker({"run", "cuda"});
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(result.status, 1);
  std::string url = "http://127.0.0.1:" + std::to_string(closed_port) + "/gpu/info/json";
  EXPECT_EQ(result.err.rfind("nvidia-docker | Error: " + url + ": connection refused (", 0), 0u) << result.err;
  EXPECT_NE(result.err.find("is nvidia-docker-plugin running?"), std::string::npos);
  EXPECT_LT(elapsed, std::chrono::seconds(1));
  EXPECT_EQ(docker_calls().size(), 1u);
}

TEST_F(Client, NvDockerWithExtraWords) {
  add_image("cuda_latest.json", gpu_labels);
  Completed result = nvidia_docker({"run", "cuda"}, {{"NV_DOCKER", fake_docker + "  -D"}});
  EXPECT_EQ(result.status, 0) << result.err;
  auto calls = docker_calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0], with_fake({"-D", "image", "inspect", "--format", "{{json .Config}}", "--", "cuda"}));
  EXPECT_EQ(calls[1], with_fake(concat(concat({"-D", "run"}, all_gpus), {"cuda"})));
}

TEST_F(Client, ContainerRunAndGlobalOptions) {
  add_image("cuda_latest.json", gpu_labels);
  Completed result = nvidia_docker({"--log-level", "warn", "container", "run", "-d", "cuda"});
  EXPECT_EQ(result.status, 0) << result.err;
  auto calls = docker_calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0], with_fake({"--log-level", "warn", "image", "inspect", "--format", "{{json .Config}}", "--", "cuda"}));
  EXPECT_EQ(calls[1], with_fake(concat(concat({"--log-level", "warn", "container", "run", "-d"}, all_gpus), {"cuda"})));
}

TEST_F(Client, DryRunPrintsAndRunsNothing) {
  add_image("cuda_latest.json", gpu_labels);
  Completed result = nvidia_docker({"run", "-e", "MSG=hello world", "cuda"}, {{"NV_DRY_RUN", "1"}, {"NV_GPU", "0"}});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out, fake_docker +
                            " run -e 'MSG=hello world' --volume-driver=nvidia-docker "
                            "--volume=nvidia_driver_535.104.05:/usr/local/nvidia:ro --device=/dev/nvidiactl "
                            "--device=/dev/nvidia-uvm --device=/dev/nvidia-uvm-tools --device=/dev/nvidia0 cuda\n");
  EXPECT_EQ(docker_calls().size(), 1u); // the inspect
}

TEST_F(Client, EveryByteReachesDocker) {
  add_image("cuda_latest.json", gpu_labels);
  std::vector<std::string> args = {"run", "-e", "A=", "-e", "B=two words", "--name", "",
                                   "--label", "q=\"'$`\\", "-l", "nl=a\nb", "cuda",
                                   "", "\xff\xfe", "tab\there", "--", "-x"};
  for (int i = 0; i < 3000; ++i)
    args.push_back("arg" + std::to_string(i));
  Completed result = nvidia_docker(args);
  EXPECT_EQ(result.status, 0) << result.err;
  std::vector<std::string> expected = {"run", "-e", "A=", "-e", "B=two words", "--name", "",
                                       "--label", "q=\"'$`\\", "-l", "nl=a\nb"};
  expected = concat(expected, all_gpus);
  expected.insert(expected.end(), args.begin() + 11, args.end());
  EXPECT_EQ(last_call(), with_fake(expected));
}

TEST_F(Client, DaemonDownShowsDockersMessage) {
  Completed result = nvidia_docker({"run", "cuda"}, {{"FAKE_DOCKER_DOWN", "1"}});
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.err, "nvidia-docker | Error: cannot read image cuda: `" + fake_docker +
                            " image inspect --format '{{json .Config}}' -- cuda` failed (exit status 1): "
                            "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the "
                            "docker daemon running?\n");
  EXPECT_EQ(docker_calls().size(), 1u);
}

TEST_F(Client, MissingDockerIsNamed) {
  Completed result = nvidia_docker({"ps"}, {{"NV_DOCKER", "/nonexistent/docker"}});
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.err, "nvidia-docker | Error: NV_DOCKER: command not found: /nonexistent/docker (check NV_DOCKER)\n");
  Completed unset = nvidia_docker({"ps"}, {{"NV_DOCKER", std::nullopt}, {"PATH", dir.path()}});
  EXPECT_EQ(unset.err, "nvidia-docker | Error: command not found: docker (install the docker client, or set "
                       "NV_DOCKER to its path)\n");
}

TEST_F(Client, DockerSymlinkedToUsIsSkipped) {
  // PATH: first a `docker` that is nvidia-docker itself, then the fake.
  std::filesystem::create_directories(dir.file("wrapper"));
  std::filesystem::create_directories(dir.file("real"));
  std::filesystem::create_symlink(client, dir.file("wrapper/docker"));
  std::filesystem::copy_file(fake_docker, dir.file("real/docker"));
  Completed result = run_program({dir.file("wrapper/docker"), "ps"},
                                 env({{"NV_DOCKER", std::nullopt},
                                      {"PATH", dir.file("wrapper") + ":" + dir.file("real")}}));
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out, "fake docker ran ps\n");
}

TEST_F(Client, UnknownFlagIsLearnedOncePerClientVersion) {
  add_image("cuda_latest.json", gpu_labels);
  write_file(dir.file("help.txt"), "Options:\n      --frobnicate string   Something new\n"
                                   "      --rm                  Automatically remove\n");
  std::map<std::string, std::optional<std::string>> extra = {
      {"FAKE_DOCKER_HELP", dir.file("help.txt")}, {"XDG_CACHE_HOME", dir.file("cache")}};
  Completed first = nvidia_docker({"run", "--frobnicate", "x", "cuda"}, extra);
  EXPECT_EQ(first.status, 0) << first.err;
  auto calls = docker_calls();
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[0], with_fake({"--version"}));
  EXPECT_EQ(calls[1], with_fake({"run", "--help"}));
  EXPECT_EQ(calls[3], with_fake(concat(concat({"run", "--frobnicate", "x"}, all_gpus), {"cuda"})));

  Completed second = nvidia_docker({"run", "--frobnicate", "y", "cuda"}, extra);
  EXPECT_EQ(second.status, 0) << second.err;
  calls = docker_calls();
  ASSERT_EQ(calls.size(), 7u); // --version, inspect, run: the help came from the cache
  EXPECT_EQ(calls[4], with_fake({"--version"}));
  EXPECT_EQ(calls[5].at(1), "image");
}

TEST_F(Client, FlagUnknownToDockerTooRunsNothing) {
  write_file(dir.file("help.txt"), "Options:\n      --rm    Automatically remove\n");
  Completed result = nvidia_docker({"run", "--frobnicate", "x", "cuda"},
                                   {{"FAKE_DOCKER_HELP", dir.file("help.txt")},
                                    {"XDG_CACHE_HOME", dir.file("cache")}});
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.err, "nvidia-docker | Error: docker run: unknown flag: --frobnicate (the installed "
                        "docker client does not know it either)\n");
  EXPECT_EQ(docker_calls().size(), 2u); // --version and run --help only
}

TEST_F(Client, EnvironmentReachesDockerUnchanged) {
  nvidia_docker({"ps"}, {{"SOME_VAR", "a=b\tc"}});
  std::vector<std::string> env = split_nul(read_file(log + "/call-1.env"));
  EXPECT_NE(std::find(env.begin(), env.end(), "SOME_VAR=a=b\tc"), env.end());
}

// A fake Docker Engine API on a unix socket answering image inspections from
// the same fixture folder the fake docker client pulls into.
class EngineDirect : public Client {
protected:
  EngineDirect()
      : engine(dir.file("engine.sock"), [this](int s, const std::string &request) {
          ++engine_requests;
          std::string target = request.substr(4, request.find(' ', 4) - 4);
          std::string name = target.substr(std::string("/images/").size());
          name = name.substr(0, name.size() - std::string("/json").size());
          std::string file = images + "/" + fixture_name(name);
          if (!std::filesystem::exists(file)) {
            ScriptedServer::send_all(s, ScriptedServer::http_answer(404, R"({"message":"No such image"})"));
            return;
          }
          ScriptedServer::send_all(
              s, ScriptedServer::http_answer(200, "{\"Id\":\"sha256:1\",\"Config\":" + read_file(file) + "}"));
        }) {
    // NV_DOCKER must be a plain `docker` for the direct path.
    std::filesystem::create_directories(dir.file("bin"));
    std::filesystem::copy_file(fake_docker, dir.file("bin/docker"));
  }

  static std::string fixture_name(std::string image) {
    if (image.find(':') == std::string::npos)
      image += ":latest";
    for (char &c : image)
      if (c == '/' || c == ':')
        c = '_';
    return image + ".json";
  }

  std::map<std::string, std::optional<std::string>> direct() {
    return {{"NV_DOCKER", std::nullopt},
            {"PATH", dir.file("bin") + ":/usr/bin:/bin"},
            {"DOCKER_HOST", "unix://" + dir.file("engine.sock")}};
  }

  std::atomic<int> engine_requests{0};
  ScriptedServer engine;
};

TEST_F(EngineDirect, LabelsAreReadWithoutADockerProcess) {
  add_image("nvidia_cuda_latest.json", gpu_labels);
  Completed result = nvidia_docker({"run", "--rm", "nvidia/cuda"}, direct());
  EXPECT_EQ(result.status, 0) << result.err;
  auto calls = docker_calls();
  ASSERT_EQ(calls.size(), 1u); // only the final docker run
  EXPECT_EQ(calls[0], concat(concat({"docker", "run", "--rm"}, all_gpus), {"nvidia/cuda"}));
  EXPECT_EQ(engine_requests.load(), 1);
}

TEST_F(EngineDirect, MissingImageIsPulledByTheDockerClientThenReadAgain) {
  add_image("nvidia_cuda_latest.json", gpu_labels, false);
  Completed result = nvidia_docker({"create", "nvidia/cuda"}, direct());
  EXPECT_EQ(result.status, 0) << result.err;
  auto calls = docker_calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0], (std::vector<std::string>{"docker", "pull", "--", "nvidia/cuda"}));
  EXPECT_EQ(engine_requests.load(), 2);
}

TEST_F(EngineDirect, SudoGoesThroughTheDockerClient) {
  add_image("nvidia_cuda_latest.json", gpu_labels);
  auto env = direct();
  env["NV_DOCKER"] = dir.file("bin/docker") + " --log-level error";
  Completed result = nvidia_docker({"run", "nvidia/cuda"}, env);
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(docker_calls().size(), 2u);
  EXPECT_EQ(engine_requests.load(), 0);
}

// docker inherits the signal dispositions it would inherit alone: under
// nohup, SIGHUP stays ignored.
TEST_F(Client, DockerInheritsTheSignalsItWouldAlone) {
  std::string shows = dir.file("shows-ignored-signals");
  write_file(shows, "#!/bin/sh\nexec grep '^SigIgn' /proc/self/status\n");
  ::chmod(shows.c_str(), 0755);
  struct sigaction ignore{}, before{};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGHUP, &ignore, &before);
  Completed alone = run_program({shows}, env());
  Completed through = nvidia_docker({"ps"}, {{"NV_DOCKER", shows}});
  Completed gpu_path = nvidia_docker({"version"}, {{"NV_DOCKER", shows}});
  ::sigaction(SIGHUP, &before, nullptr);
  ASSERT_EQ(alone.status, 0) << alone.err;
  EXPECT_NE(std::stoull(alone.out.substr(alone.out.find(':') + 1), nullptr, 16) & (1ull << (SIGHUP - 1)), 0u)
      << alone.out;
  EXPECT_EQ(through.out, alone.out);
  EXPECT_EQ(gpu_path.out.substr(gpu_path.out.find("SigIgn")), alone.out) << "the whole run, not the early exec";
}

// The front alone (no nvidia-docker-gpu beside it): the pass-through and a GPU
// run with this machine's plugin work; only what needs libcurl stops, saying why.
TEST_F(Client, FrontWithoutItsHelperDoesAllButLibcurl) {
  add_image("nvidia_cuda_latest.json", gpu_labels);
  std::filesystem::create_directories(dir.file("alone"));
  std::filesystem::copy_file(client, dir.file("alone/nvidia-docker"));
  ::chmod(dir.file("alone/nvidia-docker").c_str(), 0755);
  Completed ps = run_program({dir.file("alone/nvidia-docker"), "ps"}, env());
  EXPECT_EQ(ps.status, 0) << ps.err;
  EXPECT_EQ(ps.out, "fake docker ran ps\n");
  Completed gpu = run_program({dir.file("alone/nvidia-docker"), "run", "nvidia/cuda"}, env());
  EXPECT_EQ(gpu.status, 0) << gpu.err;
  EXPECT_EQ(last_call(), with_fake(concat(concat({"run"}, all_gpus), {"nvidia/cuda"})));
  Completed curl = run_program({dir.file("alone/nvidia-docker"), "run", "nvidia/cuda"}, env({{"NV_USE_LIBCURL", "1"}}));
  EXPECT_EQ(curl.status, 1);
  EXPECT_EQ(curl.err, "nvidia-docker | Error: the GPU helper nvidia-docker-gpu is missing beside " +
                          dir.file("alone/nvidia-docker") + " and in ../lib/nvidia-docker: reinstall nvidia-docker\n");
}

// A plugin asked through libcurl: the front hands the command to its helper, which runs it.
TEST_F(Client, LibcurlCommandsGoThroughTheHelper) {
  add_image("nvidia_cuda_latest.json", gpu_labels);
  Completed result = nvidia_docker({"run", "nvidia/cuda"}, {{"NV_USE_LIBCURL", "1"}, {"NV_DEBUG", "1"}});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_NE(result.err.find("the plugin is asked through libcurl (another host, or NV_USE_LIBCURL): handing the "
                            "command over to "),
            std::string::npos)
      << result.err;
  EXPECT_EQ(last_call(), with_fake(concat(concat({"run"}, all_gpus), {"nvidia/cuda"})));
  EXPECT_EQ(plugin.request_count(), 2) << "the front asked nothing before handing over";
}

TEST_F(EngineDirect, DaemonNotAnsweringFallsBackToTheDockerClient) {
  add_image("nvidia_cuda_latest.json", gpu_labels);
  // A socket file nothing listens on: the Engine API cannot be read, the client can.
  std::string dead = dir.file("dead.sock");
  { ScriptedServer gone(dead, [](int, const std::string &) {}); }
  write_file(dead, "", false); // keep a file there, as a stale socket would be
  auto env = direct();
  env["DOCKER_HOST"] = "unix://" + dead;
  Completed result = nvidia_docker({"run", "nvidia/cuda"}, env);
  EXPECT_EQ(result.status, 0) << result.err;
  auto calls = docker_calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0], (std::vector<std::string>{"docker", "image", "inspect", "--format", "{{json .Config}}", "--", "nvidia/cuda"}));
}
