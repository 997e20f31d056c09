// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/plugin/gpu_discovery.hpp"

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace nvd {

// Where the REST API listens: host (a name or an address) and TCP port.
struct ListenAddress {
  std::string host;
  int port = 0;
};

// Parses "HOST:PORT", "[IPV6]:PORT" or ":PORT" (every interface). Throws Error.
ListenAddress parse_listen_address(std::string_view text);

// The REST API over HTTP: the edge around route_request().
class PluginServer {
public:
  PluginServer(const GpuDiscovery &discovery, std::ostream &log);
  ~PluginServer();
  PluginServer(const PluginServer &) = delete;
  PluginServer &operator=(const PluginServer &) = delete;

  // Binds the address; returns the port bound (useful with port 0). Throws Error.
  int bind(const ListenAddress &address);
  // Serves until stop(); returns false if serving failed.
  bool serve();
  // Safe from any thread.
  void stop();

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

} // namespace nvd
