// SPDX-License-Identifier: BSD-3-Clause
// The whole run with every edge replaced: what is asked of docker and the
// plugin, and the exact argv handed to exec.
#include "nvd/client/client_app.hpp"
#include "nvd/common/error.hpp"

#include "support/args.hpp"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

using namespace nvd;
using nvd::test::words;

namespace {

struct World {
  std::map<std::string, ImageConfig> present;
  std::map<std::string, ImageConfig> registry;
  std::vector<std::string> docker_calls; // "prefix…|inspect img", "prefix…|pull img platform quiet"
  std::vector<std::string> plugin_calls;
  std::optional<PluginEndpoint> endpoint;
  std::vector<std::string> exec_argv;
  int exec_calls = 0;
  std::string driver_cuda = "12.2";
  std::vector<FlagSpec> learned;
  bool help_fails = false;
  std::map<std::string, std::string> files; // the docker config folder, by path
  std::optional<std::string> local_socket;   // what the image store was told
  bool plugin_down = false;
  DaemonInfo daemon;
  std::optional<PluginGpuInfo> nvml;
  std::set<std::string> existing_paths; // on this machine's file system
  std::string docker_version = "Docker version 28.2.2, build e6534b4"; // "": cannot be run
  std::vector<std::vector<std::string>> version_asked; // the docker commands asked for --version
  std::optional<std::string> gpu_helper; // set: we are the front, and this is its helper ("": missing)
  int helper_lookups = 0;
  bool plugin_needs_helper = false; // the front's plugin edge cannot ask it (libcurl)
  bool nvml_needs_helper = false;   // the front's NVML edge
};

class FakeImages : public ImageStore {
public:
  FakeImages(World &world, std::vector<std::string> prefix) : m_world(world), m_prefix(std::move(prefix)) {}
  std::optional<ImageConfig> inspect(const std::string &image) override {
    m_world.docker_calls.push_back(join_words(m_prefix) + "|inspect " + image);
    auto it = m_world.present.find(image);
    if (it == m_world.present.end())
      return std::nullopt;
    return it->second;
  }
  void pull(const std::string &image, const std::optional<std::string> &platform, bool quiet) override {
    m_world.docker_calls.push_back(join_words(m_prefix) + "|pull " + image + " " + platform.value_or("-") +
                                   (quiet ? " quiet" : ""));
    auto it = m_world.registry.find(image);
    if (it == m_world.registry.end())
      throw Error("cannot pull image " + image);
    m_world.present[image] = it->second;
  }

  std::string describe() const override { return "fake"; }
  DaemonInfo daemon_info() override {
    m_world.docker_calls.push_back("info");
    return m_world.daemon;
  }

private:
  static std::string join_words(const std::vector<std::string> &words) {
    std::string out;
    for (const auto &word : words)
      out += (out.empty() ? "" : " ") + word;
    return out;
  }
  World &m_world;
  std::vector<std::string> m_prefix;
};

class FakePlugin : public PluginClient {
public:
  explicit FakePlugin(World &world) : m_world(world) {}
  GpuArguments docker_arguments(const std::vector<std::string> &volumes,
                                const std::vector<std::string> &devices) override {
    std::string call = "docker_cli vol=";
    for (const auto &v : volumes)
      call += v + ";";
    call += " dev=";
    for (const auto &d : devices)
      call += d + ";";
    m_world.plugin_calls.push_back(call);
    GpuArguments args;
    args.volume_driver = "nvidia-docker";
    args.volumes = {"nvidia_driver_535.104.05:/usr/local/nvidia:ro"};
    args.devices = {"/dev/nvidiactl", "/dev/nvidia-uvm"};
    if (devices.empty() || devices == std::vector<std::string>{"0"})
      args.devices.push_back("/dev/nvidia0");
    if (devices.empty() || devices == std::vector<std::string>{"1"})
      args.devices.push_back("/dev/nvidia1");
    return args;
  }
  PluginGpuInfo gpu_info() override {
    m_world.plugin_calls.push_back("cuda");
    if (m_world.plugin_down)
      throw ConnectionRefused("http://localhost:3476/gpu/info/json: connection refused (Connection "
                              "refused) - is nvidia-docker-plugin running?");
    PluginGpuInfo info;
    info.driver = *parse_version("535.104.05");
    info.cuda = *parse_version(m_world.driver_cuda);
    info.devices = {{"GPU-aaaa", "tesla", "7.0"}, {"GPU-bbbb", "tesla", "7.0"}};
    return info;
  }

private:
  World &m_world;
};

class FakeFlagSource : public FlagSource {
public:
  explicit FakeFlagSource(World &world) : m_world(world) {}
  std::vector<FlagSpec> container_flags(const std::string &command) override {
    m_world.docker_calls.push_back("help " + command);
    if (m_world.help_fails)
      throw Error("`docker run --help` listed no flags (exit status 1)");
    return m_world.learned;
  }
  std::string provenance() const override { return "fake"; }

private:
  World &m_world;
};

class RecordingExecutor : public Executor {
public:
  explicit RecordingExecutor(World &world) : m_world(world) {}
  int exec(const std::vector<std::string> &argv, const Environment &) override {
    m_world.exec_argv = argv;
    ++m_world.exec_calls;
    return 0;
  }

private:
  World &m_world;
};

struct Outcome {
  int status = 0;
  std::string out, err, error;
};

ImageConfig labels(std::map<std::string, std::string> values) {
  ImageConfig config;
  config.labels = std::move(values);
  return config;
}

const ImageConfig gpu_image = labels({{"com.nvidia.volumes.needed", "nvidia_driver"}});

class ClientApp : public ::testing::Test {
protected:
  Outcome run(const std::vector<std::string> &args, Environment env = {}) {
    RecordingExecutor executor(world);
    StringOutput out, err;
    ClientEdges edges{executor,
                      [this](const std::vector<std::string> &prefix,
                             const std::optional<std::string> &socket) {
                        world.local_socket = socket;
                        return std::make_unique<FakeImages>(world, prefix);
                      },
                      [this](const PluginEndpoint &endpoint,
                             std::chrono::milliseconds) -> std::unique_ptr<PluginClient> {
                        world.endpoint = endpoint;
                        if (world.plugin_needs_helper)
                          throw NeedsGpuHelper{"the plugin is asked through libcurl"};
                        return std::make_unique<FakePlugin>(world);
                      },
                      [this](const std::vector<std::string> &) {
                        return std::make_unique<FakeFlagSource>(world);
                      },
                      [this] {
                        DockerConfigReader reader;
                        reader.read_file = [this](const std::string &path) -> std::optional<std::string> {
                          auto it = world.files.find(path);
                          if (it == world.files.end())
                            return std::nullopt;
                          return it->second;
                        };
                        reader.subfolders = [this](const std::string &path) {
                          std::vector<std::string> names;
                          for (const auto &[file, text] : world.files)
                            if (file.rfind(path + "/", 0) == 0) {
                              std::string rest = file.substr(path.size() + 1);
                              if (rest.find('/') != std::string::npos)
                                names.push_back(rest.substr(0, rest.find('/')));
                            }
                          return names;
                        };
                        return reader;
                      },
                      [this](std::string &why_not) -> std::optional<PluginGpuInfo> {
                        if (world.nvml_needs_helper)
                          throw NeedsGpuHelper{"the host's versions are read from NVML"};
                        if (!world.nvml) {
                          why_not = "NVML (libnvidia-ml.so.1) is not installed here";
                          return std::nullopt;
                        }
                        return world.nvml;
                      },
                      [this](const std::string &path) -> std::optional<std::string> {
                        auto it = world.files.find(path);
                        if (it == world.files.end())
                          return std::nullopt;
                        return it->second;
                      },
                      out, err, gpu_helper(),
                      [this](const std::string &path) { return world.existing_paths.count(path) > 0; },
                      [this](const std::vector<std::string> &command, std::string &why_not) {
                        world.version_asked.push_back(command);
                        if (world.docker_version.empty())
                          why_not = "`docker --version` failed (exit status 127)";
                        return world.docker_version;
                      }};
    Outcome outcome;
    try {
      outcome.status = run_client(args, env, edges);
    } catch (const Error &error) {
      outcome.status = error.exit_code();
      outcome.error = error.what();
    }
    outcome.out = out.str();
    outcome.err = err.str();
    return outcome;
  }

