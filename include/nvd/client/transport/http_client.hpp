// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace nvd {

struct HttpResponse {
  long status = 0;
  std::string body;
};

// One HTTP GET at a time, on a connection kept between requests. Failures are
// Errors that name the URL and what went wrong.
class HttpGetter {
public:
  virtual ~HttpGetter() = default;
  virtual HttpResponse get(const std::string &url) = 0;
};

// HttpGetter over libcurl (loaded on first use), with a total timeout, a cap
// on the answer's size, no redirects and no proxy: for plugins on other hosts.
class HttpSession : public HttpGetter {
public:
  HttpSession(std::chrono::milliseconds timeout, std::size_t max_body);
  ~HttpSession() override;
  HttpSession(const HttpSession &) = delete;
  HttpSession &operator=(const HttpSession &) = delete;

  HttpResponse get(const std::string &url) override;

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

} // namespace nvd
