// SPDX-License-Identifier: BSD-3-Clause
#include "support/http_get.hpp"

#include <curl/curl.h>
#include <mutex>
#include <strings.h>

namespace nvd::test {

static size_t collect(char *data, size_t size, size_t count, void *target) {
  static_cast<std::string *>(target)->append(data, size * count);
  return size * count;
}

static size_t collect_header(char *data, size_t size, size_t count, void *target) {
  std::string line(data, size * count);
  if (line.size() > 6 && strncasecmp(line.c_str(), "Allow:", 6) == 0) {
    std::string value = line.substr(6);
    while (!value.empty() && (value.front() == ' '))
      value.erase(value.begin());
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n'))
      value.pop_back();
    *static_cast<std::string *>(target) = value;
  }
  return size * count;
}

HttpResult http_request(const std::string &url, const std::string &method) {
  // curl_global_init is not thread-safe; tests call this from many threads.
  static std::once_flag initialized;
  std::call_once(initialized, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  HttpResult result;
  CURL *curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "HEAD")
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &result.allow);
  CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
    char *type = nullptr;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
    if (type != nullptr)
      result.content_type = type;
  } else {
    result.error = curl_easy_strerror(code);
  }
  curl_easy_cleanup(curl);
  return result;
}

} // namespace nvd::test
