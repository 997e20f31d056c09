// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/client/system/docker_client.hpp"
#include "nvd/client/docker_context.hpp"
#include "nvd/client/system/exec.hpp"
#include "nvd/client/system/output.hpp"
#include "nvd/client/transport/plugin_client.hpp"
#include "nvd/client/settings.hpp"

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
  // Set in the static front: a run or create that needs what the front cannot
  // do (an edge throws NeedsGpuHelper) is handed over (exec), unchanged, to
  // the program it finds, the GPU helper (it throws Error when there is none).
  // It is looked for only then.
  std::function<std::string()> gpu_helper;
  // Whether a path exists on this machine (unset: nothing is checked): where
  // a local dockerd finds the nvidia-docker volume plugin.
  std::function<bool(const std::string &path)> path_exists;
  // What `<docker command> --version` prints, "" with `why_not` when it
  // cannot be run (unset: the client is taken to know CDI device names).
  std::function<std::string(const std::vector<std::string> &docker_command, std::string &why_not)>
      docker_version;
};

// Thrown by an edge the static front cannot provide (libcurl for a plugin on
// another host, NVML: a static glibc cannot load them safely). Not an Error,
// so that no step takes it for a failure on its way to run_client.
struct NeedsGpuHelper {
  std::string why;
};

// One run of nvidia-docker: `args` without the program name. Returns the exit
// status when it does not exec. Throws Error for the user's mistakes and faults.
int run_client(const std::vector<std::string> &args, const Environment &env, ClientEdges &edges);

// A command that goes to docker as it is, decided before the environment is
// read as a whole (the most common command, so its cost is the wrapper's
// cost): the docker argv, and the variables its exec reads (PATH,
// NV_DOCKER). nullopt: run_client decides (run, create, version, a command
// line it cannot read, NV_DEBUG or NV_DRY_RUN set). `variable` reads one
// variable of the environment.
struct PlainPassThrough {
  std::vector<std::string> argv;
  Environment lookup;
};
std::optional<PlainPassThrough>
plain_pass_through(const std::vector<std::string> &args,
                   const std::function<std::optional<std::string>(const char *name)> &variable);

// Whether labels can be read from the Engine API directly: the docker command
// is a plain `docker` (no sudo, no options of its own) and the daemon is local.
bool can_read_engine_directly(const std::vector<std::string> &docker_command,
                              const std::optional<std::string> &local_socket);

// The process environment, read once.
Environment read_environment();

// Runs `body`, printing an Error as the one line users see; its exit status.
int report_error(Output &err, const std::function<int()> &body);

// What differs between the two programs.
struct ProgramEdges {
  RemoteHttp remote_http; // a plugin on another host
  std::function<std::optional<PluginGpuInfo>(std::string &why_not)> nvml;
  std::function<std::string()> gpu_helper; // the front's; unset in the helper
};

// main() of both programs (program_main.cpp): the edges they share, real,
// with `program`'s own. nvidia-docker (nvidia_docker.cpp) is linked fully
// static and hands over to nvidia-docker-gpu (nvidia_docker_gpu.cpp) only
// what needs libcurl or NVML.
int program_main(int argc, char **argv, const ProgramEdges &program);

} // namespace nvd