  // The front's: a helper at world.gpu_helper, or one that is missing ("").
  std::function<std::string()> gpu_helper() {
    if (!world.gpu_helper)
      return {};
    return [this] {
      ++world.helper_lookups;
      if (world.gpu_helper->empty())
        throw Error("the GPU helper nvidia-docker-gpu is missing");
      return *world.gpu_helper;
    };
  }
  World world;
};

} // namespace

TEST_F(ClientApp, PassThroughAsksNothing) {
  run(words("ps -a"));
  EXPECT_TRUE(world.docker_calls.empty());
  EXPECT_TRUE(world.plugin_calls.empty());
  EXPECT_FALSE(world.endpoint);
  EXPECT_EQ(world.exec_argv, words("docker ps -a"));
}

TEST_F(ClientApp, PassThroughIgnoresGpuSettingsItDoesNotUse) {
  Outcome outcome = run(words("images"), {{"NV_GPU", ",,"}, {"NV_HOST", "ftp://x"}});
  EXPECT_EQ(outcome.error, "");
  EXPECT_EQ(world.exec_argv, words("docker images"));
}

TEST_F(ClientApp, VersionPrintsBannerThenRunsDocker) {
  Outcome outcome = run(words("version"));
  EXPECT_EQ(outcome.out, "NVIDIA Docker: 1.1.0\n\n");
  EXPECT_EQ(world.exec_argv, words("docker version"));
}

TEST_F(ClientApp, GpuImageGetsDevicesAndVolumeBeforeTheImage) {
  world.present["cuda"] = gpu_image;
  run(words("run --rm cuda nvidia-smi"));
  EXPECT_EQ(world.docker_calls, std::vector<std::string>{"docker|inspect cuda"});
  EXPECT_EQ(world.plugin_calls, (std::vector<std::string>{"cuda", "docker_cli vol=nvidia_driver; dev="}));
  EXPECT_EQ(world.exec_argv,
            words("docker run --rm --volume-driver=nvidia-docker "
                  "--volume=nvidia_driver_535.104.05:/usr/local/nvidia:ro --device=/dev/nvidiactl "
                  "--device=/dev/nvidia-uvm --device=/dev/nvidia0 --device=/dev/nvidia1 cuda nvidia-smi"));
}

TEST_F(ClientApp, NonGpuImageRunsUnchanged) {
  world.present["busybox"] = labels({{"maintainer", "x"}});
  run(words("run -it busybox sh"));
  EXPECT_TRUE(world.plugin_calls.empty());
  EXPECT_EQ(world.exec_argv, words("docker run -it busybox sh"));
}

TEST_F(ClientApp, MissingImageIsPulledThenRead) {
  world.registry["cuda"] = gpu_image;
  run(words("create --platform linux/arm64 -q cuda"));
  EXPECT_EQ(world.docker_calls,
            (std::vector<std::string>{"docker|inspect cuda", "docker|pull cuda linux/arm64 quiet",
                                      "docker|inspect cuda"}));
  EXPECT_EQ(world.exec_calls, 1);
}

TEST_F(ClientApp, PullNeverLeavesTheMissingImageToDocker) {
  world.registry["cuda"] = gpu_image;
  run(words("run --pull never cuda"));
  EXPECT_EQ(world.docker_calls, std::vector<std::string>{"docker|inspect cuda"});
  EXPECT_EQ(world.exec_argv, words("docker run --pull never cuda"));
}

TEST_F(ClientApp, PullAlwaysPullsBeforeReading) {
  world.registry["cuda"] = gpu_image;
  run(words("run --pull=always cuda"));
  EXPECT_EQ(world.docker_calls,
            (std::vector<std::string>{"docker|pull cuda -", "docker|inspect cuda"}));
}

TEST_F(ClientApp, FailedPullIsAnError) {
  Outcome outcome = run(words("run nosuch"));
  EXPECT_EQ(outcome.error, "cannot pull image nosuch");
  EXPECT_EQ(world.exec_calls, 0);
}

