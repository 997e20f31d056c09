// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// What the real-engine tests of one binary share: the sandbox (entered in
// main.cpp), one private dockerd with the test images, the stand-in driver
// and nvidia-docker-plugin on it. Each test talks to them through the real
// nvidia-docker binary and the real docker client.

#include "support/real_engine.hpp"
#include "support/real_engine_plugin.hpp"
#include "support/real_engine_sandbox.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nvd::test {

class RealEngineWorld {
public:
  static RealEngineWorld &get();

  // Sets everything up; what fails is kept as the reason the tests give.
  void start();
  // Stops the plugin, removes the containers, stops dockerd and ends every
  // process left in the sandbox.
  void stop();

  // Why there is no engine (no sandbox, no dockerd, ...), or nullopt.
  const std::optional<std::string> &unavailable() const { return m_unavailable; }
  // Why the default plugin is not serving, or nullopt.
  std::optional<std::string> plugin_problem();

  PrivateDockerd &dockerd() { return *m_dockerd; }
  StandInDriver &driver() { return *m_driver; }
  SandboxPlugin &plugin() { return *m_plugin; }
  const std::string &home() const { return m_home; }
  std::string volumes_dir() const { return sandbox_dir() + "/volumes"; }
  int plugin_port() const { return m_plugin_port; }

  // The default plugin's setup (the stand-in driver, volumes_dir(), the
  // sandbox's /run/docker/plugins, plugin_port()).
  PluginSetup default_plugin_setup() const;
  // Stops the plugin that is serving, if any, and starts one with `setup`;
  // throws with its log when it does not serve.
  void replace_plugin(const PluginSetup &setup);
  // Stops the plugin (the REST API and the volume socket go away).
  int stop_plugin();
  // Starts the default plugin again when it is not the one serving.
  void ensure_default_plugin();

private:
  std::optional<std::string> m_unavailable;
  std::optional<std::string> m_plugin_error;
  std::unique_ptr<PrivateDockerd> m_dockerd;
  std::unique_ptr<StandInDriver> m_driver;
  std::unique_ptr<SandboxPlugin> m_plugin;
  bool m_plugin_is_default = false;
  std::string m_home;
  int m_plugin_port = 0;
};

// One nvidia-docker command of several run at once.
struct Invocation {
  std::vector<std::string> args;
  EnvironmentChanges environment;
};

// The fixture of every real-engine test (names RealEngine.*).
class RealEngine : public ::testing::Test {
protected:
  void SetUp() override;

  RealEngineWorld &world() { return RealEngineWorld::get(); }
  // The environment of nvidia-docker: this engine (DOCKER_HOST), this plugin
  // (NV_HOST), a HOME and docker config of the sandbox's own, none of the
  // caller's NV_* settings; then `extra`.
  EnvironmentChanges client_environment(const EnvironmentChanges &extra = {});
  Completed nvidia_docker(const std::vector<std::string> &args,
                          const EnvironmentChanges &extra = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));
  // Several nvidia-docker commands started together; their results in order.
  std::vector<Completed>
  nvidia_docker_together(const std::vector<Invocation> &invocations,
                         std::chrono::milliseconds timeout = std::chrono::seconds(90));
  // The plain docker client on this engine.
  Completed docker(const std::vector<std::string> &args,
                   std::chrono::milliseconds timeout = std::chrono::seconds(60));
  // The driver volume of the stand-in driver's current version, and its
  // folder on the host (1.0's layout) under the default volumes folder.
  std::string volume_name() { return "nvidia_driver_" + world().driver().version(); }
  std::string volume_folder() {
    return world().volumes_dir() + "/nvidia_driver/" + world().driver().version();
  }
  // The volumes dockerd has from the nvidia-docker driver.
  std::vector<std::string> driver_volumes();
  // After a refusal or a restart: the plugin answers its REST API and a GPU
  // container runs nvidia-smi from the driver volume.
  void expect_plugin_serving();
};

// For a test that needs the plugin serving: fails (never skips) with the
// plugin's log when it is not.
#define REQUIRE_PLUGIN()                                                                           \
  do {                                                                                             \
    if (auto problem = world().plugin_problem())                                                   \
      FAIL() << *problem;                                                                          \
  } while (false)

// Helpers for what the tests read back.
std::vector<std::string> lines_of(const std::string &text);
std::vector<std::string> words_of(const std::string &text);
// A command's result for a failure message: status, stdout and stderr.
std::string describe(const Completed &result);

} // namespace nvd::test
