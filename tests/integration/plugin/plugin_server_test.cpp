// SPDX-License-Identifier: BSD-3-Clause
// The built nvidia-docker-plugin on an ephemeral loopback port, queried with libcurl.
#include "support/http_get.hpp"
#include "support/process.hpp"
#include "support/running_plugin.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <regex>
#include <thread>

using namespace nvd::test;

namespace {

const std::string plugin = NVD_PLUGIN_BINARY;
const std::string two_gpus = NVD_EXAMPLES_DIR "/inventory-2gpu.json";

// The plugin logs its start-up steps before it fails: the error is its last
// line, and the only one that says Error.
std::string error_line(const std::string &err) {
  std::size_t start = err.rfind('\n', err.size() >= 2 ? err.size() - 2 : 0);
  std::string last = start == std::string::npos || err.size() < 2 ? err : err.substr(start + 1);
  std::size_t errors = 0;
  for (std::size_t at = err.find("| Error:"); at != std::string::npos; at = err.find("| Error:", at + 1))
    ++errors;
  return errors == 1 ? last : "(" + std::to_string(errors) + " error lines) " + err;
}

class Plugin : public RunningPlugin {
public:
  explicit Plugin(const std::string &inventory = two_gpus) : RunningPlugin(plugin, inventory) {}
};

} // namespace

TEST(PluginServer, EveryRouteAnswersWithAndWithoutVersionPrefix) {
  Plugin server;
  for (const char *route : {"/gpu/info", "/gpu/info/json", "/gpu/status", "/gpu/status/json",
                            "/docker/cli", "/docker/cli/json", "/mesos/cli"}) {
    for (const std::string prefix : {"", "/v1.0"}) {
      HttpResult result = http_request(server.url(prefix + route));
      EXPECT_EQ(result.status, 200) << prefix << route << ": " << result.error;
      EXPECT_FALSE(result.body.empty()) << prefix << route;
    }
  }
}

TEST(PluginServer, DockerCliJsonSelectsByIndexAndUuidPrefix) {
  Plugin server;
  HttpResult result = http_request(server.url("/docker/cli/json?dev=1+GPU-836c"));
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(result.content_type, "application/json");
  auto body = nlohmann::json::parse(result.body);
  EXPECT_EQ(body["VolumeDriver"], "nvidia-docker");
  EXPECT_EQ(body["Volumes"], nlohmann::json({"nvidia_driver_535.104.05:/usr/local/nvidia:ro"}));
  EXPECT_EQ(body["Devices"], nlohmann::json({"/dev/nvidiactl", "/dev/nvidia-uvm",
                                             "/dev/nvidia-uvm-tools", "/dev/nvidia1",
                                             "/dev/nvidia0"}));
}

TEST(PluginServer, BadSelectionsAnswer400WithTheReason) {
  Plugin server;
  struct Case {
    const char *target, *body;
  } cases[] = {{"/docker/cli?dev=7", "invalid device: 7\n"},
               {"/docker/cli/json?dev=GPU-", "ambiguous device: GPU-\n"},
               {"/v1.0/docker/cli?vol=cuda", "invalid volume: cuda\n"}};
  for (const auto &c : cases) {
    HttpResult result = http_request(server.url(c.target));
    EXPECT_EQ(result.status, 400) << c.target;
    EXPECT_EQ(result.body, c.body);
  }
}

TEST(PluginServer, OtherMethodsAnswer405AndUnknownPaths404) {
  Plugin server;
  for (const char *method : {"POST", "PUT", "DELETE", "PATCH", "HEAD"}) {
    HttpResult result = http_request(server.url("/gpu/info"), method);
    EXPECT_EQ(result.status, 405) << method;
    EXPECT_EQ(result.allow, "GET") << method;
  }
  EXPECT_EQ(http_request(server.url("/gpu/inf")).status, 404);
  EXPECT_EQ(http_request(server.url("/")).status, 404);
}

TEST(PluginServer, EachRequestIsLoggedOnOneLine) {
  Plugin server;
  http_request(server.url("/docker/cli?dev=7"));
  ASSERT_TRUE(server.process().wait_for_stderr("GET /docker/cli?dev=7 400 "));
  std::regex line("[0-9-]+T[0-9:]+Z GET /docker/cli\\?dev=7 400 [0-9]+us\n");
  EXPECT_TRUE(std::regex_search(server.process().stderr_text(), line)) << server.process().stderr_text();
}