TEST_F(ClientApp, ImageIsReadOnTheCommandsDaemon) {
  world.present["cuda"] = gpu_image;
  run(words("-H tcp://gpu1:2376 --tls container run cuda"), {{"NV_DOCKER", "sudo docker"}});
  EXPECT_EQ(world.docker_calls,
            std::vector<std::string>{"sudo docker -H tcp://gpu1:2376 --tls|inspect cuda"});
  ASSERT_TRUE(world.endpoint);
  EXPECT_EQ(world.endpoint->host, "gpu1");
  EXPECT_EQ(world.endpoint->plugin_port, 3476);
  EXPECT_EQ(world.exec_argv.front(), "sudo");
}

TEST_F(ClientApp, NvGpuIsPassedToThePlugin) {
  world.present["cuda"] = gpu_image;
  run(words("run cuda"), {{"NV_GPU", "1"}});
  EXPECT_EQ(world.plugin_calls, (std::vector<std::string>{"cuda", "docker_cli vol=nvidia_driver; dev=1;"}));
  EXPECT_EQ(world.exec_argv.back(), "cuda");
  EXPECT_EQ(world.exec_argv[world.exec_argv.size() - 2], "--device=/dev/nvidia1");
}

TEST_F(ClientApp, CudaTooNewIsRefusedBeforeAnythingRuns) {
  world.present["cuda"] = labels({{"com.nvidia.volumes.needed", "nvidia_driver"},
                                  {"com.nvidia.cuda.version", "12.4"}});
  Outcome outcome = run(words("run cuda"));
  EXPECT_EQ(outcome.error, "unsupported CUDA version: driver 12.2 < image 12.4");
  EXPECT_EQ(world.exec_calls, 0);
}

TEST_F(ClientApp, CudaCheckAsksBeforeTheDevices) {
  world.present["cuda"] = labels({{"com.nvidia.volumes.needed", "nvidia_driver"},
                                  {"com.nvidia.cuda.version", "8.0"}});
  run(words("run cuda"));
  EXPECT_EQ(world.plugin_calls,
            (std::vector<std::string>{"cuda", "docker_cli vol=nvidia_driver; dev="}));
  EXPECT_EQ(world.exec_calls, 1);
}

TEST_F(ClientApp, DryRunPrintsTheQuotedCommand) {
  world.present["cuda"] = gpu_image;
  Outcome outcome = run({"run", "-e", "A=b c", "cuda"}, {{"NV_DRY_RUN", "1"}, {"NV_GPU", "0"}});
  EXPECT_EQ(outcome.out,
            "docker run -e 'A=b c' --volume-driver=nvidia-docker "
            "--volume=nvidia_driver_535.104.05:/usr/local/nvidia:ro --device=/dev/nvidiactl "
            "--device=/dev/nvidia-uvm --device=/dev/nvidia0 cuda\n");
  EXPECT_EQ(world.exec_calls, 0);
}

TEST_F(ClientApp, DebugStatesEachDecision) {
  world.present["cuda"] = gpu_image;
  Outcome outcome = run(words("run cuda"), {{"NV_DEBUG", "1"}});
  EXPECT_NE(outcome.err.find("nvidia-docker | Debug: command: run, image: cuda\n"), std::string::npos)
      << outcome.err;
  EXPECT_NE(outcome.err.find("nvidia-docker | Debug: plugin: http://localhost:3476 (from default)\n"),
            std::string::npos) << outcome.err;
  EXPECT_NE(outcome.err.find("nvidia-docker | Debug: exec: docker run --volume-driver=nvidia-docker"),
            std::string::npos) << outcome.err;
}

TEST_F(ClientApp, UnknownRunFlagIsLearnedFromTheDockerClient) {
  world.present["cuda"] = gpu_image;
  world.learned = {{"frobnicate", 0, true, false}, {"rm", 0, false, false}};
  run(words("run --frobnicate 3 cuda"));
  EXPECT_EQ(world.docker_calls, (std::vector<std::string>{"help run", "docker|inspect cuda"}));
  EXPECT_EQ(world.exec_argv.back(), "cuda");
  EXPECT_EQ(world.exec_argv[3], "3");
}

TEST_F(ClientApp, LearnedBooleanDoesNotTakeTheImage) {
  world.present["cuda"] = gpu_image;
  world.learned = {{"frobnicate", 'F', false, false}};
  run(words("create -itF cuda"));
  EXPECT_EQ(world.docker_calls, (std::vector<std::string>{"help create", "docker|inspect cuda"}));
}

TEST_F(ClientApp, FlagUnknownToDockerTooStopsWithTheFlagNamed) {
  Outcome outcome = run(words("run --frobnicate 3 cuda"));
  EXPECT_EQ(outcome.status, 1);
  EXPECT_EQ(outcome.error, "docker run: unknown flag: --frobnicate (the installed docker client "
                           "does not know it either)");
  EXPECT_EQ(world.docker_calls, std::vector<std::string>{"help run"});
  EXPECT_EQ(world.exec_calls, 0);
}

TEST_F(ClientApp, FlagsThatCannotBeLearnedStop) {
  world.help_fails = true;
  Outcome outcome = run(words("run --frobnicate 3 cuda"));
  EXPECT_EQ(outcome.error, "docker run: unknown flag: --frobnicate (and its flags could not be "
                           "learned from the docker client: `docker run --help` listed no flags "
                           "(exit status 1))");
  EXPECT_EQ(world.exec_calls, 0);
}

TEST_F(ClientApp, UnknownGlobalFlagBeforeRunStops) {
  Outcome outcome = run(words("--frob x run cuda"));
  EXPECT_EQ(outcome.error,
            "docker: unknown flag: --frob (nvidia-docker cannot tell which command follows it)");
  EXPECT_EQ(world.exec_calls, 0);
}

TEST_F(ClientApp, UnknownGlobalFlagWithoutRunPassesThrough) {
  run(words("--frob x ps"));
  EXPECT_EQ(world.exec_argv, words("docker --frob x ps"));
}

