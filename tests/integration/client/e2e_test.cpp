// SPDX-License-Identifier: BSD-3-Clause
// End to end: nvidia-docker → the real docker client on PATH (whichever
// version is installed) → a fake Docker Engine API on a unix socket, with
// nvidia-docker-plugin on the sample inventory. The assertions are on what
// docker itself sends to the engine.
#include "nvd/client/grammar/command_line.hpp"
#include "nvd/client/gpu_backend.hpp"

#include "support/fake_engine.hpp"
#include "support/process.hpp"
#include "support/running_plugin.hpp"
#include "support/corpus.hpp"
#include "support/docker_client.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <set>

using namespace nvd::test;
using nlohmann::json;

namespace {

const std::string client = NVD_CLIENT_BINARY;
const json gpu_config = {{"Env", {"PATH=/usr/bin"}},
                         {"Labels", {{"com.nvidia.volumes.needed", "nvidia_driver"},
                                     {"com.nvidia.cuda.version", "8.0"}}}};
const json plain_config = {{"Env", {"PATH=/usr/bin"}}, {"Labels", nullptr}};

class EndToEnd : public ::testing::Test {
protected:
  void SetUp() override {
    NVD_REQUIRE_DOCKER_CLIENT();
    engine = std::make_unique<FakeEngine>(dir.file("engine.sock"));
    plugin = std::make_unique<RunningPlugin>(NVD_PLUGIN_BINARY, NVD_EXAMPLES_DIR "/inventory-2gpu.json");
    std::filesystem::create_directories(dir.file("docker-config"));
  }

  std::map<std::string, std::optional<std::string>> env(std::map<std::string, std::optional<std::string>> extra = {}) {
    std::map<std::string, std::optional<std::string>> base = {
        {"DOCKER_HOST", engine->docker_host()}, {"NV_HOST", plugin->base_url()},
        {"DOCKER_CONFIG", dir.file("docker-config")}, {"HOME", dir.path()},
        {"NV_DOCKER", std::nullopt}, {"NV_GPU", std::nullopt}, {"DOCKER_CONTEXT", std::nullopt},
        {"DOCKER_CLI_HINTS", "false"}};
    for (auto &[k, v] : extra)
      base[k] = v;
    return base;
  }

  Completed nvidia_docker(std::vector<std::string> args, std::map<std::string, std::optional<std::string>> extra = {}) {
    args.insert(args.begin(), client);
    return run_program(args, env(std::move(extra)));
  }

  static std::vector<std::string> devices(const json &create) {
    std::vector<std::string> paths;
    for (const auto &device : create["HostConfig"]["Devices"])
      paths.push_back(device["PathOnHost"].get<std::string>());
    return paths;
  }

  TempDir dir{"nvd-e2e"};
  std::unique_ptr<FakeEngine> engine;
  std::unique_ptr<RunningPlugin> plugin;
};

const std::vector<std::string> all_devices = {"/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools",
                                              "/dev/nvidia0", "/dev/nvidia1"};

} // namespace

TEST_F(EndToEnd, DetachedGpuRunSendsDevicesAndDriverVolume) {
  engine->add_image("nvidia/cuda", gpu_config);
  Completed result = nvidia_docker({"run", "-d", "nvidia/cuda", "nvidia-smi", "-L"});
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out.size(), 65u) << result.out; // the container id and a newline
  auto creates = engine->creates();
  ASSERT_EQ(creates.size(), 1u);
  const json &create = creates[0];
  EXPECT_EQ(create["Image"], "nvidia/cuda");
  EXPECT_EQ(create["Cmd"], json({"nvidia-smi", "-L"}));
  EXPECT_EQ(create["HostConfig"]["VolumeDriver"], "nvidia-docker");
  EXPECT_EQ(create["HostConfig"]["Binds"], json({"nvidia_driver_535.104.05:/usr/local/nvidia:ro"}));
  EXPECT_EQ(devices(create), all_devices);
}

TEST_F(EndToEnd, NonGpuImageIsSentUnchanged) {
  engine->add_image("busybox", plain_config);
  Completed result = nvidia_docker({"run", "-d", "busybox", "true"});
  ASSERT_EQ(result.status, 0) << result.err;
  auto creates = engine->creates();
  ASSERT_EQ(creates.size(), 1u);
  EXPECT_TRUE(devices(creates[0]).empty());
  EXPECT_EQ(creates[0]["HostConfig"]["VolumeDriver"], "");
  EXPECT_EQ(plugin->request_count(), 0);
}

