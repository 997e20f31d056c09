// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/transport/http_client.hpp"

#include "nvd/client/transport/curl_api.hpp"
#include "nvd/common/error.hpp"
#include "nvd/client/transport/http_errors.hpp"

#include <cstdio>
#include <curl/curl.h>

namespace nvd {


struct HttpSession::Impl {
  CURL *curl = nullptr;
  std::chrono::milliseconds timeout;
  std::size_t max_body;
  std::string body;
  bool too_large = false;
  char error[CURL_ERROR_SIZE] = {};
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

  CURLcode code = api.easy_perform(curl);
  if (code != CURLE_OK) {
    std::string detail = m_impl->error[0] != '\0' ? m_impl->error : api.easy_strerror(code);
    switch (code) {
    case CURLE_COULDNT_CONNECT:
      throw refused_error(url, detail);
    case CURLE_OPERATION_TIMEDOUT:
      throw timeout_error(url, m_impl->timeout, detail);
    case CURLE_COULDNT_RESOLVE_HOST:
      throw Error(url + ": cannot resolve the host name (" + detail + ")");
    case CURLE_WRITE_ERROR:
      if (m_impl->too_large)
        throw too_large_error(url, m_impl->max_body);
      break;
    case CURLE_UNSUPPORTED_PROTOCOL: // an HTTP/0.9-looking reply: not an HTTP server
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      throw broken_answer_error(url, detail);
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
