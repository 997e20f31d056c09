// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/client/system/docker_client.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace nvd {

// The Docker Engine API path of an image's inspection, the name %-escaped
// where needed ('/' and ':' stay, as the docker client sends them).
std::string engine_image_path(std::string_view image);

// Reads the answer of GET /images/{name}/json: nullopt for 404 (no such image),
// the configuration for 200; Error with the engine's message otherwise.
std::optional<ImageConfig> parse_engine_inspect(long status, std::string_view body,
                                                const std::string &image,
                                                const std::string &socket_path);

// Reads images straight from the local Docker Engine API (no docker process:
// it costs less than a run of the docker client); pulls go through `puller`,
// the docker client, for its progress display.
class EngineImageStore : public ImageStore {
public:
  EngineImageStore(std::string socket_path, std::chrono::milliseconds timeout,
                   std::unique_ptr<ImageStore> puller);
  ~EngineImageStore() override;
  std::optional<ImageConfig> inspect(const std::string &image) override;
  void pull(const std::string &image, const std::optional<std::string> &platform,
            bool quiet) override;
  std::string describe() const override { return "the Docker Engine API at unix://" + m_socket; }
  DaemonInfo daemon_info() override;

private:
  std::string m_socket;
  std::chrono::milliseconds m_timeout;
  std::unique_ptr<ImageStore> m_puller;
};

} // namespace nvd