TEST_F(EndToEnd, NvGpuSelectsTheDevicesSent) {
  engine->add_image("nvidia/cuda", gpu_config);
  Completed result = nvidia_docker({"create", "--name", "job", "nvidia/cuda"}, {{"NV_GPU", "GPU-b78a"}});
  ASSERT_EQ(result.status, 0) << result.err;
  auto creates = engine->creates();
  ASSERT_EQ(creates.size(), 1u);
  EXPECT_EQ(devices(creates[0]), (std::vector<std::string>{"/dev/nvidiactl", "/dev/nvidia-uvm",
                                                           "/dev/nvidia-uvm-tools", "/dev/nvidia1"}));
  bool named = false, started = false;
  for (const auto &request : engine->requests()) {
    named = named || request.query.find("name=job") != std::string::npos;
    started = started || request.path.find("/start") != std::string::npos;
  }
  EXPECT_TRUE(named);
  EXPECT_FALSE(started) << "create must not start the container";
}

TEST_F(EndToEnd, AttachedRunPassesTheExitCodeThrough) {
  engine->add_image("nvidia/cuda", gpu_config);
  Completed result = nvidia_docker({"run", "--rm", "nvidia/cuda", "exit", "3"});
  EXPECT_EQ(result.status, 3) << result.err;
  EXPECT_EQ(result.out, "hello from the fake engine\n");
  ASSERT_EQ(engine->creates().size(), 1u);
  EXPECT_EQ(devices(engine->creates()[0]), all_devices);
}

TEST_F(EndToEnd, GlobalOptionsBeforeTheCommand) {
  engine->add_image("nvidia/cuda", gpu_config);
  Completed result = nvidia_docker({"--log-level", "error", "-H", engine->docker_host(), "container", "run",
                                    "-d", "-e", "A=1", "nvidia/cuda"},
                                   {{"DOCKER_HOST", std::nullopt}, {"NV_HOST", plugin->base_url()}});
  ASSERT_EQ(result.status, 0) << result.err;
  auto creates = engine->creates();
  ASSERT_EQ(creates.size(), 1u);
  EXPECT_EQ(creates[0]["Env"], json({"A=1"}));
  EXPECT_EQ(devices(creates[0]), all_devices);
}

TEST_F(EndToEnd, MissingImageIsPulledFirst) {
  engine->add_registry_image("nvidia/cuda:12.4", gpu_config);
  Completed result = nvidia_docker({"run", "-d", "nvidia/cuda:12.4"});
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_NE(result.err.find("Pulling from nvidia/cuda"), std::string::npos) << result.err;
  ASSERT_EQ(engine->creates().size(), 1u);
  EXPECT_EQ(devices(engine->creates()[0]), all_devices);
}

TEST_F(EndToEnd, LabelsAreReadOverTheSocketWithOneRequest) {
  engine->add_image("nvidia/cuda", gpu_config);
  Completed result = nvidia_docker({"create", "nvidia/cuda"});
  ASSERT_EQ(result.status, 0) << result.err;
  int inspections = 0;
  for (const auto &request : engine->requests())
    inspections += request.path.find("/images/nvidia/cuda") != std::string::npos;
  EXPECT_EQ(inspections, 1);
  EXPECT_EQ(plugin->request_count(), 2);
}