TEST_F(ClientApp, HelpPassesThrough) {
  run(words("run --help"));
  EXPECT_TRUE(world.docker_calls.empty());
  EXPECT_EQ(world.exec_argv, words("docker run --help"));
}

TEST_F(ClientApp, NvHostWithoutDockerHostWarns) {
  world.present["cuda"] = gpu_image;
  Outcome outcome = run(words("run cuda"), {{"NV_HOST", "http://gpu1:3476"}});
  EXPECT_EQ(outcome.err,
            "nvidia-docker | Warning: NV_HOST is set but DOCKER_HOST is not: the container runs on "
            "the local docker daemon, with GPUs described by http://gpu1:3476\n");
}

TEST_F(ClientApp, EmptyImageNameIsRefused) {
  Outcome outcome = run({"run", ""});
  EXPECT_EQ(outcome.error, "docker run: the image name is empty");
}

TEST_F(ClientApp, BadGpuSettingsStopTheGpuPath) {
  world.present["cuda"] = gpu_image;
  EXPECT_EQ(run(words("run cuda"), {{"NV_GPU", " , "}}).error,
            "NV_GPU: no device in \" , \" (give GPU indexes or UUIDs separated by commas, e.g. "
            "NV_GPU=0,1, or unset it for all GPUs)");
  EXPECT_EQ(run(words("run cuda"), {{"NV_DOCKER", ""}}).error,
            "NV_DOCKER is set but empty: set it to the docker command (e.g. NV_DOCKER='sudo docker') "
            "or unset it");
  EXPECT_EQ(world.exec_calls, 0);
}

TEST_F(ClientApp, CurrentContextChoosesThePluginHost) {
  world.present["cuda"] = gpu_image;
  world.files["/home/u/.docker/config.json"] = R"({"currentContext":"gpu"})";
  world.files["/home/u/.docker/contexts/meta/abc/meta.json"] =
      R"({"Name":"gpu","Endpoints":{"docker":{"Host":"ssh://me@gpu1"}}})";
  Outcome outcome = run(words("run cuda"), {{"HOME", "/home/u"}, {"NV_DEBUG", "1"}});
  ASSERT_TRUE(world.endpoint) << outcome.error;
  EXPECT_EQ(world.endpoint->transport, PluginEndpoint::Transport::ssh);
  EXPECT_EQ(world.endpoint->host, "gpu1");
  EXPECT_NE(outcome.err.find("(from context gpu)"), std::string::npos) << outcome.err;
}

TEST_F(ClientApp, ContextFlagBeatsDockerHost) {
  world.present["cuda"] = gpu_image;
  world.files["/cfg/contexts/meta/x/meta.json"] =
      R"({"Name":"remote","Endpoints":{"docker":{"Host":"tcp://10.0.0.7:2376"}}})";
  run(words("--config /cfg --context remote run cuda"), {{"DOCKER_HOST", "tcp://10.0.0.1:2375"}});
  ASSERT_TRUE(world.endpoint);
  EXPECT_EQ(world.endpoint->host, "10.0.0.7");
  EXPECT_EQ(world.endpoint->origin, "context remote");
}

TEST_F(ClientApp, DockerHostBeatsDockerContext) {
  world.present["cuda"] = gpu_image;
  run(words("run cuda"), {{"DOCKER_HOST", "tcp://10.0.0.1:2375"}, {"DOCKER_CONTEXT", "gone"}});
  ASSERT_TRUE(world.endpoint);
  EXPECT_EQ(world.endpoint->host, "10.0.0.1");
}

TEST_F(ClientApp, MissingContextIsAnError) {
  world.present["cuda"] = gpu_image;
  Outcome outcome = run(words("run cuda"), {{"DOCKER_CONTEXT", "gone"}, {"DOCKER_CONFIG", "/cfg"}});
  EXPECT_EQ(outcome.error, "docker context \"gone\" does not exist in /cfg/contexts/meta (see `docker context ls`)");
  EXPECT_EQ(world.exec_calls, 0);
}

TEST_F(ClientApp, DefaultContextIsLocal) {
  world.present["cuda"] = gpu_image;
  run(words("run cuda"), {{"DOCKER_CONTEXT", "default"}});
  ASSERT_TRUE(world.endpoint);
  EXPECT_EQ(world.endpoint->base_url(), "http://localhost:3476");
}

TEST_F(ClientApp, HostAndContextTogetherConflict) {
  world.present["cuda"] = gpu_image;
  Outcome outcome = run(words("-H tcp://a:1 -c b run cuda"));
  EXPECT_EQ(outcome.error, "conflicting options: either specify --host or --context, not both");
}

TEST_F(ClientApp, LocalDaemonSocketIsHandedToTheImageStore) {
  world.present["cuda"] = gpu_image;
  run(words("run cuda"));
  EXPECT_EQ(world.local_socket, "/var/run/docker.sock");
  run(words("-H unix:///run/user/1000/docker.sock run cuda"));
  EXPECT_EQ(world.local_socket, "/run/user/1000/docker.sock");
  run(words("run cuda"), {{"DOCKER_HOST", "tcp://gpu1:2376"}});
  EXPECT_EQ(world.local_socket, std::nullopt);
}

TEST(EngineDirect, OnlyForAPlainDockerOnALocalSocket) {
  EXPECT_FALSE(can_read_engine_directly({"sudo", "docker"}, "/dev/null"));
  EXPECT_FALSE(can_read_engine_directly({"docker", "-D"}, "/dev/null"));
  EXPECT_FALSE(can_read_engine_directly({"podman"}, "/dev/null"));
  EXPECT_FALSE(can_read_engine_directly({"docker"}, std::nullopt));
  EXPECT_FALSE(can_read_engine_directly({"docker"}, "/nonexistent.sock"));
  EXPECT_TRUE(can_read_engine_directly({"/usr/bin/docker"}, "/dev/null"));
}

// Today's images: GPUs asked for through the environment, not labels.
namespace {
ImageConfig env_image(std::vector<std::string> env) {
  ImageConfig config;
  config.env = std::move(env);
  return config;
}
} // namespace

