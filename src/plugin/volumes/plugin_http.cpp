// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/volumes/plugin_http.hpp"

#include "nvd/common/strings.hpp"

#include <algorithm>
#include <cctype>

namespace nvd {

namespace {

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view text) {
  if (text.empty())
    return false;
  for (char c : text)
    if (!is_token_char(c))
      return false;
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

// The next line of `data` from `offset` (LF or CRLF ended); false when no
// line end has come yet.
bool next_line(std::string_view data, std::size_t &offset, std::string_view &line) {
  std::size_t end = data.find('\n', offset);
  if (end == std::string_view::npos)
    return false;
  line = data.substr(offset, end - offset);
  if (!line.empty() && line.back() == '\r')
    line.remove_suffix(1);
  offset = end + 1;
  return true;
}

bool has_token(std::string_view list, std::string_view token) {
  for (const std::string &item : split_any(list, ","))
    if (ascii_lower(trim(item)) == token)
      return true;
  return false;
}

HttpParse bad(int status, std::string problem) {
  HttpParse parse;
  parse.state = HttpParseState::bad;
  parse.status = status;
  parse.problem = std::move(problem);
  return parse;
}

// What read_chunked() waits for when incomplete, and why it failed when bad.
struct ChunkedWait {
  std::size_t wanted = 0;
  bool line_wanted = false;
  HttpParse failure;
};

// A chunked body from `offset`: incomplete, bad or complete (then `offset`
// is past its end). Size lines, line ends and trailers share one budget
// (max_chunk_framing): a small body can never make a large request.
HttpParseState read_chunked(std::string_view data, std::size_t &offset, std::size_t max_body,
                            std::string &body, ChunkedWait &wait) {
  std::size_t framing = 0;
  auto over_budget = [&] {
    wait.failure = bad(413, "the chunk size lines and trailers are larger than " +
                                std::to_string(max_chunk_framing) + " bytes");
    return HttpParseState::bad;
  };
  // Incomplete while waiting for a line end: bad once the line in progress
  // passes `line_limit` bytes or the budget.
  auto await_line = [&](std::size_t line_limit) {
    std::size_t pending = data.size() - offset;
    if (framing + pending > max_chunk_framing)
      return over_budget();
    if (pending > line_limit) {
      wait.failure = bad(400, "a chunk size line is too long");
      return HttpParseState::bad;
    }
    wait.line_wanted = true;
    wait.wanted = offset + std::min(line_limit, max_chunk_framing - framing) + 1;
    return HttpParseState::incomplete;
  };
  while (true) {
    std::size_t line_start = offset;
    std::string_view line;
    if (!next_line(data, offset, line))
      return await_line(max_chunk_size_line);
    framing += offset - line_start;
    if (offset - line_start > max_chunk_size_line) {
      wait.failure = bad(400, "a chunk size line is too long");
      return HttpParseState::bad;
    }
    if (framing > max_chunk_framing)
      return over_budget();
    std::string_view size_text = trim(line.substr(0, line.find(';')));
    if (size_text.empty() || size_text.size() > 8) {
      wait.failure = bad(400, "a chunk size is not a hexadecimal number");
      return HttpParseState::bad;
    }
    std::size_t size = 0;
    for (char c : size_text) {
      int digit = hex_value(c);
      if (digit < 0) {
        wait.failure = bad(400, "a chunk size is not a hexadecimal number");
        return HttpParseState::bad;
      }
      size = size * 16 + static_cast<std::size_t>(digit);
    }
    if (size == 0) {
      // Trailers, ignored, up to the empty line.
      while (true) {
        line_start = offset;
        if (!next_line(data, offset, line))
          return await_line(max_chunk_framing);
        framing += offset - line_start;
        if (framing > max_chunk_framing)
          return over_budget();
        if (line.empty())
          return HttpParseState::complete;
      }
    }
    if (body.size() + size > max_body) {
      wait.failure =
          bad(413, "the request body is larger than " + std::to_string(max_body) + " bytes");
      return HttpParseState::bad;
    }
    if (data.size() - offset < size + 2) {
      wait.wanted = offset + size + 2;
      return HttpParseState::incomplete;
    }
    body.append(data.substr(offset, size));
    offset += size;
    if (data.substr(offset, 2) == "\r\n")
      offset += 2, framing += 2;
    else if (data[offset] == '\n')
      offset += 1, framing += 1;
    else {
      wait.failure = bad(400, "a chunk does not end with CRLF");
      return HttpParseState::bad;
    }
  }
}

// Incomplete, waiting for a line end of the head.
HttpParse awaiting_head_line(HttpParse parse) {
  parse.line_wanted = true;
  parse.wanted = max_http_head + 1;
  return parse;
}

} // namespace

HttpParse parse_http_request(std::string_view data, std::size_t max_body) {
  HttpParse parse;
  std::size_t offset = 0;
  // Empty lines before a request are allowed (RFC 9112, 2.2).
  while (offset < data.size() && (data[offset] == '\r' || data[offset] == '\n'))
    ++offset;

  std::string_view line;
  if (!next_line(data, offset, line))
    return data.size() > max_http_head ? bad(431, "the request line is too long")
                                       : awaiting_head_line(parse);
  std::size_t first = line.find(' ');
  std::size_t second = first == std::string_view::npos ? first : line.find(' ', first + 1);
  if (second == std::string_view::npos || line.find(' ', second + 1) != std::string_view::npos)
    return bad(400, "malformed request line");
  HttpRequest &request = parse.request;
  request.method = std::string(line.substr(0, first));
  request.target = std::string(line.substr(first + 1, second - first - 1));
  request.version = std::string(line.substr(second + 1));
  if (!is_token(request.method))
    return bad(400, "malformed method");
  if (request.target.empty())
    return bad(400, "empty request target");
  for (char c : request.target)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return bad(400, "control characters in the request target");
  if (request.version != "HTTP/1.1" && request.version != "HTTP/1.0") {
    if (starts_with(request.version, "HTTP/"))
      return bad(505, "only HTTP/1.1 and HTTP/1.0 are served");
    return bad(400, "malformed request line");
  }

  bool have_length = false, chunked = false;
  std::size_t length = 0;
  std::string connection;
  while (true) {
    if (!next_line(data, offset, line))
      return offset > max_http_head || data.size() > max_http_head
                 ? bad(431, "the request headers are larger than " + std::to_string(max_http_head) +
                                " bytes")
                 : awaiting_head_line(parse);
    if (offset > max_http_head)
      return bad(431,
                 "the request headers are larger than " + std::to_string(max_http_head) + " bytes");
    if (line.empty())
      break;
    if (line.front() == ' ' || line.front() == '\t')
      return bad(400, "folded header lines are not accepted");
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !is_token(line.substr(0, colon)))
      return bad(400, "malformed header line");
    std::string name = ascii_lower(line.substr(0, colon));
    std::string value(trim(line.substr(colon + 1)));
    if (name == "content-length") {
      if (!is_decimal(value) || value.size() > 12)
        return bad(400, "malformed Content-Length");
      std::size_t parsed = std::stoull(value);
      if (have_length && parsed != length)
        return bad(400, "conflicting Content-Length headers");
      have_length = true;
      length = parsed;
    } else if (name == "transfer-encoding") {
      if (ascii_lower(value) != "chunked" || chunked)
        return bad(501, "only the chunked transfer coding is served");
      chunked = true;
    } else if (name == "connection") {
      connection += value + ",";
    } else if (name == "expect") {
      if (ascii_lower(value) != "100-continue")
        return bad(417, "only \"Expect: 100-continue\" is served");
      request.expects_continue = true;
    }
    request.headers.emplace_back(std::move(name), std::move(value));
  }
  // Both framings at once is how requests are smuggled: refused.
  if (have_length && chunked)
    return bad(400, "both Content-Length and Transfer-Encoding");
  request.keep_alive = request.version == "HTTP/1.1" ? !has_token(connection, "close")
                                                     : has_token(connection, "keep-alive");
  parse.head_complete = true;

