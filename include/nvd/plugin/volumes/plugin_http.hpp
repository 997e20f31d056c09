// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// The HTTP/1.1 the volume plugin socket speaks (cpp-httplib 0.11 cannot
// listen on a unix socket): requests parsed, answers written. Pure.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nvd {

struct HttpRequest {
  std::string method;
  std::string target;
  std::string version;                                      // "HTTP/1.1" or "HTTP/1.0"
  std::vector<std::pair<std::string, std::string>> headers; // names in lower case
  std::string body;                                         // chunked bodies decoded
  bool keep_alive = true;
  bool expects_continue = false; // "Expect: 100-continue"
};

enum class HttpParseState { incomplete, complete, bad };

struct HttpParse {
  HttpParseState state = HttpParseState::incomplete;
  HttpRequest request;        // complete; also incomplete once head_complete
  bool head_complete = false; // the request line and headers are all there
  std::size_t consumed = 0;   // complete: the bytes of `data` this request took
  int status = 0;             // bad: the status to answer (400, 413, 431, 501, 505)
  std::string problem;        // bad: what was wrong
  // incomplete: parsing again cannot change the result until `data` holds
  // `wanted` bytes, or, when `line_wanted`, until a line end comes after
  // the bytes parsed. The server parses again only then: never O(n^2).
  std::size_t wanted = 0;
  bool line_wanted = false;
};

// The longest head (request line and headers) accepted.
inline constexpr std::size_t max_http_head = 16 * 1024;
// The most bytes a chunked body may spend besides its data: chunk size lines
// (with their extensions), line ends and trailers, all together.
inline constexpr std::size_t max_chunk_framing = 8 * 1024;
// The longest chunk size line (with its extensions).
inline constexpr std::size_t max_chunk_size_line = 1024;

// Parses the first request at the start of `data`: Content-Length or chunked
// bodies up to `max_body` bytes. A request split across reads is
// `incomplete` until its last byte has come. Whatever `data` holds, a request
// longer than max_http_head + max_body + max_chunk_framing is never
// incomplete: it is complete or bad before that.
HttpParse parse_http_request(std::string_view data, std::size_t max_body);

// "OK", "Not Found", ...
std::string_view http_reason(int status);

// A whole answer: status line, Content-Type, Content-Length, and
// "Connection: close" when the connection ends after it.
std::string render_http_response(int status, std::string_view content_type, std::string_view body,
                                 bool keep_alive);

} // namespace nvd