// For every real-world command line: the installed docker client's own
// reading of it (the create it sends, or none when it refuses the line) is
// nvidia-docker's, and docker accepts the rewritten line. The recorded docker
// 28 answers of the corpus are only compared, for information: the installed
// client decides. Lines with a flag that it does not know (it is older than
// the docker 28 grammar) are skipped and counted.
TEST_F(EndToEnd, ConformanceWithDockersOwnParser) {
  // Reading an engine's creates costs as many as it holds: a fresh one every
  // few lines keeps the run linear in the corpus.
  auto fresh_engine = [&] {
    std::string socket = dir.file("engine.sock");
    engine.reset(); // it removes its socket file: before the next one binds there
    engine = std::make_unique<FakeEngine>(socket);
    engine->every_image(gpu_config);
    engine->refuse_creates(true);
  };
  fresh_engine();
  std::string cwd = dir.file("cwd");
  std::filesystem::create_directories(cwd);
  for (const char *file : {"env.list", "labels", "labels.txt"})
    write_file(cwd + "/" + file, "A=b\n");
  const std::string docker = installed_docker_client();
  const std::optional<DockerClientVersion> version = docker_client_version(docker);
  ASSERT_TRUE(version) << docker << " --version does not say its version";
  const std::string docker_name = "docker " + version->text + " (" + docker + ")";

  // The create a command line makes reach the engine, if any, and what was printed.
  // Where the time goes (docker's own runs, the runs through nvidia-docker), for the record.
  std::map<std::string, std::chrono::steady_clock::duration> spent;
  auto sent_by = [&](const std::string &program, const std::vector<std::string> &args) {
    std::size_t before = engine->creates().size();
    std::vector<std::string> argv = {program};
    argv.insert(argv.end(), args.begin(), args.end());
    auto started = std::chrono::steady_clock::now();
    Completed result = run_in_terminal(argv, env(), cwd);
    spent[program] += std::chrono::steady_clock::now() - started;
    auto creates = engine->creates();
    return std::make_pair(creates.size() > before ? std::optional<json>(creates.back()) : std::nullopt,
                          result.out);
  };
  // "unknown flag: --annotation" -> "--annotation"; "unknown shorthand flag: 'q' in -qd" -> "-q".
  auto unknown_flag = [](const std::string &said) -> std::string {
    const std::string long_marker = "unknown flag: ", short_marker = "unknown shorthand flag: '";
    if (std::size_t at = said.find(long_marker); at != std::string::npos)
      return said.substr(at + long_marker.size(), said.find_first_of(" \r\n", at + long_marker.size()) -
                                                      at - long_marker.size());
    if (std::size_t at = said.find(short_marker); at != std::string::npos && at + short_marker.size() < said.size())
      return std::string("-") + said[at + short_marker.size()];
    return "";
  };
  auto command_of = [](const json &create) {
    return create["Cmd"].is_null() ? json::array() : create["Cmd"];
  };

  // Under AddressSanitizer every client run costs several times as much: one
  // line in six there (2x headroom under load on 2 cores), all of them in the
  // normal build.
#if defined(__SANITIZE_ADDRESS__)
  constexpr int one_line_in = 6;
#else
  constexpr int one_line_in = 1;
#endif
  int lines = 0, compared = 0, agreed = 0, position = 0;
  std::vector<std::string> unknown_to_client, unlike_recording;
  for (const auto &entry : read_corpus(NVD_TEST_DATA_DIR "/run-corpus.tsv")) {
    if (position++ % one_line_in != 0)
      continue;
    if (++lines % 10 == 0)
      fresh_engine();
    const std::vector<std::string> &args = entry.args;
    nvd::ParseResult ours = nvd::parse_command_line(args);
    auto [docker_create, docker_said] = sent_by(docker, args);

    std::string flag = docker_create ? "" : unknown_flag(docker_said);
    if (!flag.empty() && !ours.failure) {
      // nvidia-docker reads the flag with the docker 28 grammar; this client has none.
      if (version->major < 28) {
        unknown_to_client.push_back(flag);
        continue;
      }
      ADD_FAILURE() << entry.command << "\n  " << docker_name << " does not know " << flag
                    << ", which nvidia-docker's docker 28 grammar has";
      continue;
    }
    ++compared;
    bool recorded_create = entry.expected != "HELP" && entry.expected != "PARSE-ERROR" &&
                           entry.expected.rfind("REFUSED:", 0) != 0;
    if (recorded_create != docker_create.has_value() ||
        (docker_create && (*docker_create)["Image"] != entry.expected))
      unlike_recording.push_back(entry.command);

    auto [through_us, our_output] = sent_by(client, args);
    std::string problem;
    if (!docker_create) {
      if (through_us)
        problem = "docker refuses the line, yet through nvidia-docker a create was sent";
    } else if (ours.failure || ours.line.image_index == nvd::npos) {
      problem = "docker sends a create, nvidia-docker cannot read the line: " +
                (ours.failure ? ours.failure->message : std::string("no image found"));
    } else {
      const std::string &image = args[ours.line.image_index];
      json cmd(std::vector<std::string>(args.begin() + static_cast<std::ptrdiff_t>(ours.line.image_index) + 1,
                                        args.end()));
      if ((*docker_create)["Image"] != image)
        problem = "image: docker sends " + (*docker_create)["Image"].dump() + ", nvidia-docker found " + image;
      else if (command_of(*docker_create) != cmd)
        problem = "command: docker sends " + command_of(*docker_create).dump() + ", nvidia-docker found " + cmd.dump();
      else if (!through_us)
        problem = "through nvidia-docker no create reached the engine: " + our_output.substr(0, 300);
      else if ((*through_us)["Image"] != image || command_of(*through_us) != cmd)
        problem = "through nvidia-docker docker sent image " + (*through_us)["Image"].dump() + ", command " +
                  command_of(*through_us).dump();
      else if (nvd::command_gpu_request(ours.line).empty() && devices(*through_us).size() < all_devices.size())
        problem = "the GPU devices did not reach docker";
    }
    if (problem.empty())
      ++agreed;
    else
      ADD_FAILURE() << entry.command << "\n  " << problem;
  }
  auto seconds = [&](const std::string &program) {
    return std::chrono::duration<double>(spent[program]).count();
  };
  std::cout << "[ conform  ] " << agreed << " of " << compared << " real-world command lines: nvidia-docker and "
            << docker_name << " agree (docker alone: " << std::fixed << std::setprecision(1) << seconds(docker)
            << " s, through nvidia-docker: " << seconds(client) << " s)\n";
  if (!unknown_to_client.empty()) {
    std::cout << "[ conform  ] " << unknown_to_client.size() << " of " << lines << " lines skipped: "
              << docker_name << " does not know their flag:";
    for (const std::string &flag : std::set<std::string>(unknown_to_client.begin(), unknown_to_client.end()))
      std::cout << " " << flag;
    std::cout << "\n";
  }
  if (!unlike_recording.empty()) {
    std::cout << "[ conform  ] " << unlike_recording.size() << " lines answered otherwise than the recorded docker 28"
              << " (for information: the installed client decides):\n";
    for (const std::string &command : unlike_recording)
      std::cout << "[ conform  ]   " << command << "\n";
  }
  EXPECT_GE(compared, 300 / one_line_in);
  EXPECT_EQ(agreed, compared);
}