TEST_F(ClientApp, RequireCudaImageGetsGpus) {
  world.present["cuda:12"] = env_image({"PATH=/usr/bin", "NVIDIA_REQUIRE_CUDA=cuda>=12.0", "CUDA_VERSION=12.0.1"});
  run(words("run cuda:12"));
  EXPECT_EQ(world.plugin_calls, (std::vector<std::string>{"cuda", "docker_cli vol= dev="}));
  EXPECT_EQ(world.exec_argv.back(), "cuda:12");
}

TEST_F(ClientApp, CudaVersionAloneIsEnough) {
  world.present["img"] = env_image({"CUDA_VERSION=11.8.0"});
  run(words("run img"));
  EXPECT_EQ(world.plugin_calls.size(), 2u);
}

TEST_F(ClientApp, VisibleDevicesVoidIsNotAGpuImage) {
  world.present["img"] = env_image({"NVIDIA_VISIBLE_DEVICES=void"});
  run(words("run img"));
  EXPECT_TRUE(world.plugin_calls.empty());
  EXPECT_EQ(world.exec_argv, words("docker run img"));
}

TEST_F(ClientApp, CommandEnvOverridesTheImage) {
  world.present["img"] = env_image({"NVIDIA_VISIBLE_DEVICES=all"});
  world.files["/tmp/gpu.env"] = "# settings\nOTHER=1\n";
  run({"run", "--env-file", "/tmp/gpu.env", "img"});
  EXPECT_EQ(world.plugin_calls.size(), 2u);
  world.plugin_calls.clear();
  world.files["/tmp/void.env"] = "NVIDIA_VISIBLE_DEVICES=void\n";
  run({"run", "--env-file", "/tmp/void.env", "img"});
  EXPECT_TRUE(world.plugin_calls.empty()) << "--env-file set void";
}

TEST_F(ClientApp, VisibleDevicesNoneGivesTheDriverButNoGpu) {
  world.present["img"] = env_image({"NVIDIA_VISIBLE_DEVICES=none"});
  run(words("run img"));
  EXPECT_EQ(world.exec_argv,
            words("docker run --volume-driver=nvidia-docker --volume=nvidia_driver_535.104.05:/usr/local/nvidia:ro "
                  "--device=/dev/nvidiactl --device=/dev/nvidia-uvm img"));
}

TEST_F(ClientApp, VisibleDevicesListSelectsAndNvGpuWins) {
  world.present["img"] = env_image({"NVIDIA_VISIBLE_DEVICES=1"});
  run(words("run img"));
  EXPECT_EQ(world.plugin_calls.back(), "docker_cli vol= dev=1;");
  run(words("run img"), {{"NV_GPU", "0"}});
  EXPECT_EQ(world.plugin_calls.back(), "docker_cli vol= dev=0;");
}

TEST_F(ClientApp, CommandThatAsksForGpusItselfIsLeftAlone) {
  world.present["img"] = env_image({"CUDA_VERSION=12.4.1"});
  for (const auto &line : {"run --gpus all img", "run --runtime=nvidia img", "run --device nvidia.com/gpu=0 img",
                           "run -e NVIDIA_VISIBLE_DEVICES=0 img"}) {
    Outcome outcome = run(words(line), {{"NV_DEBUG", "1"}});
    EXPECT_TRUE(world.plugin_calls.empty()) << line;
    EXPECT_EQ(world.exec_argv, words(std::string("docker ") + line));
    EXPECT_NE(outcome.err.find("the command asks for GPUs itself"), std::string::npos) << outcome.err;
  }
}

TEST_F(ClientApp, UnmetRequirementNamesConditionAndHostValue) {
  world.present["img"] = env_image({"NVIDIA_REQUIRE_CUDA=cuda>=12.4 brand=tesla,driver>=470,driver<471"});
  Outcome outcome = run(words("run img"));
  EXPECT_EQ(outcome.error, "unsatisfied condition: cuda>=12.4 (this host's driver supports CUDA 12.2)");
  EXPECT_EQ(world.exec_calls, 0);
}

TEST_F(ClientApp, RequirementAlternativeAndDisable) {
  world.present["ok"] = env_image({"NVIDIA_REQUIRE_CUDA=cuda>=12.4 brand=tesla,driver>=535,driver<536"});
  EXPECT_EQ(run(words("run ok")).error, "");
  world.present["geforce"] = env_image({"NVIDIA_REQUIRE_CUDA=cuda>=11.0,brand=geforce"});
  EXPECT_EQ(run(words("run geforce")).error,
            "unsatisfied condition: brand=geforce (a GPU of this host is of brand tesla)");
  EXPECT_EQ(run(words("run -e NVIDIA_DISABLE_REQUIRE=1 geforce")).error, "");
  world.present["bad"] = env_image({"NVIDIA_REQUIRE_CUDA=cuda>>12"});
  EXPECT_EQ(run(words("run bad")).error,
            "NVIDIA_REQUIRE_CUDA: invalid constraint \"cuda>>12\" (expected cuda, driver, arch or brand, "
            "an operator = != < <= > >=, and a value)");
}

TEST_F(ClientApp, WithoutPluginCdiDevicesAreUsed) {
  world.plugin_down = true;
  world.present["img"] = env_image({"CUDA_VERSION=12.4.1", "NVIDIA_REQUIRE_CUDA=cuda>=12.4"});
  world.daemon.cdi_devices = {"nvidia.com/gpu=0", "nvidia.com/gpu=1", "nvidia.com/gpu=all"};
  world.daemon.runtimes = {"runc", "nvidia"};
  Outcome outcome = run(words("run img"), {{"NV_GPU", "0,GPU-bbbb"}, {"NV_DEBUG", "1"}});
  EXPECT_EQ(world.exec_argv, words("docker run --device=nvidia.com/gpu=0 --device=nvidia.com/gpu=GPU-bbbb img"));
  EXPECT_NE(outcome.err.find("requirements not checked here"), std::string::npos) << outcome.err;
}

