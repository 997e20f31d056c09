// SPDX-License-Identifier: BSD-3-Clause
#include "real_engine_world.hpp"

#include "support/http_get.hpp"

#include <gmock/gmock.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace nvd::test {
namespace {

using Clock = std::chrono::steady_clock;

long milliseconds_since(Clock::time_point start) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
}

const char default_driver_version[] = "535.104.05";

// The plugin under test: this build's, or another one (an installed
// package's) named by NVD_REAL_ENGINE_PLUGIN.
std::string plugin_binary() {
  const char *other = std::getenv("NVD_REAL_ENGINE_PLUGIN");
  return other != nullptr && *other != '\0' ? other : NVD_PLUGIN_BINARY;
}

} // namespace

RealEngineWorld &RealEngineWorld::get() {
  static RealEngineWorld world;
  return world;
}

void RealEngineWorld::start() {
  if (auto why = sandbox_unavailable()) {
    m_unavailable = "no real engine: " + *why;
    return;
  }
  if (docker_client().empty()) {
    m_unavailable = "no real engine: no docker client on PATH";
    return;
  }
  Clock::time_point start = Clock::now();
  long engine_ms = 0, images_ms = 0, plugin_ms = 0;
  try {
    m_home = sandbox_dir() + "/home";
    std::filesystem::create_directories(m_home);
    m_dockerd =
        std::make_unique<PrivateDockerd>(sandbox_dir() + "/engine", sandbox_cgroup_parent());
  } catch (const std::exception &error) {
    m_unavailable = std::string("no real engine: ") + error.what();
    return;
  }
  // While dockerd starts: the image tarball, the stand-in driver and the plugin on it.
  std::string tarball = sandbox_dir() + "/busybox.tar";
  try {
    make_busybox_tarball(sandbox_dir() + "/image", tarball);
  } catch (const std::exception &error) {
    m_unavailable = std::string("no test image: ") + error.what();
    return;
  }
  try {
    m_driver = std::make_unique<StandInDriver>(sandbox_dir() + "/driver", default_driver_version,
                                               NVD_STAND_IN_NVML_LIBRARY);
    m_plugin_port = free_loopback_port();
    m_plugin = std::make_unique<SandboxPlugin>(plugin_binary(), default_plugin_setup());
    m_plugin_is_default = true;
  } catch (const std::exception &error) {
    m_plugin_error = std::string("no stand-in driver or plugin: ") + error.what();
  }
  try {
    m_dockerd->wait_until_ready();
    engine_ms = milliseconds_since(start);
    m_dockerd->import_test_images(tarball);
    images_ms = milliseconds_since(start);
  } catch (const std::exception &error) {
    m_unavailable = std::string("the sandbox's dockerd did not start: ") + error.what();
    return;
  }
  if (m_plugin) {
    try {
      m_plugin->wait_until_serving();
      plugin_ms = milliseconds_since(start);
    } catch (const std::exception &error) {
      m_plugin_error = std::string("nvidia-docker-plugin on the stand-in driver: ") + error.what();
    }
  }
  std::fprintf(stderr,
               "real-engine: dockerd answered after %ld ms, images imported after %ld ms, "
               "plugin serving after %ld ms\n",
               engine_ms, images_ms, plugin_ms);
}

void RealEngineWorld::stop() {
  m_plugin.reset();
  m_dockerd.reset();
  kill_everything_else();
}

std::optional<std::string> RealEngineWorld::plugin_problem() {
  if (m_unavailable)
    return m_unavailable;
  if (m_plugin_error)
    return m_plugin_error;
  if (!m_plugin)
    return std::string("no nvidia-docker-plugin is running");
  if (!m_plugin->running())
    return "nvidia-docker-plugin has stopped:\n" + m_plugin->log();
  return std::nullopt;
}

PluginSetup RealEngineWorld::default_plugin_setup() const {
  PluginSetup setup;
  setup.driver_root = m_driver->root();
  setup.volumes_dir = volumes_dir();
  setup.port = m_plugin_port;
  setup.nvml_config = m_driver->nvml_config();
  return setup;
}

void RealEngineWorld::replace_plugin(const PluginSetup &setup) {
  m_plugin.reset();
  m_plugin_is_default = false;
  m_plugin = std::make_unique<SandboxPlugin>(plugin_binary(), setup);
  m_plugin->wait_until_serving();
}