// Today's hosts (the NVIDIA container toolkit) and today's images (no labels).
namespace {

const json modern_config = {{"Env", {"PATH=/usr/local/nvidia/bin:/usr/bin", "NVIDIA_VISIBLE_DEVICES=all",
                                     "NVIDIA_DRIVER_CAPABILITIES=compute,utility",
                                     "NVIDIA_REQUIRE_CUDA=cuda>=12.4 brand=tesla,driver>=470,driver<471",
                                     "CUDA_VERSION=12.4.1"}},
                            {"Labels", {{"maintainer", "NVIDIA CORPORATION <cudatools@nvidia.com>"}}}};

bool port_3476_free() {
  Completed probe = run_program({"/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/3476"});
  return probe.status != 0;
}

class ToolkitHost : public EndToEnd {
protected:
  void SetUp() override {
    EndToEnd::SetUp();
    if (IsSkipped() || HasFatalFailure())
      return;
    if (!port_3476_free())
      GTEST_SKIP() << "something listens on localhost:3476: these tests need no plugin there";
    engine->add_image("nvidia/cuda:12.4.1-base-ubuntu22.04", modern_config);
    engine->add_image("nvidia/cuda:8.0", gpu_config);
  }
  // No NV_HOST: the plugin would be on this machine's port 3476, where nothing listens.
  Completed run(std::vector<std::string> args, std::map<std::string, std::optional<std::string>> extra = {}) {
    extra.emplace("NV_HOST", std::nullopt);
    return nvidia_docker(std::move(args), std::move(extra));
  }
};

} // namespace

