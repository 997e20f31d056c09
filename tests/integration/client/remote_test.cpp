// SPDX-License-Identifier: BSD-3-Clause
// Remote plugins: over http on loopback, and through a real sshd that the test
// starts on loopback with its own keys and known_hosts.
#include "support/process.hpp"
#include "support/running_plugin.hpp"
#include "support/scripted_server.hpp"
#include "support/sshd.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <dirent.h>
#include <filesystem>
#include <thread>

using namespace nvd::test;
using namespace std::chrono_literals;

namespace {

const std::string client = NVD_CLIENT_BINARY;
const std::string plugin_binary = NVD_PLUGIN_BINARY;
const std::string fake_docker = NVD_FAKE_DOCKER;
const std::string eight_gpus = NVD_EXAMPLES_DIR "/inventory-8gpu.json";

// Processes whose command line mentions `needle` (left-over ssh children).
int processes_mentioning(const std::string &needle) {
  int count = 0;
  DIR *proc = ::opendir("/proc");
  while (dirent *entry = ::readdir(proc)) {
    std::string name = entry->d_name;
    if (name.find_first_not_of("0123456789") != std::string::npos)
      continue;
    std::string cmdline = read_file("/proc/" + name + "/cmdline");
    if (cmdline.find(needle) != std::string::npos)
      ++count;
  }
  ::closedir(proc);
  return count;
}

class Remote : public ::testing::Test {
protected:
  Remote() : images(dir.file("images")), log(dir.file("log")) {
    std::filesystem::create_directories(images);
    std::filesystem::create_directories(log);
    write_file(images + "/cuda_latest.json",
               R"({"Labels":{"com.nvidia.volumes.needed":"nvidia_driver","com.nvidia.cuda.version":"8.0"}})");
  }

  Completed run(std::map<std::string, std::optional<std::string>> extra,
                std::vector<std::string> args = {"run", "cuda"}) {
    std::map<std::string, std::optional<std::string>> env = {
        {"NV_DOCKER", fake_docker}, {"FAKE_DOCKER_LOG", log}, {"FAKE_DOCKER_IMAGES", images},
        {"NV_HOST", std::nullopt},  {"DOCKER_HOST", std::nullopt}, {"NV_GPU", std::nullopt},
        {"NV_SSH", std::nullopt},   {"DOCKER_CONTEXT", std::nullopt}, {"HOME", dir.path()}};
    for (auto &[name, value] : extra)
      env[name] = value;
    std::vector<std::string> argv = {client};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_program(argv, env);
  }

  std::vector<std::string> last_call() {
    std::string last;
    for (int n = 1; std::filesystem::exists(log + "/call-" + std::to_string(n)); ++n)
      last = read_file(log + "/call-" + std::to_string(n));
    std::vector<std::string> args;
    std::size_t start = 0;
    while (start < last.size()) {
      std::size_t end = last.find('\0', start);
      args.push_back(last.substr(start, end - start));
      start = end + 1;
    }
    return args;
  }

  TempDir dir;
  std::string images, log;
};

class ThroughSsh : public Remote {
protected:
  void SetUp() override {
    std::string why = LoopbackSshd::unavailable_reason();
    if (!why.empty()) {
      if (std::getenv("CI") != nullptr)
        FAIL() << why;
      GTEST_SKIP() << why;
    }
    sshd = std::make_unique<LoopbackSshd>();
  }
  std::unique_ptr<LoopbackSshd> sshd;
};

} // namespace

TEST_F(Remote, NvHostOverHttp) {
  RunningPlugin plugin(plugin_binary, eight_gpus);
  Completed result = run({{"NV_HOST", plugin.base_url()}, {"DOCKER_HOST", "tcp://127.0.0.1:1"}, {"NV_GPU", "5"}});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.err, ""); // DOCKER_HOST is set: no warning
  std::vector<std::string> call = last_call();
  ASSERT_GE(call.size(), 3u);
  EXPECT_EQ(call[call.size() - 2], "--device=/dev/nvidia5");
  EXPECT_EQ(call.back(), "cuda");
}

TEST_F(Remote, NvHostOverHttpIpv6) {
  TempDir state;
  Process probe({plugin_binary, "--inventory", eight_gpus, "-l", "[::1]:0", "-s", state.file("plugins"),
                 "-d", state.file("volumes")});
  const std::string serving = "serving the REST API at [::1]:";
  if (!probe.wait_for_stderr(serving, 5s))
    GTEST_SKIP() << "no IPv6 loopback here: " << probe.stderr_text();
  std::string text = probe.stderr_text();
  std::string port = text.substr(text.find(serving) + serving.size());
  port = port.substr(0, port.find_first_not_of("0123456789"));
  Completed result = run({{"NV_HOST", "http://[::1]:" + port}, {"DOCKER_HOST", "tcp://[::1]:2375"}, {"NV_GPU", "7"}});
  EXPECT_EQ(result.status, 0) << result.err;
  std::vector<std::string> call = last_call();
  ASSERT_GE(call.size(), 2u);
  EXPECT_EQ(call[call.size() - 2], "--device=/dev/nvidia7");
}

TEST_F(Remote, NvHostWithoutDockerHostWarns) {
  RunningPlugin plugin(plugin_binary, eight_gpus);
  Completed result = run({{"NV_HOST", plugin.base_url()}});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.err, "nvidia-docker | Warning: NV_HOST is set but DOCKER_HOST is not: the container "
                        "runs on the local docker daemon, with GPUs described by " +
                            plugin.base_url() + "\n");
}