TEST(PluginServer, FiftyParallelClientsAreAllAnsweredCorrectly) {
  Plugin server(NVD_EXAMPLES_DIR "/inventory-8gpu.json");
  std::atomic<int> correct{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 50; ++i) {
    clients.emplace_back([&, i] {
      int index = i % 8;
      HttpResult result = http_request(server.url("/docker/cli/json?dev=" + std::to_string(index)));
      if (result.status != 200)
        return;
      auto body = nlohmann::json::parse(result.body);
      if (body["Devices"].back() == "/dev/nvidia" + std::to_string(index))
        ++correct;
    });
  }
  for (auto &client : clients)
    client.join();
  EXPECT_EQ(correct.load(), 50);
}

TEST(PluginServer, SigtermStopsCleanly) {
  Plugin server;
  int port = server.port();
  server.process().signal(SIGTERM);
  EXPECT_EQ(server.process().wait(), 0) << server.process().stderr_text();
  EXPECT_NE(server.process().stderr_text().find("stopping"), std::string::npos);
  HttpResult after = http_request("http://127.0.0.1:" + std::to_string(port) + "/gpu/info");
  EXPECT_EQ(after.status, 0) << "still answering after SIGTERM";
}

TEST(PluginServer, SigintStopsCleanly) {
  Plugin server;
  server.process().signal(SIGINT);
  EXPECT_EQ(server.process().wait(), 0) << server.process().stderr_text();
}

TEST(PluginServer, BusyPortIsReportedClearly) {
  Plugin first;
  Completed second = run_program(
      {plugin, "--inventory", two_gpus, "-l", "127.0.0.1:" + std::to_string(first.port()),
       "-s", first.socket_dir() + "-second", "-d", first.volumes_dir() + "-second"});
  EXPECT_EQ(second.status, 1);
  EXPECT_EQ(error_line(second.err), "nvidia-docker-plugin | Error: cannot listen on 127.0.0.1:" +
                            std::to_string(first.port()) +
                            ": address already in use (is another nvidia-docker-plugin running? "
                            "choose another address with -l)\n");
}

TEST(PluginServer, BadInventoryStopsTheStartWithFieldAndFile) {
  TempDir dir;
  write_file(dir.file("host.json"),
             R"({"Version": {"Driver": "375.26", "CUDA": "8.0"}, "Devices": [{"UUID": "GPU-1"}]})");
  Completed result = run_program({plugin, "--inventory", dir.file("host.json"), "-l", "127.0.0.1:0"});
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(error_line(result.err), "nvidia-docker-plugin | Error: inventory " + dir.file("host.json") +
                            ": /Devices/0/Path: is required\n");
}

TEST(PluginServer, BadListenAddressIsRefused) {
  Completed result = run_program({plugin, "--inventory", two_gpus, "-l", "localhost"});
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(error_line(result.err), "nvidia-docker-plugin | Error: invalid listen address \"localhost\": no "
                        "port (expected HOST:PORT, [IPV6]:PORT or :PORT)\n");
}

TEST(PluginServer, NoNvmlAndNoInventoryIsOneClearError) {
  TempDir driver_root; // no driver installed there
  Completed result = run_program({plugin, "-l", "127.0.0.1:0", "--driver-root", driver_root.path(),
                                  "-s", driver_root.file("plugins"), "-d", driver_root.file("volumes")});
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(error_line(result.err), "nvidia-docker-plugin | Error: NVML not found under the driver root " +
                                        driver_root.path() +
                                        ": is the NVIDIA driver installed? or pass --inventory\n")
      << result.err;
}

TEST(PluginServer, MissingDriverRootIsRefused) {
  Completed result = run_program({plugin, "--driver-root", "/nonexistent/driver"});
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(error_line(result.err).find("--driver-root: Directory does not exist: /nonexistent/driver"),
            std::string::npos)
      << result.err;
}

TEST(PluginServer, VersionAndHelp) {
  Completed version = run_program({plugin, "-v"});
  EXPECT_EQ(version.status, 0);
  EXPECT_EQ(version.out, std::string("nvidia-docker-plugin ") + "1.1.0\n");
  Completed help = run_program({plugin, "--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("-l,--listen"), std::string::npos) << help.out;
}

TEST(PluginServer, UnknownFlagIsAClearError) {
  Completed result = run_program({plugin, "--bogus"});
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.err.rfind("nvidia-docker-plugin | Error: ", 0), 0u) << result.err;
  EXPECT_NE(result.err.find("--bogus"), std::string::npos) << result.err;
}
