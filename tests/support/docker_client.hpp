// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// The real docker client that the tests drive, found as nvidia-docker finds
// it: the first executable `docker` on PATH. Every test that needs it asks
// here, so that all of them agree on which client that is. Header-only, for
// the unit tests too (they link no test support library).

#include "nvd/common/program_finder.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>

namespace nvd::test {

struct DockerClientVersion {
  int major = 0;
  int minor = 0;
  std::string text; // as the client says it, e.g. "20.10.24+dfsg1"
};

// The path of the first `docker` on PATH, or "" when there is none.
inline std::string installed_docker_client() {
  const char *path = std::getenv("PATH");
  // nvidia-docker's own search (resolve_program), without a binary of its own to skip.
  return nvd::find_program("docker", path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin", "")
      .value_or("");
}

// `docker` followed by `arguments`, as one shell word each for popen.
inline std::string docker_shell_command(const std::string &docker, const std::string &arguments) {
  std::string quoted = "'";
  for (char c : docker)
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "' " + arguments;
}

// What the client writes on stdout for `arguments` (stderr dropped).
inline std::string docker_output(const std::string &docker, const std::string &arguments) {
  std::string out;
  FILE *pipe = ::popen(docker_shell_command(docker, arguments + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr)
    return out;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
    out.append(buffer, n);
  ::pclose(pipe);
  return out;
}

// The version `docker --version` prints ("Docker version 20.10.24+dfsg1,
// build 297e128"; no daemon is asked), or nullopt when it says something else.
inline std::optional<DockerClientVersion> docker_client_version(const std::string &docker) {
  std::string said = docker_output(docker, "--version");
  const std::string marker = "version ";
  std::size_t at = said.find(marker);
  if (at == std::string::npos)
    return std::nullopt;
  DockerClientVersion version;
  version.text = said.substr(at + marker.size());
  version.text = version.text.substr(0, version.text.find_first_of(", \n"));
  char dot = 0;
  std::istringstream numbers(version.text);
  if (!(numbers >> version.major >> dot >> version.minor) || dot != '.')
    return std::nullopt;
  return version;
}

// Why a test that drives the real docker client cannot run here (no client
// on PATH), or nullopt when it can.
inline std::optional<std::string> docker_client_missing() {
  if (installed_docker_client().empty())
    return std::string("no docker client on PATH (scripts/setup installs Debian's docker.io; next to "
                       "Docker's own dockerd, install its docker-ce-cli)");
  return std::nullopt;
}

} // namespace nvd::test

// Skips the test, with the reason in one line, when the docker client it
// drives is missing here; under CI (CI set) that is a failure instead, so
// that a CI job never passes without these tests.
#define NVD_SKIP_UNLESS(why_not_expression)                                                        \
  do {                                                                                             \
    if (auto why_not = (why_not_expression)) {                                                     \
      if (std::getenv("CI") != nullptr)                                                            \
        FAIL() << "under CI: " << *why_not;                                                        \
      GTEST_SKIP() << *why_not;                                                                    \
    }                                                                                              \
  } while (false)
#define NVD_REQUIRE_DOCKER_CLIENT() NVD_SKIP_UNLESS(::nvd::test::docker_client_missing())
