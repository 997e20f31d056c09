// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// A GPU host made of stand-ins, for running the real nvidia-docker-plugin
// binary without a GPU: a driver tree (driver_tree.hpp) with the stand-in
// NVML installed as its libnvidia-ml, the NVML config that NVML answers from,
// and a /dev of its own. Each plugin runs in a mount namespace of its own
// (`unshare -m`) in which a folder of the test is mounted over /dev: the
// plugin sees only the stand-in nodes, the test adds or removes them while it
// runs, and nothing of the host's /dev or mounts changes. The namespace ends
// with the plugin, however it ends. Needs root.

#include "support/driver_tree.hpp"
#include "support/process.hpp"
#include "support/running_plugin.hpp"
#include "support/temp_dir.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nvd::test {

// Why a stand-in host cannot run here (not root, no unshare, mount
// namespaces refused), or nullopt when it can. Tried once per test program.
std::optional<std::string> stand_in_host_unavailable();

// Skips the test when a stand-in host cannot run here, with the reason in
// one line; under CI (CI set) that is a failure instead, so that a CI job
// never passes without having run these tests.
#define NVD_REQUIRE_STAND_IN_HOST()                                                                \
  do {                                                                                             \
    if (auto why_not = ::nvd::test::stand_in_host_unavailable()) {                                 \
      if (std::getenv("CI") != nullptr)                                                            \
        FAIL() << "stand-in host unavailable under CI: " << *why_not;                              \
      GTEST_SKIP() << "stand-in host unavailable: " << *why_not;                                   \
    }                                                                                              \
  } while (false)

// The stand-in NVML builds (tests/tools/nvml): which libnvidia-ml the driver tree gets.
enum class StandInNvml {
  full,       // every entry point the plugin uses
  minimal,    // only the required ones
  incomplete, // lacking nvmlDeviceGetMinorNumber and nvmlDeviceGetPciInfo_v2
};

struct StandInHostOptions {
  // The driver tree; its nvml_library is set from `nvml`.
  DriverTreeOptions driver;
  StandInNvml nvml = StandInNvml::full;
  // No driver at all: the driver root is an empty folder.
  bool empty_driver_root = false;
  // The nodes made in /dev besides /dev/nvidia<minor> of each GPU in the config.
  bool nvidiactl = true;
  bool uvm = true;
  bool uvm_tools = false;
};

// What one start of the plugin may add to the host's usual command.
struct PluginStart {
  std::vector<std::string> args; // after the plugin's binary and the host's own options
  // Environment changes over the host's (NVD_STAND_IN_NVML, PATH); nullopt removes.
  std::map<std::string, std::optional<std::string>> environment;
  // Absolute folders mounted as an empty tmpfs in the plugin's namespace (a
  // second file system). The test reaches them through plugin_view().
  std::vector<std::string> tmpfs;
};

class StandInHost {
public:
  // `plugin_binary`: the built nvidia-docker-plugin. `nvml_config`: what the
  // stand-in NVML answers (tests/tools/nvml/README.md); a node
  // /dev/nvidia<Minor> is made for each of its devices. Throws nvd::Error
  // when the driver tree cannot be made.
  StandInHost(std::string plugin_binary, const nlohmann::json &nvml_config,
              StandInHostOptions options = {});

  const std::string &plugin_binary() const { return m_plugin; }
  const DriverTree &driver() const { return m_driver; }
  const std::string &driver_root() const { return m_driver_root; }
  const std::string &driver_version() const { return m_driver.options.version; }

  // The config file NVML reads; replaced by a rename so that NVML never reads half of it.
  const std::string &nvml_config_path() const { return m_config_path; }
  const nlohmann::json &nvml_config() const { return m_config; }
  void set_nvml_config(const nlohmann::json &config);

  // Installs another driver version over the tree, as an installer does
  // (upgrade_driver_tree), with the same stand-in NVML.
  const DriverTree &upgrade_driver(const std::string &version);

  // The folder mounted as the plugin's /dev, and nodes in it ("nvidia-uvm-tools").
  const std::string &dev_dir() const { return m_dev; }
  void make_node(const std::string &name, unsigned major, unsigned minor);
  void remove_node(const std::string &name);
  bool has_node(const std::string &name) const;

  // A folder first on the plugin's PATH (empty; nothing else is on it, so
  // that the host's own programs, nvidia-modprobe included, are not found).
  const std::string &bin_dir() const { return m_bin; }

  // What the plugin is given with -d and -s.
  const std::string &volumes_dir() const { return m_volumes; }
  const std::string &socket_dir() const { return m_sockets; }
  std::string socket_path() const { return m_sockets + "/nvidia-docker.sock"; }
  // Where the driver volume of `version` is: <volumes>/nvidia_driver/<version>.
  std::string volume_dir(const std::string &version) const;
  // The driver volume's name for this host's driver (or `version`).
  std::string volume_name(const std::string &version = "") const;

  // The whole command that runs the plugin on this host, and its environment.
  std::vector<std::string> command(const PluginStart &start = {}) const;
  std::map<std::string, std::optional<std::string>>
  environment(const PluginStart &start = {}) const;

  // The plugin, running until the object goes away (it waits for the REST line).
  std::unique_ptr<RunningPlugin> start(const PluginStart &start = {}) const;
  std::unique_ptr<RunningPlugin> start(const std::vector<std::string> &args) const;
  // The plugin run to its end, for starts that must fail.
  Completed run_to_exit(const PluginStart &start = {},
                        std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;

  // A path as the plugin with this pid sees it (its mount namespace: the
  // tmpfs folders of PluginStart): /proc/<pid>/root<path>.
  static std::string plugin_view(const RunningPlugin &plugin, const std::string &path);

private:
  std::string m_plugin;
  TempDir m_state{"nvd-host"};
  std::string m_driver_root, m_dev, m_bin, m_volumes, m_sockets, m_config_path;
  DriverTree m_driver;
  nlohmann::json m_config;
};

// The stand-in NVML library of a build (its path in this build).
std::string stand_in_nvml_library(StandInNvml kind);

// An NVML config of `count` GPUs (at most 64) with the figures the full
// stand-in answers (no NVLinks; pairs 0-1, 2-3, ... on one switch). Index i
// has minor number 2 * (count - i) + 1: never its index, and in the reverse
// order, as the point is that they differ.
nlohmann::json stand_in_gpus(int count);

// One HTTP/1.1 exchange over a unix socket ("Connection: close").
struct SocketAnswer {
  int status = 0; // 0 when no answer came
  std::string content_type;
  std::string body;
  std::string raw;   // everything received
  std::string error; // why no answer came
};
// Sends `bytes` as they are and reads until the server closes (or `timeout`).
SocketAnswer socket_exchange(const std::string &socket_path, const std::string &bytes,
                             std::chrono::milliseconds timeout = std::chrono::seconds(10));
// A POST as dockerd sends it to a volume plugin.
SocketAnswer plugin_call(const std::string &socket_path, const std::string &path,
                         const std::string &body);

} // namespace nvd::test