TEST_F(ClientApp, CdiIsOnlyUsedWhereTheDockerClientCanSendIt) {
  world.plugin_down = true;
  world.present["img"] = env_image({"CUDA_VERSION=12.4.1"});
  world.daemon.cdi_devices = {"nvidia.com/gpu=0", "nvidia.com/gpu=all"};
  world.daemon.runtimes = {"runc", "nvidia"};
  world.docker_version = "Docker version 20.10.24+dfsg1, build 297e128";
  Outcome old_client = run(words("run img"), {{"NV_GPU", "0"}, {"NV_DEBUG", "1"}, {"NV_DOCKER", "sudo docker"}});
  EXPECT_EQ(world.exec_argv, words("sudo docker run --runtime=nvidia --env=NVIDIA_VISIBLE_DEVICES=0 img"));
  EXPECT_EQ(world.version_asked, std::vector<std::vector<std::string>>{words("sudo docker")})
      << "the docker command users run, with its prefix";
  EXPECT_NE(old_client.err.find("CDI devices not used: docker client 20.10.24+dfsg1 reads "
                                "--device=nvidia.com/gpu=N as a path; CDI devices need docker 25.0 or later"),
            std::string::npos)
      << old_client.err;

  world.daemon.runtimes = {"runc"};
  EXPECT_EQ(run(words("run img")).error,
            "no GPU mechanism found: nvidia-docker-plugin at http://localhost:3476 "
            "(http://localhost:3476/gpu/info/json: connection refused (Connection refused) - is "
            "nvidia-docker-plugin running?); CDI devices nvidia.com/gpu (the docker daemon has them, but "
            "the docker client 20.10.24+dfsg1 reads --device=nvidia.com/gpu=N as a path; CDI devices need "
            "docker 25.0 or later); the nvidia runtime (not registered with the docker daemon). Start "
            "nvidia-docker-plugin, install the NVIDIA container toolkit, upgrade the docker client, or set "
            "NV_BACKEND=gpus to use docker's --gpus");
  EXPECT_EQ(run(words("run img"), {{"NV_BACKEND", "cdi"}}).error,
            "NV_BACKEND=cdi: docker client 20.10.24+dfsg1 reads --device=nvidia.com/gpu=N as a path; CDI "
            "devices need docker 25.0 or later: upgrade the docker client, or set NV_BACKEND to runtime or gpus");

  // A client that cannot tell (podman, a script, one that fails) is not second-guessed.
  for (const char *version : {"podman version 4.3.1", "", "Docker version x, build y"}) {
    world.docker_version = version;
    run(words("run img"));
    EXPECT_EQ(world.exec_argv, words("docker run --device=nvidia.com/gpu=all img")) << version;
  }
}

TEST_F(ClientApp, DockerClientVersionIsAskedOnlyForCdi) {
  world.present["cuda"] = gpu_image;
  run(words("run cuda"));
  world.plugin_down = true;
  world.present["img"] = env_image({"CUDA_VERSION=12.4.1"});
  world.daemon.runtimes = {"nvidia"};
  run(words("run img"));
  run(words("run img"), {{"NV_BACKEND", "gpus"}});
  EXPECT_TRUE(world.version_asked.empty()) << world.version_asked.size() << " times";
}

TEST_F(ClientApp, WithoutPluginOrCdiTheNvidiaRuntimeIsUsed) {
  world.plugin_down = true;
  world.present["img"] = env_image({"NVIDIA_VISIBLE_DEVICES=all"});
  world.daemon.runtimes = {"io.containerd.runc.v2", "nvidia", "runc"};
  run(words("run img"));
  EXPECT_EQ(world.exec_argv, words("docker run --runtime=nvidia --env=NVIDIA_VISIBLE_DEVICES=all img"));
}

TEST_F(ClientApp, NoMechanismListsWhatWasLookedFor) {
  world.plugin_down = true;
  world.present["img"] = env_image({"CUDA_VERSION=12.4.1"});
  world.daemon.runtimes = {"runc"};
  Outcome outcome = run(words("run img"));
  EXPECT_EQ(outcome.error,
            "no GPU mechanism found: nvidia-docker-plugin at http://localhost:3476 "
            "(http://localhost:3476/gpu/info/json: connection refused (Connection refused) - is "
            "nvidia-docker-plugin running?); CDI devices nvidia.com/gpu (none known to the docker "
            "daemon); the nvidia runtime (not registered with the docker daemon). Start "
            "nvidia-docker-plugin, install the NVIDIA container toolkit, or set NV_BACKEND=gpus to "
            "use docker's --gpus");
}

TEST_F(ClientApp, ChosenBackends) {
  world.present["img"] = env_image({"CUDA_VERSION=12.4.1"});
  run(words("run img"), {{"NV_BACKEND", "gpus"}, {"NV_GPU", "0,2"}});
  EXPECT_EQ(world.exec_argv, (std::vector<std::string>{"docker", "run", "--gpus=\"device=0,2\"", "img"}));
  run(words("run img"), {{"NV_BACKEND", "gpus"}});
  EXPECT_EQ(world.exec_argv, words("docker run --gpus=all img"));
  run(words("run img"), {{"NV_BACKEND", "runtime"}, {"NV_GPU", "1"}});
  EXPECT_EQ(world.exec_argv, words("docker run --runtime=nvidia --env=NVIDIA_VISIBLE_DEVICES=1 img"));
  run(words("run img"), {{"NV_BACKEND", "cdi"}});
  EXPECT_EQ(world.exec_argv, words("docker run --device=nvidia.com/gpu=all img"));
  EXPECT_TRUE(world.plugin_calls.empty()) << "a chosen backend other than the plugin asks no plugin";
  EXPECT_EQ(run(words("run img"), {{"NV_BACKEND", "podman"}}).error,
            "NV_BACKEND: unknown backend \"podman\" (use auto, plugin, cdi, gpus or runtime)");
}

TEST_F(ClientApp, PluginBackendChosenKeepsThePluginsError) {
  world.plugin_down = true;
  world.present["cuda"] = gpu_image;
  EXPECT_EQ(run(words("run cuda"), {{"NV_BACKEND", "plugin"}}).error,
            "http://localhost:3476/gpu/info/json: connection refused (Connection refused) - is "
            "nvidia-docker-plugin running?");
}

