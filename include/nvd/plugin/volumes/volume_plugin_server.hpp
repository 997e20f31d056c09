// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/plugin/volumes/volume_api.hpp"

#include <memory>
#include <ostream>
#include <string>

namespace nvd {

// The socket's name in the plugin folder: dockerd finds a legacy plugin
// named "nvidia-docker" as /run/docker/plugins/nvidia-docker.sock.
inline constexpr const char *plugin_socket_name = "nvidia-docker.sock";

// Docker's volume plugin API on a unix socket: the edge around
// answer_plugin_request(). One log line per request.
class VolumePluginServer {
public:
  VolumePluginServer(VolumeOperations &operations, std::ostream &log);
  ~VolumePluginServer(); // closes the socket and removes it, if still ours
  VolumePluginServer(const VolumePluginServer &) = delete;
  VolumePluginServer &operator=(const VolumePluginServer &) = delete;

  // Listens on <socket_dir>/nvidia-docker.sock; creates socket_dir (0700) if
  // missing. A stale socket there (nobody listening) is replaced; a live one,
  // or anything that is not a socket, is an Error. Returns the socket's path.
  std::string bind(const std::string &socket_dir);
  // Serves until stop(); then waits for the requests in progress, closes and
  // removes the socket. Throws Error if bind() did not succeed, or if the
  // socket could not be waited on any more (after the same clean-up).
  void serve();
  // Async-signal-safe; from any thread, before or during serve().
  void stop();

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

} // namespace nvd
