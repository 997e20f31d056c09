// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/transport/http_wire.hpp"

#include "nvd/common/strings.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace nvd {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  return text;
}

} // namespace

bool parse_http_url(std::string_view url, HttpUrl &out) {
  if (!starts_with(url, "http://"))
    return false;
  url.remove_prefix(7);
  std::size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  std::string_view port;
  if (starts_with(authority, "[")) {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos)
      return false;
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':')
        return false;
      port = rest.substr(1);
    }
  } else {
    std::size_t colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos)
      port = authority.substr(colon + 1);
  }
  out.port = 80;
  if (!port.empty()) {
    if (!is_decimal(port) || port.size() > 5)
      return false;
    out.port = std::stoi(std::string(port));
  }
  return !out.host.empty() && out.port > 0 && out.port <= 65535;
}

std::string format_get_request(const HttpUrl &url) {
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  return "GET " + url.target + " HTTP/1.1\r\nHost: " + host + ":" + std::to_string(url.port) +
         "\r\nUser-Agent: nvidia-docker\r\nAccept: */*\r\n\r\n";
}

HttpResponseReader::State HttpResponseReader::fail(std::string why) {
  m_error = std::move(why);
  m_state = State::failed;
  return m_state;
}

HttpResponseReader::State HttpResponseReader::feed(std::string_view bytes) {
  if (m_state != State::incomplete)
    return m_state;
  m_buffer.append(bytes);
  if (!m_head_done) {
    State state = parse_head();
    if (!m_head_done)
      return state;
  }
  return parse_body();
}

HttpResponseReader::State HttpResponseReader::end_of_stream() {
  if (m_state != State::incomplete)
    return m_state;
  if (m_head_done && m_until_close) {
    m_state = State::complete;
    return m_state;
  }
  return fail(m_head_done ? "the connection closed in the middle of the answer"
                          : m_buffer.empty() ? "the connection closed without an answer"
                                             : "the connection closed in the middle of the headers");
}

HttpResponseReader::State HttpResponseReader::parse_head() {
  // A real server starts with "HTTP/": anything else (an SSH banner, a
  // database greeting) is refused at once rather than waited upon.
  std::size_t known = std::min<std::size_t>(m_buffer.size(), 5);
  if (m_buffer.compare(0, known, std::string("HTTP/").substr(0, known)) != 0)
    return fail("not an HTTP answer");
  std::size_t end = m_buffer.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (m_buffer.size() > 64 * 1024)
      return fail("headers larger than 64 KiB");
    return m_state;
  }
  std::string head = m_buffer.substr(0, end);
  m_buffer.erase(0, end + 4);
  std::vector<std::string> lines = split_any(head, "\n");
  if (lines.empty())
    return fail("not an HTTP answer");
  std::string status_line(trim(lines[0]));
  // "HTTP/1.1 200 OK"
  if (status_line.size() < 12 || !starts_with(status_line, "HTTP/1.") || status_line[8] != ' ' ||
      !is_decimal(status_line.substr(9, 3)))
    return fail("not an HTTP answer");
  m_status = std::stol(status_line.substr(9, 3));
  m_keep_alive = status_line[7] == '1';
  bool has_length = false;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = trim(lines[i]);
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos)
      return fail("malformed header line");
    std::string name = ascii_lower(trim(line.substr(0, colon)));
    std::string value = ascii_lower(trim(line.substr(colon + 1)));
    if (name == "content-length") {
      if (!is_decimal(value) || value.size() > 12)
        return fail("malformed Content-Length");
      m_content_length = std::stoull(value);
      has_length = true;
    } else if (name == "transfer-encoding") {
      m_chunked = value.find("chunked") != std::string::npos;
    } else if (name == "connection") {
      if (value.find("close") != std::string::npos)
        m_keep_alive = false;
      else if (value.find("keep-alive") != std::string::npos)
        m_keep_alive = true;
    }
  }
  m_head_done = true;
  bool no_body = m_status == 204 || m_status == 304 || (m_status >= 100 && m_status < 200);
  if (no_body) {
    m_content_length = 0;
    has_length = true;
    m_chunked = false;
  }
  if (!m_chunked && !has_length) {
    m_until_close = true;
    m_keep_alive = false;
  }
  if (!m_chunked && has_length && m_content_length > m_max_body) {
    m_too_large = true;
    return fail("answer larger than " + std::to_string(m_max_body) + " bytes");
  }
  return m_state;
}

HttpResponseReader::State HttpResponseReader::parse_body() {
  if (m_until_close) {
    m_body += m_buffer;
    m_buffer.clear();
    if (m_body.size() > m_max_body) {
      m_too_large = true;
      return fail("answer larger than " + std::to_string(m_max_body) + " bytes");
    }
    return m_state;
  }
  if (!m_chunked) {
    std::size_t take = std::min(m_buffer.size(), m_content_length - m_body.size());
    m_body.append(m_buffer, 0, take);
    m_buffer.erase(0, take);
    if (m_body.size() == m_content_length)
      m_state = State::complete;
    return m_state;
  }
  while (true) {
    std::size_t line_end = m_buffer.find("\r\n");
    if (line_end == std::string::npos)
      return m_buffer.size() > 1024 ? fail("malformed chunk size") : m_state;
    std::string size_text(trim(std::string_view(m_buffer).substr(0, line_end)));
    size_text = size_text.substr(0, size_text.find(';'));
    if (size_text.empty() || size_text.size() > 12 ||
        size_text.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
      return fail("malformed chunk size");
    std::size_t size = std::stoull(size_text, nullptr, 16);
    if (size == 0) {
      // The last chunk, then optional trailers, then an empty line.
      if (m_buffer.find("\r\n\r\n", line_end) == std::string::npos)
        return m_state;
      m_state = State::complete;
      return m_state;
    }
    if (m_body.size() + size > m_max_body) {
      m_too_large = true;
      return fail("answer larger than " + std::to_string(m_max_body) + " bytes");
    }
    if (m_buffer.size() < line_end + 2 + size + 2)
      return m_state;
    m_body.append(m_buffer, line_end + 2, size);
    if (m_buffer.compare(line_end + 2 + size, 2, "\r\n") != 0)
      return fail("malformed chunk");
    m_buffer.erase(0, line_end + 2 + size + 2);
  }
}

} // namespace nvd
