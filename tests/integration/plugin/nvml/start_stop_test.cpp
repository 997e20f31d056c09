// SPDX-License-Identifier: BSD-3-Clause
// Starting and stopping the built plugin on a stand-in host: the socket's
// life, one instance per socket folder, and the one clear error of each host
// it cannot serve.
#include "plugin_on_stand_ins.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <sys/stat.h>

using namespace nvd::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

bool is_socket(const std::string &path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0 && S_ISSOCK(info.st_mode);
}

} // namespace

TEST(PluginOnStandIns, SigtermAndSigintStopBothServersRemoveTheSocketAndExitZero) {
  NVD_REQUIRE_STAND_IN_HOST();
  auto host = stand_in_host(1);
  for (int signal_number : {SIGTERM, SIGINT}) {
    auto plugin = host->start();
    const std::string socket = plugin->socket_path();
    ASSERT_TRUE(is_socket(socket));
    struct stat folder {};
    ASSERT_EQ(::stat(host->socket_dir().c_str(), &folder), 0);
    EXPECT_EQ(folder.st_mode & 0777, 0700u);
    plugin->process().signal(signal_number);
    EXPECT_EQ(plugin->process().wait(std::chrono::seconds(5)), 0)
        << plugin->process().stderr_text();
    EXPECT_FALSE(fs::exists(socket)) << strsignal(signal_number);
    std::string log = plugin->process().stderr_text();
    EXPECT_NE(log.find("stopping\n"), std::string::npos) << log;
    EXPECT_NE(log.find("nvidia-docker-plugin: stopped\n"), std::string::npos) << log;
    EXPECT_EQ(http_request(plugin->url("/gpu/info")).status, 0);
  }
}

TEST(PluginOnStandIns, StartLogsOneLinePerStep) {
  NVD_REQUIRE_STAND_IN_HOST();
  auto host = stand_in_host(2);
  auto plugin = host->start();
  std::string log = plugin->process().stderr_text();
  std::size_t at = 0;
  for (const std::string &step : std::vector<std::string>{
           "driver root " + host->driver_root(), "loading NVML from " + host->driver().lib64_dir,
           "2 GPU(s) found (driver 535.104.05, CUDA 12.2)",
           "provisioning volumes at " + host->volumes_dir(), "built nvidia_driver_535.104.05 at ",
           "serving the volume plugin API at " + plugin->socket_path(),
           "serving the REST API at 127.0.0.1:" + std::to_string(plugin->port())}) {
    std::size_t found = log.find(step, at);
    EXPECT_NE(found, std::string::npos) << "not in order: " << step << "\n" << log;
    if (found != std::string::npos)
      at = found;
  }
}

TEST(PluginOnStandIns, AStaleSocketOfAKilledPluginIsReplacedAtRestart) {
  NVD_REQUIRE_STAND_IN_HOST();
  auto host = stand_in_host(1);
  auto killed = host->start();
  killed->process().signal(SIGKILL);
  EXPECT_EQ(killed->process().wait(), 128 + SIGKILL);
  ASSERT_TRUE(is_socket(host->socket_path())); // left behind
  auto restarted = host->start();
  ApiAnswer activate = api(host->socket_path(), "Plugin.Activate", std::string());
  EXPECT_EQ(activate.body, json({{"Implements", {"VolumeDriver"}}})) << activate.error;
}

TEST(PluginOnStandIns, ASecondPluginOnTheSameFoldersIsRefusedClearly) {
  NVD_REQUIRE_STAND_IN_HOST();
  auto host = stand_in_host(1);
  auto first = host->start();
  // Refused at the volumes folder, before it could take the first one's
  // builds in progress for leftovers.
  Completed second = host->run_to_exit();
  EXPECT_EQ(second.status, 1) << second.err;
  EXPECT_EQ(error_line(second.err),
            "nvidia-docker-plugin | Error: another nvidia-docker-plugin uses the volumes folder " +
                host->volumes_dir() + ": stop it, or give this one another -d");
  // The first one is unharmed: its socket is still there and answers.
  EXPECT_EQ(api(host->socket_path(), "Plugin.Activate", std::string()).status, 200);
  EXPECT_EQ(api(host->socket_path(), "VolumeDriver.Mount",
                json{{"Name", host->volume_name()}, {"ID", "x"}})
                .err(),
            "");
}

