// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/docker_client.hpp"
#include "nvd/docker_context.hpp"
#include "nvd/exec.hpp"
#include "nvd/output.hpp"
#include "nvd/plugin_client.hpp"
#include "nvd/settings.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace nvd {

// The I/O a run may need, created only when it is needed: a pass-through
// command never makes an ImageStore or a PluginClient.
struct ClientEdges {
  Executor &executor;
  // `local_socket`: the daemon's unix socket when the command addresses a local daemon.
  std::function<std::unique_ptr<ImageStore>(const std::vector<std::string> &docker_prefix,
                                            const std::optional<std::string> &local_socket)>
      image_store;
  std::function<std::unique_ptr<PluginClient>(const PluginEndpoint &, std::chrono::milliseconds)>
      plugin;
  std::function<std::unique_ptr<FlagSource>(const std::vector<std::string> &docker_command)>
      flag_source;
  // The docker client's configuration (contexts); unset: none is read.
  std::function<DockerConfigReader()> docker_config;
  // This machine's GPUs through NVML, or nullopt with the reason (unset: none).
  std::function<std::optional<PluginGpuInfo>(std::string &why_not)> nvml;
  // A file's text (the command's --env-file), or nullopt.
  std::function<std::optional<std::string>(const std::string &path)> read_file;
  Output &out;
  Output &err;
};

// One run of nvidia-docker: `args` without the program name. Returns the exit
// status when it does not exec. Throws Error for the user's mistakes and faults.
int run_client(const std::vector<std::string> &args, const Environment &env, ClientEdges &edges);

// Whether labels can be read from the Engine API directly: the docker command
// is a plain `docker` (no sudo, no options of its own) and the daemon is local.
bool can_read_engine_directly(const std::vector<std::string> &docker_command,
                              const std::optional<std::string> &local_socket);

// main(): reads the environment, wires the real edges, prints errors.
int client_main(int argc, char **argv);

} // namespace nvd
