// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <chrono>
#include <memory>
#include <string>

namespace nvd {

struct HttpResponse {
  long status = 0;
  std::string body;
};

// HTTP GET over one reused connection (libcurl), with a total timeout, a cap on
// the answer's size, no redirects and no proxy. Failures are Errors that name
// the URL and what went wrong.
class HttpSession {
public:
  HttpSession(std::chrono::milliseconds timeout, std::size_t max_body);
  ~HttpSession();
  HttpSession(const HttpSession &) = delete;
  HttpSession &operator=(const HttpSession &) = delete;

  HttpResponse get(const std::string &url);

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

} // namespace nvd
