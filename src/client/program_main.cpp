// SPDX-License-Identifier: BSD-3-Clause
// The edges both programs share, wired for real: the Engine API and the
// docker client, the plugin over our HTTP client or ssh, the docker config,
// files. What only the dynamic helper can do comes in ProgramEdges.
#include "nvd/client/client_app.hpp"
#include "nvd/client/system/file_io.hpp"
#include "nvd/client/transport/engine_client.hpp"

#include <cstdlib>
#include <unistd.h>

namespace nvd {

int program_main(int argc, char **argv, const ProgramEdges &program) {
  FdOutput out(1), err(2);
  return report_error(err, [&] {
    std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
    std::optional<PlainPassThrough> plain = plain_pass_through(args, [](const char *name) {
      const char *value = std::getenv(name);
      return value != nullptr ? std::optional<std::string>(value) : std::nullopt;
    });
    if (plain)
      return ProcessExecutor(&plain->lookup).exec(plain->argv, plain->lookup);

    const Environment env = read_environment();
    ProcessExecutor executor(&env);
    ClientEdges edges{
        executor,
        [&env](const std::vector<std::string> &prefix,
               const std::optional<std::string> &local_socket) -> std::unique_ptr<ImageStore> {
          auto cli = std::make_unique<DockerCliImageStore>(prefix, env);
          std::vector<std::string> command = docker_command_from(env);
          if (!can_read_engine_directly(command, local_socket))
            return cli;
          return std::make_unique<EngineImageStore>(*local_socket, timeout_from(env), std::move(cli));
        },
        [&env, &program](const PluginEndpoint &endpoint, std::chrono::milliseconds timeout) {
          return connect_plugin(endpoint, timeout, env, program.remote_http);
        },
        [&env](const std::vector<std::string> &docker_command) -> std::unique_ptr<FlagSource> {
          return std::make_unique<DockerCliFlagSource>(docker_command, env);
        },
        filesystem_config_reader,
        program.nvml,
        read_text_file,
        out,
        err,
        program.gpu_helper,
        [](const std::string &path) { return ::access(path.c_str(), F_OK) == 0; },
        [&env](const std::vector<std::string> &docker_command, std::string &why_not) {
          return docker_version_line(docker_command, env, why_not);
        }};
    return run_client(args, env, edges);
  });
}

} // namespace nvd
