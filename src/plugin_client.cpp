// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin_client.hpp"

#include "nvd/error.hpp"
#include "nvd/http_client.hpp"
#include "nvd/strings.hpp"

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
  HttpPluginClient(std::string base_url, std::chrono::milliseconds timeout)
      : m_base(std::move(base_url)), m_session(timeout, max_plugin_answer) {}

  GpuArguments docker_arguments(const std::vector<std::string> &volumes,
                                const std::vector<std::string> &devices) override {
    std::string url = docker_cli_url(m_base, volumes, devices);
    HttpResponse response = m_session.get(url);
    if (response.status != 200)
      throw Error(refusal_message(response, url));
    return parse_docker_cli_answer(response.body, volumes, url);
  }

  Version driver_cuda_version() override {
    std::string url = m_base + "/gpu/info/json";
    HttpResponse response = m_session.get(url);
    if (response.status != 200)
      throw Error(refusal_message(response, url));
    return parse_gpu_info_cuda(response.body, url);
  }

private:
  std::string m_base;
  HttpSession m_session;
};

} // namespace

std::string docker_cli_url(const std::string &base_url, const std::vector<std::string> &volumes,
                           const std::vector<std::string> &devices) {
  return base_url + "/docker/cli/json?vol=" + joined_query(volumes) +
         "&dev=" + joined_query(devices);
}

std::unique_ptr<PluginClient> connect_plugin(const PluginEndpoint &endpoint,
                                             std::chrono::milliseconds timeout) {
  if (endpoint.transport == PluginEndpoint::Transport::ssh)
    throw Error("NV_HOST " + endpoint.describe() +
                ": reaching the plugin through ssh needs the ssh transport, which this build "
                "lacks; use http:// with the plugin listening on a reachable address");
  return std::make_unique<HttpPluginClient>(endpoint.base_url(), timeout);
}

} // namespace nvd
