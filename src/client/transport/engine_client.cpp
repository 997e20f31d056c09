// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/transport/engine_client.hpp"

#include "nvd/common/error.hpp"
#include "nvd/client/transport/http_client.hpp"
#include "nvd/client/transport/stream_http.hpp"
#include "nvd/common/strings.hpp"

#include <nlohmann/json.hpp>

namespace nvd {

// Image inspections carry the image's history and layers: allow more than a plugin answer.
static constexpr std::size_t max_inspect_answer = 16 * 1024 * 1024;

std::string engine_image_path(std::string_view image) {
  std::string path = "/images/";
  for (const auto &segment : split_any(image, "/")) {
    if (path.size() > 8)
      path += '/';
    std::string escaped = url_encode(segment);
    // ':' and '@' separate tag and digest; the engine expects them as written.
    std::string readable;
    for (std::size_t i = 0; i < escaped.size(); ++i) {
      if (escaped.compare(i, 3, "%3A") == 0) {
        readable += ':';
        i += 2;
      } else if (escaped.compare(i, 3, "%40") == 0) {
        readable += '@';
        i += 2;
      } else {
        readable += escaped[i];
      }
    }
    path += readable;
  }
  return path + "/json";
}

std::optional<ImageConfig> parse_engine_inspect(long status, std::string_view body,
                                                const std::string &image,
                                                const std::string &socket_path) {
  if (status == 404)
    return std::nullopt;
  if (status == 200) {
    std::optional<ImageConfig> config = parse_inspection_config(body, image);
    if (!config)
      throw Error("cannot read image " + printable(image) + ": the docker daemon at unix://" + socket_path +
                  " answered no JSON object");
    return config;
  }
  nlohmann::json answer = nlohmann::json::parse(body, nullptr, false);
  std::string message = answer.is_object() && answer.contains("message") && answer["message"].is_string()
                            ? answer["message"].get<std::string>()
                            : std::string(body.substr(0, 200));
  throw Error("cannot read image " + printable(image) + " from the docker daemon at unix://" + socket_path +
              ": HTTP " + std::to_string(status) + ": " + printable(message));
}

EngineImageStore::EngineImageStore(std::string socket_path, std::chrono::milliseconds timeout,
                                   std::unique_ptr<ImageStore> puller)
    : m_socket(std::move(socket_path)), m_timeout(timeout), m_puller(std::move(puller)) {}

EngineImageStore::~EngineImageStore() = default;

std::optional<ImageConfig> EngineImageStore::inspect(const std::string &image) {
  if (image.empty() || image[0] == '-')
    return m_puller->inspect(image); // let the docker client word its refusal
  StreamHttpSession session(unix_socket_opener(m_socket), m_timeout, max_inspect_answer);
  std::string url = "http://docker" + engine_image_path(image);
  HttpResponse response;
  try {
    response = session.get(url);
  } catch (const Error &) {
    // The daemon is down or not answering: the docker client says so in its own words.
    return m_puller->inspect(image);
  }
  return parse_engine_inspect(response.status, response.body, image, m_socket);
}

DaemonInfo EngineImageStore::daemon_info() {
  StreamHttpSession session(unix_socket_opener(m_socket), m_timeout, max_inspect_answer);
  HttpResponse response;
  try {
    response = session.get("http://docker/info");
  } catch (const Error &) {
    return m_puller->daemon_info(); // the docker client says why, in its own words
  }
  if (response.status != 200)
    return m_puller->daemon_info();
  return parse_daemon_info(response.body);
}

void EngineImageStore::pull(const std::string &image, const std::optional<std::string> &platform,
                            bool quiet) {
  m_puller->pull(image, platform, quiet);
}

} // namespace nvd