TEST_F(ClientApp, PluginNamedByNvHostIsNotReplaced) {
  world.plugin_down = true;
  world.present["img"] = env_image({"CUDA_VERSION=12.4.1"});
  world.daemon.runtimes = {"nvidia"};
  Outcome outcome = run(words("run img"), {{"NV_HOST", "http://gpu1:3476"}, {"DOCKER_HOST", "tcp://gpu1:2376"}});
  EXPECT_EQ(outcome.error.rfind("http://localhost:3476/gpu/info/json: connection refused", 0), 0u) << outcome.error;
  EXPECT_EQ(world.exec_calls, 0);
}

TEST_F(ClientApp, WithoutPluginNvmlGivesTheHostValuesOnThisMachine) {
  world.plugin_down = true;
  world.present["img"] = env_image({"NVIDIA_REQUIRE_CUDA=cuda>=12.4"});
  world.daemon.runtimes = {"nvidia"};
  PluginGpuInfo host;
  host.driver = *parse_version("550.54.15");
  host.cuda = *parse_version("12.2");
  host.devices = {{"GPU-aaaa", "nvidia", "9.0"}};
  world.nvml = host;
  EXPECT_EQ(run(words("run img")).error, "unsatisfied condition: cuda>=12.4 (this host's driver supports CUDA 12.2)");
  // A remote daemon: NVML here says nothing about it.
  Outcome remote = run(words("run img"), {{"DOCKER_HOST", "tcp://gpu1:2376"}, {"NV_DEBUG", "1"}});
  EXPECT_EQ(remote.error.rfind("no GPU mechanism", 0), std::string::npos) << remote.error;
}

TEST_F(ClientApp, FrontDoesTheGpuPathOfThisMachineItself) {
  world.gpu_helper = "/usr/lib/nvidia-docker/nvidia-docker-gpu";
  world.present["cuda"] = gpu_image;
  Outcome outcome = run(words("-D container run --rm cuda"));
  EXPECT_EQ(outcome.status, 0) << outcome.error;
  EXPECT_EQ(world.exec_argv[0], "docker");
  EXPECT_EQ(world.plugin_calls.size(), 2u);
  run(words("ps -a"));
  EXPECT_EQ(world.exec_argv, words("docker ps -a"));
  EXPECT_EQ(world.helper_lookups, 0);
}

TEST_F(ClientApp, FrontHandsOverWhatNeedsTheHelperUnchanged) {
  world.gpu_helper = "/usr/lib/nvidia-docker/nvidia-docker-gpu";
  world.present["cuda"] = gpu_image;
  world.plugin_needs_helper = true;
  Outcome remote = run(words("-D container run --rm cuda"), {{"NV_HOST", "http://gpu1:3476"}, {"NV_DEBUG", "1"}});
  EXPECT_EQ(world.exec_argv, words("/usr/lib/nvidia-docker/nvidia-docker-gpu -D container run --rm cuda"));
  EXPECT_EQ(world.helper_lookups, 1);
  EXPECT_NE(remote.err.find("Debug: the plugin is asked through libcurl (another host, or NV_USE_LIBCURL): "
                            "handing the command over to /usr/lib/nvidia-docker/nvidia-docker-gpu\n"),
            std::string::npos)
      << remote.err;
  EXPECT_TRUE(world.docker_calls.empty()) << "known before the image is read: it is read once, by the helper";
  EXPECT_EQ(remote.err.find("Warning"), std::string::npos) << "the helper warns, not the front too: " << remote.err;

  // The plugin edge itself says so (whatever the endpoint): over all the same.
  run(words("run cuda"));
  EXPECT_EQ(world.exec_argv, words("/usr/lib/nvidia-docker/nvidia-docker-gpu run cuda"));
  EXPECT_EQ(world.helper_lookups, 2);
  // A chosen backend other than the plugin's needs no plugin: done here.
  run(words("run cuda"), {{"NV_HOST", "http://gpu1:3476"}, {"NV_BACKEND", "runtime"}});
  EXPECT_EQ(world.exec_argv, words("docker run --runtime=nvidia --env=NVIDIA_VISIBLE_DEVICES=all cuda"));

  world.plugin_needs_helper = false;
  world.plugin_down = true;
  world.nvml_needs_helper = true;
  world.present["img"] = env_image({"NVIDIA_REQUIRE_CUDA=cuda>=12.4"});
  world.daemon.runtimes = {"nvidia"};
  run(words("create img"));
  EXPECT_EQ(world.exec_argv, words("/usr/lib/nvidia-docker/nvidia-docker-gpu create img"));
  EXPECT_EQ(world.helper_lookups, 3);
}

TEST_F(ClientApp, FrontLeavesUnreadableSettingsToTheStepThatReadsThem) {
  world.gpu_helper = "/usr/lib/nvidia-docker/nvidia-docker-gpu";
  world.present["busybox"] = labels({});
  for (const Environment &env : {Environment{{"NV_BACKEND", "bogus"}}, Environment{{"NV_HOST", "ftp://x"}}}) {
    Outcome outcome = run(words("run --rm busybox true"), env);
    EXPECT_EQ(outcome.error, "") << env.begin()->first;
    EXPECT_EQ(world.exec_argv, words("docker run --rm busybox true"));
  }
  EXPECT_EQ(world.helper_lookups, 0);
  world.present["cuda"] = gpu_image;
  EXPECT_EQ(run(words("run cuda"), {{"NV_BACKEND", "bogus"}}).error,
            "NV_BACKEND: unknown backend \"bogus\" (use auto, plugin, cdi, gpus or runtime)");
}

TEST_F(ClientApp, FrontHandsOverBeforeAnythingItWouldRepeat) {
  world.gpu_helper = "/usr/lib/nvidia-docker/nvidia-docker-gpu";
  world.present["cuda"] = gpu_image;
  world.registry["cuda"] = gpu_image;
  run(words("run --pull always cuda"));
  EXPECT_EQ(world.exec_argv, words("/usr/lib/nvidia-docker/nvidia-docker-gpu run --pull always cuda"));
  EXPECT_TRUE(world.docker_calls.empty()) << "the helper pulls, once";
  // NVML is needed: over before the daemon is asked what it offers.
  world.plugin_down = true;
  world.nvml_needs_helper = true;
  world.present["img"] = env_image({"NVIDIA_REQUIRE_CUDA=cuda>=12.4"});
  world.daemon.runtimes = {"nvidia"};
  world.docker_calls.clear();
  run(words("run img"));
  EXPECT_EQ(world.exec_argv, words("/usr/lib/nvidia-docker/nvidia-docker-gpu run img"));
  EXPECT_EQ(std::count(world.docker_calls.begin(), world.docker_calls.end(), "info"), 0);
  EXPECT_TRUE(world.version_asked.empty());
}