  if (chunked) {
    ChunkedWait wait;
    HttpParseState state = read_chunked(data, offset, max_body, request.body, wait);
    if (state == HttpParseState::bad)
      return wait.failure;
    if (state == HttpParseState::incomplete) {
      request.body.clear();
      parse.wanted = wait.wanted;
      parse.line_wanted = wait.line_wanted;
      return parse;
    }
  } else if (have_length) {
    if (length > max_body)
      return bad(413, "the request body is larger than " + std::to_string(max_body) + " bytes");
    if (data.size() - offset < length) {
      parse.wanted = offset + length;
      return parse;
    }
    request.body = std::string(data.substr(offset, length));
    offset += length;
  }
  parse.state = HttpParseState::complete;
  parse.consumed = offset;
  return parse;
}

std::string_view http_reason(int status) {
  switch (status) {
  case 100:
    return "Continue";
  case 200:
    return "OK";
  case 400:
    return "Bad Request";
  case 404:
    return "Not Found";
  case 405:
    return "Method Not Allowed";
  case 408:
    return "Request Timeout";
  case 413:
    return "Content Too Large";
  case 417:
    return "Expectation Failed";
  case 431:
    return "Request Header Fields Too Large";
  case 500:
    return "Internal Server Error";
  case 501:
    return "Not Implemented";
  case 503:
    return "Service Unavailable";
  case 505:
    return "HTTP Version Not Supported";
  default:
    return "Unknown";
  }
}

std::string render_http_response(int status, std::string_view content_type, std::string_view body,
                                 bool keep_alive) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(http_reason(status)) +
                    "\r\nContent-Type: " + std::string(content_type) +
                    "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  if (!keep_alive)
    out += "Connection: close\r\n";
  out += "\r\n";
  out += body;
  return out;
}

} // namespace nvd
