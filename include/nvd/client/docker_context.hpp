// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/client/settings.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nvd {

// Read access to the docker client's configuration folder, given to the pure
// resolution below so that tests can hand it files.
struct DockerConfigReader {
  // A file's text, or nullopt when it cannot be read.
  std::function<std::optional<std::string>(const std::string &path)> read_file;
  // The names of the folders in a folder (empty when there is none).
  std::function<std::vector<std::string>(const std::string &path)> subfolders;
};

// The docker client's configuration folder: --config, else DOCKER_CONFIG, else ~/.docker.
std::string docker_config_dir(const std::optional<std::string> &config_flag, const Environment &env);

// The context docker uses when neither --context, -H nor DOCKER_HOST decide:
// DOCKER_CONTEXT, else "currentContext" of config.json; nullopt for "default".
std::optional<std::string> ambient_context(const Environment &env, const std::string &config_dir,
                                           const DockerConfigReader &reader);

// The docker endpoint ("Endpoints.docker.Host") of the named context, read from
// contexts/meta/*/meta.json. Throws Error when the context does not exist.
std::string context_docker_host(const std::string &name, const std::string &config_dir,
                                const DockerConfigReader &reader);

// The real files.
DockerConfigReader filesystem_config_reader();

} // namespace nvd
