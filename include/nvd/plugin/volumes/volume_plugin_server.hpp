// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/plugin/volumes/volume_api.hpp"

#include <chrono>
#include <memory>
#include <ostream>
#include <string>

namespace nvd {

// The socket's name in the plugin folder: dockerd finds a legacy plugin
// named "nvidia-docker" as /run/docker/plugins/nvidia-docker.sock.
inline constexpr const char *plugin_socket_name = "nvidia-docker.sock";

// How long the server waits on a client; each is one deadline, never
// restarted by a read, so a client trickling bytes cannot hold a connection.
struct PluginServerTimeouts {
  // From a request's first byte to its last; then 408.
  std::chrono::milliseconds request{10'000};
  // From a connection's start, or its last answer, to the next request's
  // first byte; then the connection is closed (Docker reconnects).
  std::chrono::milliseconds idle{60'000};
  // To write one answer; then the connection is closed.
  std::chrono::milliseconds send{10'000};
};

// Docker's volume plugin API on a unix socket: the edge around
// answer_plugin_request(). One log line per request. At most 64 connections
// at once; each request at most max_http_head + 64 KiB + max_chunk_framing
// bytes (413 past that).
class VolumePluginServer {
public:
  VolumePluginServer(VolumeOperations &operations, std::ostream &log,
                     PluginServerTimeouts timeouts = {});
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