TEST(PluginOnStandIns, NoNvmlUnderTheDriverRootIsTheOneError) {
  NVD_REQUIRE_STAND_IN_HOST();
  StandInHostOptions options;
  options.empty_driver_root = true;
  auto host = stand_in_host(1, options);
  Completed run = host->run_to_exit();
  EXPECT_EQ(run.status, 1) << run.err;
  std::string line = error_line(run.err);
  EXPECT_EQ(line.rfind("nvidia-docker-plugin | Error: ", 0), 0u) << line;
  EXPECT_NE(line.find("NVML"), std::string::npos) << line;
  EXPECT_NE(line.find(host->driver_root()), std::string::npos) << line;
  EXPECT_NE(line.find("is the NVIDIA driver installed?"), std::string::npos) << line;
  EXPECT_NE(line.find("--inventory"), std::string::npos) << line;
  EXPECT_FALSE(fs::exists(host->socket_path()));
}

TEST(PluginOnStandIns, AnNvmlWithoutARequiredEntryPointIsAnErrorNamingIt) {
  NVD_REQUIRE_STAND_IN_HOST();
  StandInHostOptions options;
  options.nvml = StandInNvml::incomplete;
  auto host = stand_in_host(1, options);
  Completed run = host->run_to_exit();
  EXPECT_EQ(run.status, 1) << run.err;
  std::string line = error_line(run.err);
  EXPECT_NE(line.find("nvmlDeviceGetMinorNumber"), std::string::npos) << line;
  EXPECT_NE(line.find(host->driver().lib64_dir + "/libnvidia-ml.so.535.104.05"), std::string::npos)
      << line;
}

TEST(PluginOnStandIns, AMissingUvmNodeWithoutNvidiaModprobeIsAClearError) {
  NVD_REQUIRE_STAND_IN_HOST();
  StandInHostOptions options;
  options.uvm = false;
  auto host = stand_in_host(1, options);
  Completed run = host->run_to_exit();
  EXPECT_EQ(run.status, 1) << run.err;
  EXPECT_EQ(error_line(run.err),
            "nvidia-docker-plugin | Error: /dev/nvidia-uvm is missing and nvidia-modprobe is not "
            "installed (looked on PATH and in the driver root's bin folders): load the module "
            "with `modprobe nvidia-uvm`, or install nvidia-modprobe, then start the plugin again");
}

TEST(PluginOnStandIns, NvidiaModprobeOnPathMakesTheUvmNodeAndThePluginStarts) {
  NVD_REQUIRE_STAND_IN_HOST();
  StandInHostOptions options;
  options.uvm = false;
  auto host = stand_in_host(1, options);
  const std::string called = host->bin_dir() + "/modprobe-called";
  // As the real one does with -u: loads nvidia-uvm and makes its node.
  write_file(host->bin_dir() + "/nvidia-modprobe",
             "#!/bin/sh\necho \"$@\" > " + called + "\nexec mknod -m 666 /dev/nvidia-uvm c 235 0\n",
             true);
  auto plugin = host->start();
  EXPECT_EQ(read_file(called), "-u -c=0\n");
  EXPECT_TRUE(host->has_node("nvidia-uvm"));
  EXPECT_NE(plugin->process().stderr_text().find("loading NVIDIA unified memory (" +
                                                 host->bin_dir() + "/nvidia-modprobe -u -c=0)"),
            std::string::npos)
      << plugin->process().stderr_text();
  EXPECT_EQ(get_json(*plugin, "/docker/cli/json")["Devices"],
            json({"/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia3"}));
}

TEST(PluginOnStandIns, NvidiaModprobeThatLeavesUvmMissingIsAClearError) {
  NVD_REQUIRE_STAND_IN_HOST();
  StandInHostOptions options;
  options.uvm = false;
  auto host = stand_in_host(1, options);
  write_file(host->bin_dir() + "/nvidia-modprobe",
             "#!/bin/sh\necho 'modprobe: FATAL: Module nvidia-uvm not found' >&2\nexit 1\n", true);
  Completed run = host->run_to_exit();
  EXPECT_EQ(run.status, 1) << run.err;
  EXPECT_EQ(error_line(run.err),
            "nvidia-docker-plugin | Error: /dev/nvidia-uvm is still missing after " +
                host->bin_dir() +
                "/nvidia-modprobe -u -c=0 (exit 1: modprobe: FATAL: Module nvidia-uvm not found): "
                "is the nvidia-uvm kernel module installed for this kernel?");
}
