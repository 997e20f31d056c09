// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/client/settings.hpp"

#include <optional>
#include <string>
#include <vector>

namespace nvd {

// Hands the command over to docker. The real one never returns on success.
class Executor {
public:
  virtual ~Executor() = default;
  // Replaces this process with argv[0] (looked up like NV_DOCKER) and `env`.
  // Returns an exit status only where the replacement is simulated (tests).
  virtual int exec(const std::vector<std::string> &argv, const Environment &env) = 0;
};

// Finds a program as execvp would, in the PATH of `env`, never our own binary.
std::optional<std::string> resolve_program(const std::string &name, const Environment &env);

// Resolves the docker command's program as exec will: NV_DOCKER's first word or
// "docker", through PATH, never our own binary. Throws Error when not found.
std::string resolve_docker_program(const std::string &name, const Environment &env);

// Flattens the environment map into NAME=VALUE strings for execve/posix_spawn.
std::vector<std::string> environment_strings(const Environment &env);

// The execve edge: flushes our output and replaces the process (signal
// dispositions as inherited). Throws Error when execve fails.
// `process_env`, when given, holds variables read from this process's own
// environment (all of them, or those a plain pass-through needs): a program
// run with that very object gets ::environ itself, byte for byte (order,
// duplicates and all) and without copying it.
class ProcessExecutor : public Executor {
public:
  explicit ProcessExecutor(const Environment *process_env = nullptr) : m_process_env(process_env) {}
  int exec(const std::vector<std::string> &argv, const Environment &env) override;

private:
  const Environment *m_process_env;
};

} // namespace nvd
