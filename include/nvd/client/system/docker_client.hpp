// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/client/grammar/docker_grammar.hpp"
#include "nvd/client/gpu_backend.hpp"
#include "nvd/client/image_config.hpp"
#include "nvd/client/settings.hpp"

#include <optional>
#include <string>
#include <vector>

namespace nvd {

// Where images are looked up and pulled.
class ImageStore {
public:
  virtual ~ImageStore() = default;
  // The image's configuration, or nullopt when the image is not present.
  // Throws Error (with docker's own message) when docker fails otherwise.
  virtual std::optional<ImageConfig> inspect(const std::string &image) = 0;
  // Pulls the image, progress on stderr. Throws Error when the pull fails.
  virtual void pull(const std::string &image, const std::optional<std::string> &platform,
                    bool quiet) = 0;
  // How images are read, for NV_DEBUG.
  virtual std::string describe() const = 0;
  // What the daemon offers (runtimes, CDI devices): its /info. Throws Error.
  virtual DaemonInfo daemon_info() = 0;
};

// An ImageStore that runs the docker client: `docker_prefix` is the docker
// command with the user's global options (-H, --context, --config…), so the
// image is looked up on the same daemon the command will use.
class DockerCliImageStore : public ImageStore {
public:
  DockerCliImageStore(std::vector<std::string> docker_prefix, Environment env);
  std::optional<ImageConfig> inspect(const std::string &image) override;
  void pull(const std::string &image, const std::optional<std::string> &platform,
            bool quiet) override;
  std::string describe() const override;
  DaemonInfo daemon_info() override;

private:
  std::vector<std::string> m_prefix;
  Environment m_env;
};

// What `<docker_command> --version` prints (its last line), or "" with the
// failure in `why_not` when it cannot be run.
std::string docker_version_line(const std::vector<std::string> &docker_command, const Environment &env,
                                std::string &why_not);

// Where flags unknown to our table are learned: the installed docker client.
class FlagSource {
public:
  virtual ~FlagSource() = default;
  // The flags `docker <command> --help` lists. Throws Error when they cannot be read.
  virtual std::vector<FlagSpec> container_flags(const std::string &command) = 0;
  // What was done to learn them, for NV_DEBUG.
  virtual std::string provenance() const = 0;
};

// Reads the flags from `docker <command> --help`, cached per client version
// (`docker --version`) under $XDG_CACHE_HOME/nvidia-docker or ~/.cache/nvidia-docker.
class DockerCliFlagSource : public FlagSource {
public:
  DockerCliFlagSource(std::vector<std::string> docker_command, Environment env);
  std::vector<FlagSpec> container_flags(const std::string &command) override;
  std::string provenance() const override { return m_provenance; }

private:
  std::vector<std::string> m_command;
  Environment m_env;
  std::string m_provenance;
};

} // namespace nvd
