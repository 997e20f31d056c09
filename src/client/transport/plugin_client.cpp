// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/transport/plugin_client.hpp"

#include "nvd/common/error.hpp"
#include "nvd/client/transport/http_client.hpp"
#include "nvd/client/transport/ssh_command.hpp"
#include "nvd/client/transport/ssh_tunnel.hpp"
#include "nvd/client/transport/stream_http.hpp"
#include "nvd/common/strings.hpp"

namespace nvd {
namespace {

std::string joined_query(const std::vector<std::string> &items) {
  std::vector<std::string> encoded;
  for (const auto &item : items)
    encoded.push_back(url_encode(item));
  return join(encoded, "+");
}

// The plugin's refusal as the user should read it.
std::string refusal_message(const HttpResponse &response, const std::string &url) {
  std::string text = response.body.substr(0, 300);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.pop_back();
  text = printable(text);
  if (response.status == 400 &&
      (starts_with(text, "invalid device: ") || starts_with(text, "ambiguous device: ")))
    return "NV_GPU: " + text + " (answer of " + url + ")";
  if (response.status == 400 && starts_with(text, "invalid volume: "))
    return text + " (the image asks for a volume the plugin at " + url + " does not serve)";
  if (response.status >= 300 && response.status < 400)
    return url + ": HTTP " + std::to_string(response.status) + " (redirects are not followed)";
  return url + ": HTTP " + std::to_string(response.status) + (text.empty() ? "" : ": " + text);
}

class HttpPluginClient : public PluginClient {
public:
  HttpPluginClient(const PluginEndpoint &endpoint, std::chrono::milliseconds timeout,
                   const Environment &env, const RemoteHttp &remote)
      : m_base(endpoint.base_url()) {
    if (endpoint.transport == PluginEndpoint::Transport::ssh) {
      m_tunnel = std::make_unique<SshTunnel>(ssh_command_from(env), endpoint, env, timeout);
      SshTunnel *tunnel = m_tunnel.get();
      m_session = std::make_unique<StreamHttpSession>(
          [tunnel](std::chrono::steady_clock::time_point) { return tunnel->open(); }, timeout,
          max_plugin_answer);
      m_ssh = "ssh://" + (endpoint.user.empty() ? "" : endpoint.user + "@") + endpoint.host + ":" +
              std::to_string(endpoint.ssh_port);
    } else if (!plugin_needs_libcurl(endpoint, env)) {
      // This machine: our own few lines of HTTP cost less than loading libcurl.
      m_session = std::make_unique<StreamHttpSession>(tcp_opener(endpoint.host, endpoint.plugin_port),
                                                      timeout, max_plugin_answer);
    } else {
      m_session = remote(timeout, max_plugin_answer);
    }
  }

  GpuArguments docker_arguments(const std::vector<std::string> &volumes,
                                const std::vector<std::string> &devices) override {
    std::string url = docker_cli_url(m_base, volumes, devices);
    HttpResponse response = get(url);
    if (response.status != 200)
      throw Error(refusal_message(response, url));
    return parse_docker_cli_answer(response.body, volumes, url);
  }

  PluginGpuInfo gpu_info() override {
    std::string url = m_base + "/gpu/info/json";
    HttpResponse response = get(url);
    if (response.status != 200)
      throw Error(refusal_message(response, url));
    return parse_gpu_info(response.body, url);
  }

private:
  // Through ssh, a failure is best explained by what ssh said.
  HttpResponse get(const std::string &url) {
    try {
      return m_session->get(url);
    } catch (const Error &error) {
      if (!m_tunnel)
        throw;
      std::string why = m_tunnel->diagnose();
      throw Error(m_ssh + ": " + (why.empty() ? std::string(error.what()) : why));
    }
  }

  std::string m_base;
  std::unique_ptr<SshTunnel> m_tunnel; // outlives the session that reads from it
  std::unique_ptr<HttpGetter> m_session;
  std::string m_ssh;
};

} // namespace

std::string docker_cli_url(const std::string &base_url, const std::vector<std::string> &volumes,
                           const std::vector<std::string> &devices) {
  return base_url + "/docker/cli/json?vol=" + joined_query(volumes) +
         "&dev=" + joined_query(devices);
}

bool plugin_needs_libcurl(const PluginEndpoint &endpoint, const Environment &env) {
  return endpoint.transport == PluginEndpoint::Transport::http &&
         (!is_loopback_host(endpoint.host) || switch_from(env, "NV_USE_LIBCURL"));
}

std::unique_ptr<PluginClient> connect_plugin(const PluginEndpoint &endpoint,
                                             std::chrono::milliseconds timeout,
                                             const Environment &env, const RemoteHttp &remote) {
  return std::make_unique<HttpPluginClient>(endpoint, timeout, env, remote);
}

} // namespace nvd
