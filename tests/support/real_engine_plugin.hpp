// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// The GPU side of the real-engine tests: a stand-in driver (the driver tree of
// driver_tree.hpp with the stand-in NVML installed in it, configured with GPUs
// whose minor numbers differ from their indexes) and nvidia-docker-plugin
// running on it with --driver-root, its volume plugin socket in the sandbox's
// /run/docker/plugins.

#include "support/driver_tree.hpp"
#include "support/process.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nvd::test {

struct StandInGpu {
  unsigned index;
  unsigned minor; // the device node is /dev/nvidia<minor>
  std::string uuid;
  std::string bus_id;
};

// The stand-in host's GPUs: three, none with its index as minor number.
const std::vector<StandInGpu> &stand_in_gpus();
std::vector<unsigned> stand_in_gpu_minors();
// The CUDA version the stand-in driver supports ("12.2").
inline const std::string stand_in_cuda_version = "12.2";

// A stand-in NVIDIA driver under a folder: its files, and the config of its
// NVML (the file named by NVD_STAND_IN_NVML for whoever loads it).
class StandInDriver {
public:
  // Installs driver `version` under `folder`/root; `nvml_library` is the
  // built stand-in libnvidia-ml.so.1.
  StandInDriver(const std::string &folder, const std::string &version,
                const std::string &nvml_library);
  const std::string &root() const { return m_tree.root; }
  const std::string &version() const { return m_tree.options.version; }
  const DriverTree &tree() const { return m_tree; }
  std::string nvml_config() const { return m_folder + "/nvml.json"; }
  // Installs `new_version` over the driver, and makes NVML's loaded kernel
  // module that version: a library loaded before then answers
  // NVML_ERROR_LIB_RM_VERSION_MISMATCH, as on a host after an upgrade.
  void upgrade(const std::string &new_version);

private:
  void write_nvml_config(const std::string &kernel_version) const;
  std::string m_folder;
  DriverTree m_tree;
};

struct PluginSetup {
  std::string driver_root;
  std::string volumes_dir;
  std::string socket_dir = "/run/docker/plugins";
  int port = 0;                        // REST on 127.0.0.1:port
  std::string nvml_config;             // NVD_STAND_IN_NVML
  std::vector<std::string> extra_args; // more options
};

// The path of the plugin's volume socket for a socket folder.
inline std::string plugin_socket(const std::string &socket_dir) {
  return socket_dir + "/nvidia-docker.sock";
}

// A free TCP port on 127.0.0.1 (in the sandbox's own network namespace
// nothing else takes it in between).
int free_loopback_port();

// nvidia-docker-plugin, started on a stand-in driver; stopped with the object.
class SandboxPlugin {
public:
  SandboxPlugin(const std::string &binary, const PluginSetup &setup);
  ~SandboxPlugin() { stop(); }
  SandboxPlugin(const SandboxPlugin &) = delete;
  SandboxPlugin &operator=(const SandboxPlugin &) = delete;
  // Waits until both the REST API answers and the volume socket exists;
  // throws with the plugin's log when it exits or `timeout` passes.
  void wait_until_serving(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(m_setup.port); }
  const PluginSetup &setup() const { return m_setup; }
  std::string log() const { return m_process->stderr_text(); }
  bool running() { return m_process->wait(std::chrono::milliseconds(0)) == -1; }
  // SIGTERM, then its exit status (-1: it did not stop within 10 s and was killed).
  int stop();
  // SIGKILL, as a crash or the OOM killer would: no clean-up of its own.
  void kill_outright();

private:
  PluginSetup m_setup;
  std::unique_ptr<Process> m_process;
};

} // namespace nvd::test
