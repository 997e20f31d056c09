// SPDX-License-Identifier: BSD-3-Clause
// Faults of the plugin, docker and the settings: each ends in exit status 1,
// one line `nvidia-docker | Error: …`, within a bounded time, and no docker run.
#include "support/process.hpp"
#include "support/scripted_server.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

using namespace nvd::test;
using namespace std::chrono_literals;

namespace {

const std::string client = NVD_CLIENT_BINARY;
const std::string fake_docker = NVD_FAKE_DOCKER;
const std::string info_json = R"({"Version":{"Driver":"535.104.05","CUDA":"12.2"},"Devices":[]})";

// Each fault is played to both HTTP clients: our own (loopback plugins) and
// libcurl (plugins on other hosts; NV_USE_LIBCURL forces it here).
class Faults : public ::testing::TestWithParam<bool> {
protected:
  Faults() : images(dir.file("images")), log(dir.file("log")) {
    std::filesystem::create_directories(images);
    std::filesystem::create_directories(log);
    write_file(images + "/cuda_latest.json",
               R"({"Labels":{"com.nvidia.volumes.needed":"nvidia_driver","com.nvidia.cuda.version":"8.0"}})");
  }

  struct Outcome {
    Completed result;
    std::chrono::milliseconds elapsed;
  };

  Outcome run(const std::string &nv_host, std::map<std::string, std::optional<std::string>> extra = {},
              std::vector<std::string> args = {"run", "cuda"}) {
    std::map<std::string, std::optional<std::string>> env = {
        {"NV_DOCKER", fake_docker}, {"NV_HOST", nv_host}, {"DOCKER_HOST", "unix:///x.sock"},
        {"FAKE_DOCKER_LOG", log},   {"FAKE_DOCKER_IMAGES", images}, {"NV_GPU", std::nullopt},
        {"NV_TIMEOUT", std::nullopt},
        {"NV_USE_LIBCURL", GetParam() ? std::optional<std::string>("1") : std::nullopt}};
    for (auto &[name, value] : extra)
      env[name] = value;
    std::vector<std::string> argv = {client};
    argv.insert(argv.end(), args.begin(), args.end());
    auto start = std::chrono::steady_clock::now();
    Completed result = run_program(argv, env);
    return {result, std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)};
  }

  // Exit 1, one error line, and docker was never asked to run the container.
  void expect_refusal(const Outcome &outcome, const std::string &prefix, const std::string &contains = "") {
    EXPECT_EQ(outcome.result.status, 1) << outcome.result.err;
    EXPECT_EQ(outcome.result.err.rfind("nvidia-docker | Error: " + prefix, 0), 0u) << outcome.result.err;
    EXPECT_NE(outcome.result.err.find(contains), std::string::npos) << outcome.result.err;
    EXPECT_EQ(std::count(outcome.result.err.begin(), outcome.result.err.end(), '\n'), 1)
        << outcome.result.err;
    EXPECT_EQ(outcome.result.out, "");
    for (int n = 1; std::filesystem::exists(log + "/call-" + std::to_string(n)); ++n) {
      std::string call = read_file(log + "/call-" + std::to_string(n));
      bool container = call.find(std::string("\0run\0", 5)) != std::string::npos ||
                       call.find(std::string("\0create\0", 8)) != std::string::npos;
      bool help = call.size() >= 7 && call.compare(call.size() - 7, 7, std::string("--help\0", 7)) == 0;
      EXPECT_FALSE(container && !help) << "docker ran the container";
    }
  }

  TempDir dir;
  std::string images, log;
};

} // namespace

TEST_P(Faults, SlowPluginTimesOut) {
  ScriptedServer slow([](int, const std::string &) { std::this_thread::sleep_for(1500ms); });
  Outcome outcome = run(slow.base_url(), {{"NV_TIMEOUT", "0.5"}});
  expect_refusal(outcome, slow.base_url() + "/gpu/info/json: no answer within 0.5 s (",
                 "); set NV_TIMEOUT to wait longer");
  EXPECT_LT(outcome.elapsed, 2500ms);
}

TEST_P(Faults, ServerErrorShowsItsMessage) {
  ScriptedServer failing([](int s, const std::string &) {
    ScriptedServer::send_all(s, ScriptedServer::http_answer(500, "nvml: driver not loaded\n"));
  });
  expect_refusal(run(failing.base_url()),
                 failing.base_url() + "/gpu/info/json: HTTP 500: nvml: driver not loaded");
}

TEST_P(Faults, MalformedJsonIsRefused) {
  ScriptedServer garbled([](int s, const std::string &) {
    ScriptedServer::send_all(s, ScriptedServer::http_answer(200, "{\"Version\": [oops"));
  });
  expect_refusal(run(garbled.base_url()),
                 "invalid answer from " + garbled.base_url() + "/gpu/info/json: not JSON (");
}

