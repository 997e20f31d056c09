// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace nvd {

// The parts of an http:// URL a GET needs.
struct HttpUrl {
  std::string host; // without IPv6 brackets
  int port = 80;
  std::string target = "/"; // path and query
};

// Parses "http://HOST[:PORT][/TARGET]"; false when it is not of that form.
bool parse_http_url(std::string_view url, HttpUrl &out);

// The bytes of a GET request that keeps the connection open.
std::string format_get_request(const HttpUrl &url);

// Reads one HTTP/1.x response from bytes fed as they arrive: status line,
// headers, then a body framed by Content-Length, chunked encoding, or the end
// of the connection. Bodies over `max_body` are refused.
class HttpResponseReader {
public:
  enum class State { incomplete, complete, failed };

  explicit HttpResponseReader(std::size_t max_body) : m_max_body(max_body) {}

  // Takes more bytes; returns the state after them.
  State feed(std::string_view bytes);
  // The peer closed the connection: a body read "until close" ends here.
  State end_of_stream();

  State state() const { return m_state; }
  long status() const { return m_status; }
  const std::string &body() const { return m_body; }
  // Why it failed, e.g. "answer larger than 1048576 bytes" or "not an HTTP answer".
  const std::string &error() const { return m_error; }
  bool too_large() const { return m_too_large; }
  // Whether the server allows another request on this connection.
  bool keep_alive() const { return m_keep_alive; }

private:
  State fail(std::string why);
  State parse_head();
  State parse_body();

  std::size_t m_max_body;
  std::string m_buffer;
  std::string m_body;
  std::string m_error;
  State m_state = State::incomplete;
  bool m_head_done = false;
  bool m_chunked = false;
  bool m_until_close = false;
  bool m_keep_alive = true;
  bool m_too_large = false;
  std::size_t m_content_length = 0;
  long m_status = 0;
};

} // namespace nvd
