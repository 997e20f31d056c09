// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/docker_client.hpp"

#include "nvd/child_process.hpp"
#include "nvd/error.hpp"
#include "nvd/exec.hpp"
#include "nvd/shell_quote.hpp"
#include "nvd/strings.hpp"

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
    throw Error("cannot pull image " + printable(image) + ": `" + shell_join(argv) +
                "` failed (exit status " + std::to_string(result.status) + ")");
}

} // namespace nvd