TEST_P(Faults, TruncatedAnswerIsRefused) {
  ScriptedServer cut([](int s, const std::string &) {
    ScriptedServer::send_all(s, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{\"Version\":");
  });
  expect_refusal(run(cut.base_url()), cut.base_url() + "/gpu/info/json: broken answer (",
                 "is that port really nvidia-docker-plugin?");
}

TEST_P(Faults, OversizedAnswerIsRefused) {
  ScriptedServer huge([](int s, const std::string &) {
    std::string body(3 * 1024 * 1024, ' ');
    ScriptedServer::send_all(s, ScriptedServer::http_answer(200, body));
  });
  expect_refusal(run(huge.base_url()),
                 huge.base_url() + "/gpu/info/json: answer larger than 1048576 bytes, refused");
}

TEST_P(Faults, RedirectIsNotFollowed) {
  ScriptedServer redirecting([](int s, const std::string &) {
    ScriptedServer::send_all(s, ScriptedServer::http_answer(302, "", "Location: http://10.1.1.1/\r\n"));
  });
  expect_refusal(run(redirecting.base_url()),
                 redirecting.base_url() + "/gpu/info/json: HTTP 302 (redirects are not followed)");
}

TEST_P(Faults, NonHttpServiceIsRefused) {
  ScriptedServer ssh([](int s, const std::string &) {
    ScriptedServer::send_all(s, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
  });
  expect_refusal(run(ssh.base_url()), ssh.base_url() + "/gpu/info/json: broken answer (",
                 "is that port really nvidia-docker-plugin?");
}

TEST_P(Faults, HostileDockerCliAnswerNeverReachesDocker) {
  ScriptedServer hostile([](int s, const std::string &request) {
    if (request.find("/gpu/info/json") != std::string::npos)
      ScriptedServer::send_all(s, ScriptedServer::http_answer(200, info_json));
    else
      ScriptedServer::send_all(
          s, ScriptedServer::http_answer(
                 200, R"({"VolumeDriver":"nvidia-docker","Volumes":["/:/host"],"Devices":["/dev/nvidia0"]})"));
  });
  expect_refusal(run(hostile.base_url()),
                 "refused answer from " + hostile.base_url() + "/docker/cli/json?vol=nvidia_driver&dev=: volume \"/:/host\"");
}

TEST_P(Faults, PrivilegedAsDeviceNeverReachesDocker) {
  ScriptedServer hostile([](int s, const std::string &request) {
    if (request.find("/gpu/info/json") != std::string::npos)
      ScriptedServer::send_all(s, ScriptedServer::http_answer(200, info_json));
    else
      ScriptedServer::send_all(s, ScriptedServer::http_answer(200, R"({"Devices":["--privileged"]})"));
  });
  expect_refusal(run(hostile.base_url()), "refused answer from ", "device \"--privileged\"");
}

TEST_P(Faults, MalformedPluginCudaVersion) {
  for (const char *bad : {"abc", "12.", ""}) {
    ScriptedServer plugin([bad](int s, const std::string &) {
      ScriptedServer::send_all(s, ScriptedServer::http_answer(
                                      200, std::string(R"({"Version":{"Driver":"1","CUDA":")") + bad + "\"}}"));
    });
    expect_refusal(run(plugin.base_url()), "refused answer from " + plugin.base_url() +
                                               "/gpu/info/json: invalid CUDA version \"" + bad + "\"");
  }
}

TEST_P(Faults, MalformedImageCudaLabel) {
  write_file(images + "/bad_latest.json",
             R"({"Labels":{"com.nvidia.volumes.needed":"nvidia_driver","com.nvidia.cuda.version":"12."}})");
  expect_refusal(run("http://127.0.0.1:9", {}, {"run", "bad"}),
                 "image bad: label com.nvidia.cuda.version is not a version: \"12.\"");
}

TEST_P(Faults, NvGpuOfSeparatorsOnly) {
  expect_refusal(run("http://127.0.0.1:9", {{"NV_GPU", ",, ,"}}), "NV_GPU: no device in \",, ,\"");
}

TEST_P(Faults, GarbageNvHost) {
  expect_refusal(run("ftp://gpu1"), "invalid remote host URI: ftp://gpu1 (");
  expect_refusal(run("http://gpu1:99999"), "invalid remote host URI: http://gpu1:99999 (");
}

TEST_P(Faults, BlankNvDocker) {
  expect_refusal(run("http://127.0.0.1:9", {{"NV_DOCKER", "   "}}), "NV_DOCKER is set but blank");
  expect_refusal(run("http://127.0.0.1:9", {{"NV_DOCKER", ""}}, {"ps"}), "NV_DOCKER is set but empty");
}

TEST_P(Faults, DockerNotExecutable) {
  write_file(dir.file("docker"), "not a program", false);
  expect_refusal(run("http://127.0.0.1:9", {{"NV_DOCKER", dir.file("docker")}}, {"ps"}),
                 "NV_DOCKER: command not found: " + dir.file("docker"));
}

TEST_P(Faults, UnknownRunFlag) {
  write_file(dir.file("help.txt"), "Options:\n      --rm    Automatically remove\n");
  expect_refusal(run("http://127.0.0.1:9", {{"FAKE_DOCKER_HELP", dir.file("help.txt")},
                                           {"XDG_CACHE_HOME", dir.file("cache")}},
                     {"run", "--bogus", "cuda"}),
                 "docker run: unknown flag: --bogus");
}

INSTANTIATE_TEST_SUITE_P(HttpClients, Faults, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool> &client) { return client.param ? "libcurl" : "builtin"; });
