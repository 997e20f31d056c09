// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/system/exec.hpp"

#include "nvd/common/error.hpp"
#include "nvd/common/program_finder.hpp"
#include "nvd/common/strings.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>

extern char **environ;

namespace nvd {

std::optional<std::string> resolve_program(const std::string &name, const Environment &env) {
  auto path = env.find("PATH");
  std::string search = path != env.end() ? path->second : "/usr/local/bin:/usr/bin:/bin";
  // Skipping ourselves needs only our identity: stat follows the link, no readlink.
  return find_program(name, search, "/proc/self/exe");
}

std::string resolve_docker_program(const std::string &name, const Environment &env) {
  std::optional<std::string> program = resolve_program(name, env);
  if (!program) {
    bool chosen = env.count("NV_DOCKER") != 0;
    throw Error(std::string(chosen ? "NV_DOCKER: " : "") + "command not found: " +
                printable(name) +
                (chosen ? " (check NV_DOCKER)"
                        : " (install the docker client, or set NV_DOCKER to its path)"));
  }
  return *program;
}

std::vector<std::string> environment_strings(const Environment &env) {
  std::vector<std::string> strings;
  strings.reserve(env.size());
  for (const auto &[name, value] : env)
    strings.push_back(name + "=" + value);
  return strings;
}

int ProcessExecutor::exec(const std::vector<std::string> &argv, const Environment &env) {
  std::string program = resolve_docker_program(argv.at(0), env);
  std::vector<char *> c_argv, c_envp;
  for (const auto &arg : argv)
    c_argv.push_back(const_cast<char *>(arg.c_str()));
  c_argv.push_back(nullptr);
  std::vector<std::string> envp;
  if (&env != m_process_env) {
    envp = environment_strings(env);
    for (const auto &item : envp)
      c_envp.push_back(const_cast<char *>(item.c_str()));
    c_envp.push_back(nullptr);
  }

  // What stdio buffered would be lost with the process image (our own output
  // is unbuffered: see output.hpp).
  std::fflush(nullptr);
  // Signal dispositions and the mask are left as they came: nvidia-docker
  // changes none, and docker must inherit what it would alone (nohup's
  // ignored SIGHUP, a script's `trap '' INT`).

  ::execve(program.c_str(), c_argv.data(), &env == m_process_env ? ::environ : c_envp.data());
  throw Error("cannot run " + program + ": " + std::strerror(errno));
}

} // namespace nvd
