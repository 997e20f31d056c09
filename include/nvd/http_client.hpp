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

  // Connects to the unix socket at `path` instead of the URL's host (a local
  // Docker Engine API).
  void use_unix_socket(const std::string &path);

  // Connects to an abstract unix socket instead of the URL's host, and calls
  // `on_connect` each time a new connection to it has been made (before the
  // request is sent): how an ssh tunnel is attached to the connection.
  void connect_through(const std::string &abstract_socket, std::function<void()> on_connect);

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

} // namespace nvd
