// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/system/docker_client.hpp"

#include "nvd/common/child_process.hpp"
#include "nvd/common/error.hpp"
#include "nvd/client/system/exec.hpp"
#include "nvd/client/system/file_io.hpp"
#include "nvd/client/grammar/flag_cache.hpp"
#include "nvd/client/shell_quote.hpp"
#include "nvd/common/strings.hpp"

#include <cstdio>
#include <unistd.h>

namespace nvd {
namespace {

// docker's last non-empty stderr line, for an error message of one line.
std::string last_line(const std::string &text) {
  std::vector<std::string> lines = split_any(text, "\n");
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    std::string line = *it;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
      line.pop_back();
    if (!line.empty())
      return line;
  }
  return "";
}

} // namespace

DockerCliImageStore::DockerCliImageStore(std::vector<std::string> docker_prefix, Environment env)
    : m_prefix(std::move(docker_prefix)), m_env(std::move(env)) {}

std::optional<ImageConfig> DockerCliImageStore::inspect(const std::string &image) {
  std::vector<std::string> argv = m_prefix;
  for (const char *word : {"image", "inspect", "--format", "{{json .Config}}", "--"})
    argv.emplace_back(word);
  argv.push_back(image);
  std::string program = resolve_docker_program(argv[0], m_env);
  ChildResult result = run_child(program, argv, environment_strings(m_env), ChildOutput::capture);
  if (result.status != 0) {
    if (result.err.find("No such image") != std::string::npos ||
        result.err.find("no such image") != std::string::npos)
      return std::nullopt;
    std::string message = last_line(result.err);
    throw Error("cannot read image " + printable(image) + ": `" + shell_join(argv) +
                "` failed (exit status " + std::to_string(result.status) + ")" +
                (message.empty() ? "" : ": " + printable(message)));
  }
  return parse_image_config(result.out, image);
}

DaemonInfo DockerCliImageStore::daemon_info() {
  std::vector<std::string> argv = m_prefix;
  for (const char *word : {"info", "--format", "{{json .}}"})
    argv.emplace_back(word);
  std::string program = resolve_docker_program(argv[0], m_env);
  ChildResult result = run_child(program, argv, environment_strings(m_env), ChildOutput::capture);
  if (result.status != 0) {
    std::string message = last_line(result.err);
    throw Error("`" + shell_join(argv) + "` failed (exit status " + std::to_string(result.status) + ")" +
                (message.empty() ? "" : ": " + printable(message)));
  }
  return parse_daemon_info(result.out);
}

std::string DockerCliImageStore::describe() const {
  return "`" + shell_join(m_prefix) + " image inspect`";
}

void DockerCliImageStore::pull(const std::string &image, const std::optional<std::string> &platform,
                               bool quiet) {
  std::vector<std::string> argv = m_prefix;
  argv.emplace_back("pull");
  if (platform)
    argv.push_back("--platform=" + *platform);
  if (quiet)
    argv.emplace_back("--quiet");
  argv.emplace_back("--");
  argv.push_back(image);
  std::string program = resolve_docker_program(argv[0], m_env);
  ChildResult result =
      run_child(program, argv, environment_strings(m_env), ChildOutput::to_stderr);
  if (result.status != 0)
    throw AlreadyReported("cannot pull image " + printable(image) + ": `" + shell_join(argv) +
                              "` failed (exit status " + std::to_string(result.status) + ")",
                          result.status);
}

std::string docker_version_line(const std::vector<std::string> &docker_command, const Environment &env,
                                std::string &why_not) {
  std::vector<std::string> argv = docker_command;
  argv.emplace_back("--version");
  ChildResult version =
      run_child(resolve_docker_program(argv.at(0), env), argv, environment_strings(env), ChildOutput::capture);
  std::string line = last_line(version.out);
  if (version.status != 0 || line.empty()) {
    why_not = "`" + shell_join(argv) + "` failed (exit status " + std::to_string(version.status) + ")";
    return "";
  }
  return line;
}

DockerCliFlagSource::DockerCliFlagSource(std::vector<std::string> docker_command, Environment env)
    : m_command(std::move(docker_command)), m_env(std::move(env)) {}

std::vector<FlagSpec> DockerCliFlagSource::container_flags(const std::string &command) {
  std::string why_not;
  std::string version_line = docker_version_line(m_command, m_env, why_not);
  if (version_line.empty())
    throw Error(why_not);

  std::string cache = flag_cache_path(m_env, version_line, command);
  if (!cache.empty()) {
    if (std::optional<std::string> text = read_text_file(cache)) {
      if (auto flags = parse_serialized_flags(*text); flags && !flags->empty()) {
        m_provenance = "read " + cache + " (" + version_line + ")";
        return *flags;
      }
    }
  }

  std::string program = resolve_docker_program(m_command.at(0), m_env);
  std::vector<std::string> argv = m_command;
  argv.push_back(command);
  argv.emplace_back("--help");
  ChildResult help = run_child(program, argv, environment_strings(m_env), ChildOutput::capture);
  std::vector<FlagSpec> flags = parse_help_flags(help.out);
  if (help.status != 0 || flags.empty())
    throw Error("`" + shell_join(argv) + "` listed no flags (exit status " +
                std::to_string(help.status) + ")");
  m_provenance = "ran `" + shell_join(argv) + "` (" + version_line + ")";

  if (!cache.empty()) {
    // A cache that cannot be written only costs the next run a `--help`.
    make_directories(cache.substr(0, cache.rfind('/')));
    if (write_file_atomically(cache, serialize_flags(flags)))
      m_provenance += ", cached in " + cache;
  }
  return flags;
}

} // namespace nvd
