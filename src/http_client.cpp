// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/http_client.hpp"

#include "nvd/curl_api.hpp"
#include "nvd/error.hpp"

#include <cstdio>
#include <curl/curl.h>
#include <sys/socket.h>

namespace nvd {

static std::string seconds(long milliseconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", static_cast<double>(milliseconds) / 1000);
  return text;
}

struct HttpSession::Impl {
  CURL *curl = nullptr;
  std::chrono::milliseconds timeout;
  std::size_t max_body;
  std::string body;
  bool too_large = false;
  char error[CURL_ERROR_SIZE] = {};
  std::function<void()> on_connect;
  bool new_connection = false;
  std::string connect_error;

  // libcurl 7.88 ignores CURL_SOCKOPT_ALREADY_CONNECTED (curl#10626), so a
  // tunnel cannot be handed over as a ready socket; libcurl opens and connects
  // its own socket, and we only note that a new connection was made.
  static curl_socket_t open_socket(void *self, curlsocktype, struct curl_sockaddr *address) {
    static_cast<Impl *>(self)->new_connection = true;
    return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
  }

  static int connected(void *self, char *, char *, int, int) {
    auto *impl = static_cast<Impl *>(self);
    if (!impl->new_connection || !impl->on_connect)
      return CURL_PREREQFUNC_OK;
    impl->new_connection = false;
    try {
      impl->on_connect();
      return CURL_PREREQFUNC_OK;
    } catch (const Error &error) {
      impl->connect_error = error.what();
      return CURL_PREREQFUNC_ABORT;
    }
  }

  static size_t collect(char *data, size_t size, size_t count, void *self) {
    auto *impl = static_cast<Impl *>(self);
    size_t bytes = size * count;
    if (impl->body.size() + bytes > impl->max_body) {
      impl->too_large = true;
      return 0; // makes libcurl stop with CURLE_WRITE_ERROR
    }
    impl->body.append(data, bytes);
    return bytes;
  }
};

HttpSession::HttpSession(std::chrono::milliseconds timeout, std::size_t max_body)
    : m_impl(std::make_unique<Impl>()) {
  m_impl->timeout = timeout;
  m_impl->max_body = max_body;
  m_impl->curl = curl_api().easy_init();
  if (m_impl->curl == nullptr)
    throw Error("cannot initialise libcurl");
}

HttpSession::~HttpSession() {
  if (m_impl->curl != nullptr)
    curl_api().easy_cleanup(m_impl->curl);
}

void HttpSession::use_unix_socket(const std::string &path) {
  curl_api().easy_setopt(m_impl->curl, CURLOPT_UNIX_SOCKET_PATH, path.c_str());
}

void HttpSession::connect_through(const std::string &abstract_socket,
                                  std::function<void()> on_connect) {
  const CurlApi &api = curl_api();
  m_impl->on_connect = std::move(on_connect);
  api.easy_setopt(m_impl->curl, CURLOPT_ABSTRACT_UNIX_SOCKET, abstract_socket.c_str());
  api.easy_setopt(m_impl->curl, CURLOPT_OPENSOCKETFUNCTION, &Impl::open_socket);
  api.easy_setopt(m_impl->curl, CURLOPT_OPENSOCKETDATA, m_impl.get());
  api.easy_setopt(m_impl->curl, CURLOPT_PREREQFUNCTION, &Impl::connected);
  api.easy_setopt(m_impl->curl, CURLOPT_PREREQDATA, m_impl.get());
}

HttpResponse HttpSession::get(const std::string &url) {
  const CurlApi &api = curl_api();
  CURL *curl = m_impl->curl;
  m_impl->body.clear();
  m_impl->too_large = false;
  m_impl->error[0] = '\0';
  long total_ms = static_cast<long>(m_impl->timeout.count());
  api.easy_setopt(curl, CURLOPT_URL, url.c_str());
  api.easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  api.easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http");
  api.easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  // The plugin sits next to the docker daemon: a proxy has no business in between.
  api.easy_setopt(curl, CURLOPT_NOPROXY, "*");
  api.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  api.easy_setopt(curl, CURLOPT_TIMEOUT_MS, total_ms);
  api.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, total_ms);
  api.easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Impl::collect);
  api.easy_setopt(curl, CURLOPT_WRITEDATA, m_impl.get());
  api.easy_setopt(curl, CURLOPT_ERRORBUFFER, m_impl->error);
  api.easy_setopt(curl, CURLOPT_USERAGENT, "nvidia-docker");

  m_impl->connect_error.clear();
  CURLcode code = api.easy_perform(curl);
  if (code != CURLE_OK && !m_impl->connect_error.empty())
    throw Error(m_impl->connect_error);
  if (code != CURLE_OK) {
    std::string detail = m_impl->error[0] != '\0' ? m_impl->error : api.easy_strerror(code);
    switch (code) {
    case CURLE_COULDNT_CONNECT:
      throw Error(url + ": connection refused (" + detail +
                  ") - is nvidia-docker-plugin running? Start it (e.g. `systemctl start "
                  "nvidia-docker-plugin`), or point NV_HOST at the host that runs it");
    case CURLE_OPERATION_TIMEDOUT:
      throw Error(url + ": no answer within " + seconds(total_ms) + " (" + detail +
                  "); set NV_TIMEOUT to wait longer");
    case CURLE_COULDNT_RESOLVE_HOST:
      throw Error(url + ": cannot resolve the host name (" + detail + ")");
    case CURLE_WRITE_ERROR:
      if (m_impl->too_large)
        throw Error(url + ": answer larger than " + std::to_string(m_impl->max_body) +
                    " bytes, refused");
      break;
    case CURLE_UNSUPPORTED_PROTOCOL: // an HTTP/0.9-looking reply: not an HTTP server
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      throw Error(url + ": broken answer (" + detail + ") - is that port really nvidia-docker-plugin?");
    default:
      break;
    }
    throw Error(url + ": " + detail);
  }
  HttpResponse response;
  api.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  response.body = std::move(m_impl->body);
  return response;
}

} // namespace nvd