// What the engine receives for a daemon that offers both CDI devices and the
// nvidia runtime depends on the installed client: from 25.0 on it turns
// --device=nvidia.com/gpu=N into a CDI request; older ones read the name as a
// path and refuse it, so nvidia-docker uses the runtime for them.
TEST_F(ToolkitHost, CdiDevicesWhereTheDockerClientCanSendThem) {
  std::optional<DockerClientVersion> version = docker_client_version(installed_docker_client());
  ASSERT_TRUE(version) << installed_docker_client() << " --version does not say its version";
  engine->set_info({{"Runtimes", {{"runc", json::object()}, {"nvidia", json::object()}}},
                    {"DiscoveredDevices", {{{"Source", "cdi"}, {"ID", "nvidia.com/gpu=0"}},
                                           {{"Source", "cdi"}, {"ID", "nvidia.com/gpu=all"}}}}});
  Completed result = run({"run", "-d", "nvidia/cuda:12.4.1-base-ubuntu22.04", "nvidia-smi"}, {{"NV_GPU", "1"}});
  ASSERT_EQ(result.status, 0) << result.err;
  auto creates = engine->creates();
  ASSERT_EQ(creates.size(), 1u);
  const json &host_config = creates[0]["HostConfig"];
  if (version->major >= 25) {
    const json &requests = host_config["DeviceRequests"];
    ASSERT_EQ(requests.size(), 1u) << host_config.dump();
    EXPECT_EQ(requests[0]["Driver"], "cdi");
    EXPECT_EQ(requests[0]["DeviceIDs"], json({"nvidia.com/gpu=1"}));
  } else {
    EXPECT_EQ(host_config["Runtime"], "nvidia") << "docker " << version->text;
    const json &env = creates[0]["Env"];
    EXPECT_NE(std::find(env.begin(), env.end(), "NVIDIA_VISIBLE_DEVICES=1"), env.end()) << env.dump();
  }
}

// The same with a client that says it is 20.10 (a script around the real
// one), whatever is installed: the runtime, and CDI refused by name.
TEST_F(ToolkitHost, OldDockerClientGetsTheRuntimeInsteadOfCdi) {
  std::string old_docker = dir.file("old-docker");
  {
    std::ofstream script(old_docker);
    script << "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'Docker version 20.10.24+dfsg1, build 297e128'; "
              "exit 0; fi\nexec '"
           << installed_docker_client() << "' \"$@\"\n";
  }
  std::filesystem::permissions(old_docker, std::filesystem::perms::owner_all);
  engine->set_info({{"Runtimes", {{"runc", json::object()}, {"nvidia", json::object()}}},
                    {"DiscoveredDevices", {{{"Source", "cdi"}, {"ID", "nvidia.com/gpu=all"}}}}});
  Completed result = run({"run", "-d", "nvidia/cuda:12.4.1-base-ubuntu22.04"}, {{"NV_DOCKER", old_docker}});
  ASSERT_EQ(result.status, 0) << result.err;
  ASSERT_EQ(engine->creates().size(), 1u);
  EXPECT_EQ(engine->creates()[0]["HostConfig"]["Runtime"], "nvidia");

  Completed chosen = run({"run", "-d", "nvidia/cuda:12.4.1-base-ubuntu22.04"},
                         {{"NV_DOCKER", old_docker}, {"NV_BACKEND", "cdi"}});
  EXPECT_EQ(chosen.status, 1);
  EXPECT_EQ(chosen.err, "nvidia-docker | Error: NV_BACKEND=cdi: docker client 20.10.24+dfsg1 reads "
                        "--device=nvidia.com/gpu=N as a path; CDI devices need docker 25.0 or later: upgrade "
                        "the docker client, or set NV_BACKEND to runtime or gpus\n");
  EXPECT_EQ(engine->creates().size(), 1u);
}

TEST_F(ToolkitHost, NvidiaRuntimeWhenNoCdiDevices) {
  engine->set_info({{"Runtimes", {{"runc", json::object()}, {"nvidia", json::object()}}}});
  Completed result = run({"run", "-d", "nvidia/cuda:12.4.1-base-ubuntu22.04"});
  ASSERT_EQ(result.status, 0) << result.err;
  auto creates = engine->creates();
  ASSERT_EQ(creates.size(), 1u);
  EXPECT_EQ(creates[0]["HostConfig"]["Runtime"], "nvidia");
  const json &env = creates[0]["Env"];
  EXPECT_NE(std::find(env.begin(), env.end(), "NVIDIA_VISIBLE_DEVICES=all"), env.end()) << env.dump();
}

TEST_F(ToolkitHost, LabelledImagesToo) {
  engine->set_info({{"Runtimes", {{"runc", json::object()}, {"nvidia", json::object()}}}});
  Completed result = run({"create", "nvidia/cuda:8.0"}, {{"NV_GPU", "0,1"}});
  ASSERT_EQ(result.status, 0) << result.err;
  auto creates = engine->creates();
  ASSERT_EQ(creates.size(), 1u);
  EXPECT_EQ(creates[0]["HostConfig"]["Runtime"], "nvidia");
  const json &env = creates[0]["Env"];
  EXPECT_NE(std::find(env.begin(), env.end(), "NVIDIA_VISIBLE_DEVICES=0,1"), env.end()) << env.dump();
}

