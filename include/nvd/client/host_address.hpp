// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/client/settings.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace nvd {

inline constexpr int default_plugin_port = 3476;
inline constexpr int default_ssh_port = 22;

// Where nvidia-docker-plugin is asked, and how.
struct PluginEndpoint {
  enum class Transport { http, ssh };
  Transport transport = Transport::http;
  std::string host = "localhost"; // as written, without IPv6 brackets
  std::string user;               // ssh only; empty: ssh's own default
  int ssh_port = default_ssh_port;
  int plugin_port = default_plugin_port;
  std::string origin = "default";  // which setting chose it, for NV_DEBUG

  // "http://host:port" (IPv6 in brackets); for ssh, the plugin as seen from the remote host.
  std::string base_url() const;
  // How the endpoint is shown in messages: the URL, or "ssh://user@host:port → URL".
  std::string describe() const;
};

// Parses an NV_HOST value: [SCHEME://][USER@][HOST][:SSH_PORT]:[PLUGIN_PORT],
// schemes http, tcp (= http) and ssh; a single port is the plugin's. Throws Error.
PluginEndpoint parse_nv_host(std::string_view value);

// Parses a docker daemon address (DOCKER_HOST, -H): the plugin is on that host at
// port 3476, over http for tcp:// and through ssh for ssh://. unix:// and fd://
// mean this machine. Throws Error.
PluginEndpoint parse_docker_host(std::string_view value, const std::string &origin);

// The daemon the command addresses, as its global options say.
struct DockerTarget {
  std::optional<std::string> host_flag;    // -H/--host
  std::optional<std::string> context_flag; // -c/--context
  std::optional<std::string> config_flag;  // --config
};

// The daemon address docker will use, and which setting chose it. An empty
// host means docker's default, the local /var/run/docker.sock.
struct DockerEndpoint {
  std::string host;
  std::string origin = "default";
};

// docker's own choice of daemon: --context, -H, DOCKER_HOST, DOCKER_CONTEXT,
// the current context, else the default. Throws Error for -H with --context.
DockerEndpoint resolve_docker_endpoint(
    const Environment &env, const DockerTarget &target,
    const std::function<std::optional<std::string>()> &ambient_context = {},
    const std::function<std::string(const std::string &name)> &context_host = {});

// The socket path of a local daemon (unix://PATH, or the default), else nullopt.
std::optional<std::string> local_socket_path(const DockerEndpoint &endpoint);

// Chooses the plugin as docker chooses its daemon, with NV_HOST first:
// NV_HOST, --context, -H, DOCKER_HOST, DOCKER_CONTEXT, the current context of
// the docker config, else this machine. `context_host` gives a context's
// docker endpoint and is only called when a context decides.
PluginEndpoint resolve_plugin_endpoint(
    const Environment &env, const DockerTarget &target,
    const std::function<std::optional<std::string>()> &ambient_context = {},
    const std::function<std::string(const std::string &name)> &context_host = {});

// The plugin: NV_HOST when set, else on the daemon's host (port 3476; ssh
// for ssh://, this machine for unix://).
PluginEndpoint plugin_endpoint_for(const Environment &env, const DockerEndpoint &docker);

// The grammar, for error messages.
extern const char *const nv_host_grammar;

} // namespace nvd
