// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/host_address.hpp"

#include "nvd/common/error.hpp"
#include "nvd/common/strings.hpp"

#include <algorithm>

namespace nvd {

const char *const nv_host_grammar =
    "expected [http://|tcp://|ssh://][USER@][HOST][:SSH_PORT]:[PLUGIN_PORT], "
    "e.g. http://gpu1:3476 or ssh://me@gpu1";

namespace {

[[noreturn]] void invalid(std::string_view value, const std::string &why) {
  throw Error("invalid remote host URI: " + printable(value) + " (" + why + "; " +
              nv_host_grammar + ")");
}

bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

int parse_port(std::string_view value, std::string_view port) {
  if (!is_decimal(port) || port.size() > 5)
    invalid(value, "port \"" + printable(port) + "\" is not a number");
  int number = std::stoi(std::string(port));
  if (number < 1 || number > 65535)
    invalid(value, "port " + std::string(port) + " is out of range 1-65535");
  return number;
}

struct Authority {
  std::string user, host, ports; // ports: what follows the host, starting with ':' or empty
};

// Splits [USER@]HOST[...] where HOST may be an IPv6 address in brackets.
Authority split_authority(std::string_view value, std::string_view rest) {
  Authority authority;
  std::size_t at = rest.find('@');
  if (at != std::string_view::npos) {
    authority.user = std::string(rest.substr(0, at));
    rest.remove_prefix(at + 1);
    if (authority.user.empty() || authority.user[0] == '-' ||
        !std::all_of(authority.user.begin(), authority.user.end(), is_host_char))
      invalid(value, "user \"" + printable(authority.user) + "\" is not a valid user name");
  }
  if (starts_with(rest, "[")) {
    std::size_t close = rest.find(']');
    if (close == std::string_view::npos)
      invalid(value, "unbalanced '[' in the host");
    authority.host = std::string(rest.substr(1, close - 1));
    bool ipv6 = !authority.host.empty() &&
                std::all_of(authority.host.begin(), authority.host.end(), [](char c) {
                  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                         c == ':' || c == '.';
                });
    if (!ipv6)
      invalid(value, "\"" + printable(authority.host) + "\" is not an IPv6 address");
    rest.remove_prefix(close + 1);
  } else {
    std::size_t colon = rest.find(':');
    authority.host = std::string(rest.substr(0, colon));
    rest.remove_prefix(colon == std::string_view::npos ? rest.size() : colon);
    if (!std::all_of(authority.host.begin(), authority.host.end(), is_host_char) ||
        (!authority.host.empty() && authority.host[0] == '-'))
      invalid(value, "host \"" + printable(authority.host) + "\" is not a host name or address");
  }
  if (!rest.empty() && rest[0] != ':')
    invalid(value, "unexpected \"" + printable(rest) + "\" after the host");
  authority.ports = std::string(rest);
  return authority;
}

// Removes "SCHEME://" from the front of `rest` and returns the scheme ("tcp" when none).
std::string take_scheme(std::string_view &rest) {
  std::size_t separator = rest.find("://");
  if (separator == std::string_view::npos)
    return "tcp";
  std::string scheme(rest.substr(0, separator));
  rest.remove_prefix(separator + 3);
  return scheme;
}

std::string bracketed(const std::string &host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

} // namespace

std::string PluginEndpoint::base_url() const {
  std::string target = transport == Transport::ssh ? "localhost" : host;
  return "http://" + bracketed(target) + ":" + std::to_string(plugin_port);
}

std::string PluginEndpoint::describe() const {
  if (transport == Transport::http)
    return base_url();
  return "ssh://" + (user.empty() ? "" : user + "@") + bracketed(host) + ":" +
         std::to_string(ssh_port) + " -> " + base_url();
}

PluginEndpoint parse_nv_host(std::string_view value) {
  std::string_view rest = value;
  std::string scheme = take_scheme(rest);
  if (scheme != "http" && scheme != "tcp" && scheme != "ssh")
    invalid(value, "scheme \"" + printable(scheme) + "\" is not http, tcp or ssh");
  if (!rest.empty() && rest.back() == '/')
    rest.remove_suffix(1); // "http://host:3476/" as copied from a browser
  if (rest.find('/') != std::string_view::npos)
    invalid(value, "a path is not allowed");

  Authority authority = split_authority(value, rest);
  PluginEndpoint endpoint;
  endpoint.origin = "NV_HOST";
  endpoint.transport =
      scheme == "ssh" ? PluginEndpoint::Transport::ssh : PluginEndpoint::Transport::http;
  if (!authority.host.empty())
    endpoint.host = authority.host;
  if (!authority.user.empty() && endpoint.transport != PluginEndpoint::Transport::ssh)
    invalid(value, "a user is only meaningful with ssh://");
  endpoint.user = authority.user;

  // What follows the host: "", ":", ":P" (plugin port), ":S:" or ":S:P".
  std::vector<std::string> ports;
  if (!authority.ports.empty()) {
    std::string_view list = std::string_view(authority.ports).substr(1);
    std::size_t start = 0;
    while (true) {
      std::size_t colon = list.find(':', start);
      ports.emplace_back(list.substr(start, colon - start));
      if (colon == std::string_view::npos)
        break;
      start = colon + 1;
    }
  }
  if (ports.size() > 2)
    invalid(value, "too many ports");
  if (ports.size() == 2 && endpoint.transport == PluginEndpoint::Transport::http)
    invalid(value, "two ports are only meaningful with ssh:// (SSH port, then plugin port)");
  if (ports.size() == 1 && !ports[0].empty())
    endpoint.plugin_port = parse_port(value, ports[0]);
  if (ports.size() == 2) {
    if (!ports[0].empty())
      endpoint.ssh_port = parse_port(value, ports[0]);
    if (!ports[1].empty())
      endpoint.plugin_port = parse_port(value, ports[1]);
  }
  return endpoint;
}

PluginEndpoint parse_docker_host(std::string_view value, const std::string &origin) {
  PluginEndpoint endpoint;
  endpoint.origin = origin;
  if (value.empty() || starts_with(value, "unix://") || starts_with(value, "fd://") ||
      starts_with(value, "npipe://"))
    return endpoint; // this machine's daemon: the local plugin
  auto fail = [&](const std::string &why) -> Error {
    return Error("invalid docker host " + origin + "=" + printable(value) + " (" + why +
                 "; expected unix://PATH, tcp://HOST[:PORT] or ssh://[USER@]HOST[:PORT])");
  };
  std::string_view rest = value;
  std::string scheme = take_scheme(rest);
  if (scheme != "tcp" && scheme != "http" && scheme != "https" && scheme != "ssh")
    throw fail("scheme \"" + printable(scheme) + "\" is not unix, tcp or ssh");
  std::size_t slash = rest.find('/');
  if (slash != std::string_view::npos)
    rest = rest.substr(0, slash); // docker allows a path prefix on tcp hosts
  Authority authority;
  try {
    authority = split_authority(value, rest);
  } catch (const Error &) {
    throw fail("the host part does not parse");
  }
  if (authority.host.empty())
    throw fail("no host");
  endpoint.host = authority.host;
  if (scheme == "ssh") {
    endpoint.transport = PluginEndpoint::Transport::ssh;
    endpoint.user = authority.user;
    if (!authority.ports.empty()) {
      std::string_view port = std::string_view(authority.ports).substr(1);
      if (!is_decimal(port) || port.size() > 5 || std::stoi(std::string(port)) < 1 ||
          std::stoi(std::string(port)) > 65535)
        throw fail("port \"" + printable(port) + "\" is not a number from 1 to 65535");
      endpoint.ssh_port = std::stoi(std::string(port));
    }
  } else if (!authority.user.empty()) {
    throw fail("a user is only meaningful with ssh://");
  }
  // The daemon's port says nothing about the plugin's, which stays 3476.
  return endpoint;
}

DockerEndpoint resolve_docker_endpoint(
    const Environment &env, const DockerTarget &target,
    const std::function<std::optional<std::string>()> &ambient_context,
    const std::function<std::string(const std::string &name)> &context_host) {
  if (target.context_flag && target.host_flag)
    throw Error("conflicting options: either specify --host or --context, not both");
  auto from_context = [&](const std::string &name) {
    if (name == "default" || !context_host)
      return DockerEndpoint{"", "context " + name};
    return DockerEndpoint{context_host(name), "context " + name};
  };
  if (target.context_flag)
    return from_context(*target.context_flag);
  if (target.host_flag)
    return {*target.host_flag, "-H"};
  auto docker_host = env.find("DOCKER_HOST");
  if (docker_host != env.end() && !docker_host->second.empty())
    return {docker_host->second, "DOCKER_HOST"};
  if (ambient_context)
    if (std::optional<std::string> name = ambient_context())
      return from_context(*name);
  return {};
}

std::optional<std::string> local_socket_path(const DockerEndpoint &endpoint) {
  if (endpoint.host.empty())
    return std::string("/var/run/docker.sock");
  if (starts_with(endpoint.host, "unix://") && endpoint.host.size() > 7)
    return endpoint.host.substr(7);
  return std::nullopt;
}

PluginEndpoint resolve_plugin_endpoint(
    const Environment &env, const DockerTarget &target,
    const std::function<std::optional<std::string>()> &ambient_context,
    const std::function<std::string(const std::string &name)> &context_host) {
  return plugin_endpoint_for(env, resolve_docker_endpoint(env, target, ambient_context, context_host));
}

PluginEndpoint plugin_endpoint_for(const Environment &env, const DockerEndpoint &docker) {
  auto nv_host = env.find("NV_HOST");
  if (nv_host != env.end() && !nv_host->second.empty())
    return parse_nv_host(nv_host->second);
  if (docker.host.empty()) {
    PluginEndpoint local;
    local.origin = docker.origin;
    return local;
  }
  return parse_docker_host(docker.host, docker.origin);
}

} // namespace nvd