TEST_F(ToolkitHost, GpusWhenAskedFor) {
  Completed all = run({"run", "-d", "nvidia/cuda:12.4.1-base-ubuntu22.04"}, {{"NV_BACKEND", "gpus"}});
  ASSERT_EQ(all.status, 0) << all.err;
  Completed two = run({"run", "-d", "nvidia/cuda:12.4.1-base-ubuntu22.04"}, {{"NV_BACKEND", "gpus"}, {"NV_GPU", "0,2"}});
  ASSERT_EQ(two.status, 0) << two.err;
  auto creates = engine->creates();
  ASSERT_EQ(creates.size(), 2u);
  const json &everything = creates[0]["HostConfig"]["DeviceRequests"][0];
  EXPECT_EQ(everything["Count"], -1);
  EXPECT_EQ(everything["Capabilities"], json({{"gpu"}}));
  const json &listed = creates[1]["HostConfig"]["DeviceRequests"][0];
  EXPECT_EQ(listed["DeviceIDs"], json({"0", "2"}));
}

TEST_F(ToolkitHost, PlainHostSaysWhatWasLookedFor) {
  Completed result = run({"run", "nvidia/cuda:12.4.1-base-ubuntu22.04"});
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.err.rfind("nvidia-docker | Error: no GPU mechanism found: nvidia-docker-plugin at "
                             "http://localhost:3476 (", 0), 0u) << result.err;
  EXPECT_NE(result.err.find("CDI devices nvidia.com/gpu (none known to the docker daemon); the nvidia "
                            "runtime (not registered with the docker daemon)"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("NV_BACKEND=gpus"), std::string::npos);
  EXPECT_TRUE(engine->creates().empty());
}

TEST_F(ToolkitHost, RequirementsAreCheckedWithAPlugin) {
  // The 2-GPU inventory's driver supports CUDA 12.2; the image needs 12.4 (or a 470 driver).
  Completed result = nvidia_docker({"run", "nvidia/cuda:12.4.1-base-ubuntu22.04"});
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.err, "nvidia-docker | Error: unsatisfied condition: cuda>=12.4 (this host's driver "
                        "supports CUDA 12.2)\n");
  Completed disabled = nvidia_docker({"run", "-d", "-e", "NVIDIA_DISABLE_REQUIRE=1",
                                      "nvidia/cuda:12.4.1-base-ubuntu22.04"});
  EXPECT_EQ(disabled.status, 0) << disabled.err;
  ASSERT_EQ(engine->creates().size(), 1u);
  EXPECT_EQ(devices(engine->creates()[0]), all_devices);
}

TEST_F(ToolkitHost, WithoutPluginNvmlGivesTheHostValues) {
  engine->set_info({{"Runtimes", {{"runc", json::object()}, {"nvidia", json::object()}}}});
  // NVML says the driver supports CUDA 12.2; the image needs 12.4.
  Completed refused = run({"run", "nvidia/cuda:12.4.1-base-ubuntu22.04"}, {{"LD_LIBRARY_PATH", NVD_FAKE_NVML_DIR}});
  EXPECT_EQ(refused.status, 1);
  EXPECT_EQ(refused.err, "nvidia-docker | Error: unsatisfied condition: cuda>=12.4 (this host's driver "
                         "supports CUDA 12.2)\n");
  Completed accepted = run({"run", "-d", "nvidia/cuda:12.4.1-base-ubuntu22.04"},
                           {{"LD_LIBRARY_PATH", NVD_FAKE_NVML_DIR}, {"FAKE_NVML_CUDA", "12040"}, {"NV_DEBUG", "1"}});
  EXPECT_EQ(accepted.status, 0) << accepted.err;
  EXPECT_NE(accepted.err.find("host values from NVML"), std::string::npos) << accepted.err;
  EXPECT_EQ(engine->creates().size(), 1u);
}

TEST_F(ToolkitHost, WithoutPluginOrNvmlTheRuntimeChecks) {
  engine->set_info({{"Runtimes", {{"runc", json::object()}, {"nvidia", json::object()}}}});
  Completed result = run({"run", "-d", "nvidia/cuda:12.4.1-base-ubuntu22.04"},
                         {{"LD_LIBRARY_PATH", dir.path()}, {"NV_DEBUG", "1"}});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_NE(result.err.find("requirements not checked here: neither a plugin nor NVML told this host's "
                            "versions; the runtime checks them"), std::string::npos) << result.err;
}