int RealEngineWorld::stop_plugin() {
  int status = m_plugin ? m_plugin->stop() : -1;
  m_plugin_is_default = false;
  return status;
}

void RealEngineWorld::ensure_default_plugin() {
  // A plugin that never started is not retried before every test.
  if (m_unavailable || m_plugin_error || !m_driver)
    return;
  if (m_plugin && m_plugin_is_default && m_plugin->running())
    return;
  replace_plugin(default_plugin_setup());
  m_plugin_is_default = true;
}

void RealEngine::SetUp() {
  if (const auto &why = world().unavailable()) {
    // On CI a real engine is part of the job: not having one is a failure.
    if (std::getenv("CI") != nullptr)
      FAIL() << *why;
    GTEST_SKIP() << *why;
  }
  try {
    world().ensure_default_plugin();
  } catch (const std::exception &) {
    // REQUIRE_PLUGIN() reports it in the tests that need the plugin.
  }
}

EnvironmentChanges RealEngine::client_environment(const EnvironmentChanges &extra) {
  EnvironmentChanges environment = world().dockerd().client_environment();
  environment["NV_HOST"] = "http://127.0.0.1:" + std::to_string(world().plugin_port());
  environment["HOME"] = world().home();
  for (const char *name : {"NV_GPU", "NV_DOCKER", "NV_BACKEND", "NV_DEBUG", "NV_DRY_RUN",
                           "NV_TIMEOUT", "NV_SSH", "NV_USE_LIBCURL"})
    environment[name] = std::nullopt;
  for (const auto &[name, value] : extra)
    environment[name] = value;
  return environment;
}

Completed RealEngine::nvidia_docker(const std::vector<std::string> &args,
                                    const EnvironmentChanges &extra,
                                    std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {NVD_CLIENT_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, client_environment(extra), "", timeout);
}

std::vector<Completed>
RealEngine::nvidia_docker_together(const std::vector<Invocation> &invocations,
                                   std::chrono::milliseconds timeout) {
  std::vector<std::unique_ptr<Process>> processes;
  for (const auto &invocation : invocations) {
    std::vector<std::string> argv = {NVD_CLIENT_BINARY};
    argv.insert(argv.end(), invocation.args.begin(), invocation.args.end());
    processes.push_back(
        std::make_unique<Process>(argv, client_environment(invocation.environment)));
  }
  std::vector<Completed> results;
  auto deadline = Clock::now() + timeout;
  for (auto &process : processes) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    int status = process->wait(left.count() > 0 ? left : std::chrono::milliseconds(0));
    if (status == -1) {
      process->signal(SIGKILL);
      process->wait();
    }
    results.push_back({status, process->stdout_text(),
                       process->stderr_text() + (status == -1 ? "\n[killed after timeout]" : "")});
  }
  return results;
}

Completed RealEngine::docker(const std::vector<std::string> &args,
                             std::chrono::milliseconds timeout) {
  return world().dockerd().docker(args, timeout);
}

std::vector<std::string> RealEngine::driver_volumes() {
  return words_of(docker({"volume", "ls", "--quiet", "--filter", "driver=nvidia-docker"}).out);
}

void RealEngine::expect_plugin_serving() {
  EXPECT_EQ(http_request(world().plugin().base_url() + "/gpu/info/json").status, 200);
  Completed run = nvidia_docker({"run", "--rm", label_image, "nvidia-smi"});
  EXPECT_EQ(run.status, 0) << describe(run);
  EXPECT_THAT(run.out, ::testing::HasSubstr("Driver Version: " + world().driver().version()));
}

std::vector<std::string> lines_of(const std::string &text) {
  std::vector<std::string> lines;
  std::stringstream stream(text);
  for (std::string line; std::getline(stream, line);) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> words_of(const std::string &text) {
  std::vector<std::string> words;
  std::stringstream stream(text);
  for (std::string word; stream >> word;)
    words.push_back(word);
  return words;
}

std::string describe(const Completed &result) {
  return "exit status " + std::to_string(result.status) + "\n--- stdout:\n" + result.out +
         "--- stderr:\n" + result.err;
}

} // namespace nvd::test