TEST_F(ThroughSsh, GpuRunUsesTheRemotePlugin) {
  RunningPlugin plugin(plugin_binary, eight_gpus);
  Completed result = run({{"NV_HOST", sshd->nv_host(plugin.port())}, {"NV_SSH", sshd->ssh_command()},
                          {"DOCKER_HOST", "ssh://" + sshd->user() + "@127.0.0.1:" + std::to_string(sshd->port())},
                          {"NV_GPU", "GPU-1a2b3c4d-0000-4000-8000-000000000003"}});
  EXPECT_EQ(result.status, 0) << result.err;
  std::vector<std::string> call = last_call();
  ASSERT_GE(call.size(), 2u);
  EXPECT_EQ(call[call.size() - 2], "--device=/dev/nvidia3");
  EXPECT_EQ(plugin.request_count(), 2); // both requests through one ssh connection
  EXPECT_EQ(processes_mentioning(sshd->known_hosts()), 0) << "an ssh child outlived the run";
}

TEST_F(ThroughSsh, UnknownHostKeyIsRefused) {
  RunningPlugin plugin(plugin_binary, eight_gpus);
  Completed result = run({{"NV_HOST", sshd->nv_host(plugin.port())}, {"NV_SSH", sshd->ssh_command_unknown_host()},
                          {"DOCKER_HOST", "tcp://127.0.0.1:1"}});
  EXPECT_EQ(result.status, 1);
  std::string where = "127.0.0.1:" + std::to_string(sshd->port());
  EXPECT_EQ(result.err, "nvidia-docker | Error: ssh://" + sshd->user() + "@" + where + ": the host key of " +
                            where + " is not known (ssh: Host key verification failed); check it and add "
                                    "it to known_hosts, e.g. by connecting once with ssh\n");
  EXPECT_EQ(plugin.request_count(), 0);
}

TEST_F(ThroughSsh, RefusedAuthentication) {
  RunningPlugin plugin(plugin_binary, eight_gpus);
  Completed result = run({{"NV_HOST", sshd->nv_host(plugin.port())}, {"NV_SSH", sshd->ssh_command_wrong_key()},
                          {"DOCKER_HOST", "tcp://127.0.0.1:1"}});
  EXPECT_EQ(result.status, 1);
  std::string where = "127.0.0.1:" + std::to_string(sshd->port());
  EXPECT_EQ(result.err, "nvidia-docker | Error: ssh://" + sshd->user() + "@" + where + ": ssh authentication to " +
                            where + " failed (Permission denied); load your key into ssh-agent, or name it "
                                    "with NV_SSH='ssh -i KEY'\n");
}

TEST_F(ThroughSsh, NothingListensOnThePluginPort) {
  // Port 1 on loopback: nothing listens there.
  Completed result = run({{"NV_HOST", sshd->nv_host(1)}, {"NV_SSH", sshd->ssh_command()},
                          {"DOCKER_HOST", "tcp://127.0.0.1:1"}});
  EXPECT_EQ(result.status, 1);
  std::string where = "127.0.0.1:" + std::to_string(sshd->port());
  EXPECT_EQ(result.err, "nvidia-docker | Error: ssh://" + sshd->user() + "@" + where + ": connected to " + where +
                            ", but nothing listens on the plugin port 1 on the remote host: is "
                            "nvidia-docker-plugin running there?\n");
}

TEST_F(ThroughSsh, SshServerRefusesTheConnection) {
  std::string host = "ssh://" + sshd->user() + "@127.0.0.1:1:3476";
  Completed result = run({{"NV_HOST", host}, {"NV_SSH", sshd->ssh_command()}, {"DOCKER_HOST", "tcp://127.0.0.1:1"}});
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.err, "nvidia-docker | Error: ssh://" + sshd->user() +
                            "@127.0.0.1:1: the SSH server at 127.0.0.1:1 refused the connection\n");
}

TEST_F(ThroughSsh, SlowPluginTimesOut) {
  ScriptedServer slow([](int, const std::string &) { std::this_thread::sleep_for(2500ms); });
  auto start = std::chrono::steady_clock::now();
  Completed result = run({{"NV_HOST", sshd->nv_host(slow.port())}, {"NV_SSH", sshd->ssh_command()},
                          {"DOCKER_HOST", "tcp://127.0.0.1:1"}, {"NV_TIMEOUT", "1"}});
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(result.status, 1);
  std::string prefix = "nvidia-docker | Error: ssh://" + sshd->user() + "@127.0.0.1:" +
                       std::to_string(sshd->port()) + ": http://localhost:" + std::to_string(slow.port()) +
                       "/gpu/info/json: no answer within 1 s (";
  EXPECT_EQ(result.err.rfind(prefix, 0), 0u) << result.err;
  EXPECT_LT(elapsed, 2500ms);
  EXPECT_EQ(processes_mentioning(sshd->known_hosts()), 0) << "an ssh child outlived the run";
}

TEST_F(Remote, CurrentDockerContextNamesThePluginHost) {
  std::filesystem::create_directories(dir.file(".docker/contexts/meta/0123abcd"));
  write_file(dir.file(".docker/config.json"), R"({"auths":{},"currentContext":"lab"})");
  write_file(dir.file(".docker/contexts/meta/0123abcd/meta.json"),
             R"({"Name":"lab","Metadata":{},"Endpoints":{"docker":{"Host":"tcp://127.0.0.2:2376","SkipTLSVerify":false}}})");
  Completed result = run({{"NV_DEBUG", "1"}});
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("nvidia-docker | Debug: plugin: http://127.0.0.2:3476 (from context lab)\n"),
            std::string::npos) << result.err;
  // Nothing listens there, and the daemon offers no other way: the error says both.
  EXPECT_NE(result.err.find("nvidia-docker | Error: no GPU mechanism found: nvidia-docker-plugin at "
                            "http://127.0.0.2:3476 (http://127.0.0.2:3476/gpu/info/json: connection refused"),
            std::string::npos) << result.err;
}