TEST_F(ClientApp, MissingHelperOnlyStopsWhatNeedsIt) {
  world.gpu_helper = "";
  world.present["cuda"] = gpu_image;
  run(words("images"));
  EXPECT_EQ(world.exec_argv, words("docker images"));
  EXPECT_EQ(run(words("run cuda")).error, "");
  world.plugin_needs_helper = true;
  EXPECT_EQ(run(words("run cuda")).error, "the GPU helper nvidia-docker-gpu is missing");
}

TEST_F(ClientApp, HelperNeverHandsOver) {
  world.present["cuda"] = gpu_image;
  world.plugin_needs_helper = true;
  EXPECT_EQ(run(words("run cuda")).error,
            "the plugin is asked through libcurl, which this program cannot do: reinstall nvidia-docker");
  EXPECT_EQ(world.exec_calls, 0);
}

TEST_F(ClientApp, ContextWithoutDockerEndpointIsAnError) {
  world.present["cuda"] = gpu_image;
  world.files["/cfg/contexts/meta/x/meta.json"] = R"({"Name":"broken","Endpoints":{}})";
  world.files["/cfg/contexts/meta/y/meta.json"] = "not json";
  Outcome outcome = run(words("--config /cfg -c broken run cuda"));
  EXPECT_EQ(outcome.error, "docker context broken (/cfg/contexts/meta/x/meta.json) has no docker endpoint");
  EXPECT_EQ(world.exec_calls, 0);
}

TEST_F(ClientApp, MissingVolumePluginSocketOfALocalDaemonIsWarnedAbout) {
  world.present["cuda"] = gpu_image;
  world.existing_paths = {"/run/docker/plugins"};
  Outcome outcome = run(words("run cuda"));
  EXPECT_EQ(outcome.status, 0) << outcome.error;
  EXPECT_EQ(world.exec_calls, 1); // a warning: the command still runs
  EXPECT_NE(outcome.err.find("nvidia-docker | Warning: the nvidia-docker volume driver may be unavailable "
                             "to the docker daemon: /run/docker/plugins/nvidia-docker.sock is missing"),
            std::string::npos)
      << outcome.err;
}

TEST_F(ClientApp, VolumePluginFoundBySocketOrSpecFileIsNotWarnedAbout) {
  world.present["cuda"] = gpu_image;
  for (const char *where : {"/run/docker/plugins/nvidia-docker.sock",
                            "/run/docker/plugins/nvidia-docker/nvidia-docker.sock",
                            "/etc/docker/plugins/nvidia-docker.spec", "/usr/lib/docker/plugins/nvidia-docker.json"}) {
    world.existing_paths = {"/run/docker/plugins", where};
    Outcome outcome = run(words("run cuda"));
    EXPECT_EQ(outcome.err.find("Warning"), std::string::npos) << where << ": " << outcome.err;
  }
}

TEST_F(ClientApp, VolumePluginIsNotCheckedWhereDockersPluginFolderIsNotVisible) {
  world.present["cuda"] = gpu_image; // e.g. a client in a container given only docker.sock
  Outcome outcome = run(words("run cuda"));
  EXPECT_EQ(outcome.err.find("Warning"), std::string::npos) << outcome.err;
}

TEST_F(ClientApp, VolumePluginOfARemoteDaemonIsNotChecked) {
  world.present["cuda"] = gpu_image;
  world.existing_paths = {"/run/docker/plugins"};
  Outcome outcome = run(words("-H tcp://gpu1:2376 run cuda"));
  EXPECT_EQ(outcome.err.find("Warning"), std::string::npos) << outcome.err;
}

namespace {

std::function<std::optional<std::string>(const char *)> variables(Environment env) {
  return [env](const char *name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

} // namespace

// The early pass-through takes only what run_client would pass through as it
// is, and gives docker the same command line.
TEST_F(ClientApp, PlainPassThroughAgreesWithTheWholeRun) {
  const std::vector<std::string> passed = {"ps -a", "image ls", "-H tcp://gpu1:2376 ps", "--context x info",
                                           "-D logs -f job", "", "--help", "container ls", "container",
                                           "run2 x", "builder prune --filter until=24h",
                                           "exec -it job nvidia-smi", "logs run", "rm -f create version",
                                           "--frob ps", "-H", "-H run", "--context create ps"};
  for (const Environment &env : {Environment{}, Environment{{"NV_DOCKER", "sudo docker --log-level error"}},
                                 Environment{{"PATH", "/opt/bin"}, {"NV_GPU", "1"}}}) {
    for (const std::string &line : passed) {
      std::optional<PlainPassThrough> plain = plain_pass_through(words(line), variables(env));
      ASSERT_TRUE(plain) << line;
      run(words(line), env);
      EXPECT_EQ(plain->argv, world.exec_argv) << line;
      for (const auto &[name, value] : plain->lookup)
        EXPECT_TRUE(name == "PATH" || name == "NV_DOCKER") << name;
      EXPECT_EQ(plain->lookup.count("NV_DOCKER"), env.count("NV_DOCKER"));
    }
  }
  // What run_client must see: run and create (with help too), version (its
  // banner), lines it cannot read, and the debug and dry-run switches.
  for (const char *line : {"run cuda", "create cuda", "container run cuda", "-H x container create cuda",
                           "run --help", "version", "--frob run cuda", "--frob create", "-H x run cuda"})
    EXPECT_FALSE(plain_pass_through(words(line), variables({}))) << line;
  for (const char *name : {"NV_DEBUG", "NV_DRY_RUN"})
    EXPECT_FALSE(plain_pass_through(words("ps"), variables({{name, "0"}}))) << name;
}
