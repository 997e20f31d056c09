// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/json_events.hpp"

#include "nvd/common/error.hpp"
#include "nvd/common/strings.hpp"

#include <cmath>
#include <cstdint>
#include <cstdlib>

namespace nvd {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

class Reader {
public:
  Reader(std::string_view text, JsonEvents &events) : m_text(text), m_events(events) {}

  void read_all() {
    if (m_text.substr(0, 3) == "\xEF\xBB\xBF")
      m_at = 3; // a byte order mark, as JSON readers allow
    skip_space();
    value(0);
    skip_space();
    if (!at_end())
      fail("text after the value");
  }

private:
  [[noreturn]] void fail(const std::string &what) const {
    throw Error("at byte " + std::to_string(m_at) + ": " + what);
  }
  bool at_end() const { return m_at >= m_text.size(); }
  unsigned char next() const { return static_cast<unsigned char>(m_text[m_at]); }

  void skip_space() {
    while (!at_end() && (next() == ' ' || next() == '\t' || next() == '\n' || next() == '\r'))
      ++m_at;
  }

  void value(int depth) {
    if (at_end())
      fail("a value was expected where the text ends");
    switch (next()) {
    case '{':
      return container(depth + 1, true);
    case '[':
      return container(depth + 1, false);
    case '"':
      return m_events.string_value(string());
    case 't':
      return literal("true");
    case 'f':
      return literal("false");
    case 'n':
      literal("null");
      return m_events.null_value();
    default:
      if (next() == '-' || is_digit(static_cast<char>(next())))
        return number();
      fail("a value was expected");
    }
  }

  void literal(std::string_view word) {
    if (m_text.substr(m_at, word.size()) != word)
      fail("invalid literal");
    m_at += word.size();
    if (word != "null")
      m_events.other_value();
  }

  void digits() {
    if (at_end() || !is_digit(static_cast<char>(next())))
      fail("a digit was expected");
    while (!at_end() && is_digit(static_cast<char>(next())))
      ++m_at;
  }

  void number() {
    const std::size_t start = m_at;
    bool exponent = false;
    if (next() == '-')
      ++m_at;
    if (!at_end() && next() == '0')
      ++m_at; // no leading zeros
    else
      digits();
    if (!at_end() && next() == '.') {
      ++m_at;
      digits();
    }
    if (!at_end() && (next() == 'e' || next() == 'E')) {
      exponent = true;
      ++m_at;
      if (!at_end() && (next() == '+' || next() == '-'))
        ++m_at;
      digits();
    }
    // A number no double can hold (1e999) is refused, as JSON parsers do;
    // only a long one or one with an exponent can be that large.
    if (exponent || m_at - start > 300) {
      std::string token(m_text.substr(start, m_at - start));
      if (std::isinf(std::strtod(token.c_str(), nullptr)))
        fail("a number too large for a double");
    }
    m_events.other_value();
  }

  // An object or an array, its opening character at m_at.
  void container(int depth, bool object) {
    if (depth > max_json_depth)
      fail("nested more than " + std::to_string(max_json_depth) + " deep");
    const char close = object ? '}' : ']';
    ++m_at;
    object ? m_events.begin_object() : m_events.begin_array();
    skip_space();
    bool empty = !at_end() && next() == static_cast<unsigned char>(close);
    while (!empty) {
      skip_space();
      if (object) {
        if (at_end() || next() != '"')
          fail("a key was expected");
        m_events.key(string());
        skip_space();
        if (at_end() || next() != ':')
          fail("':' was expected");
        ++m_at;
        skip_space();
      }
      value(depth);
      skip_space();
      if (!at_end() && next() == ',') {
        ++m_at;
        continue;
      }
      if (at_end() || next() != static_cast<unsigned char>(close))
        fail(std::string("',' or '") + close + "' was expected");
      break;
    }
    ++m_at;
    object ? m_events.end_object() : m_events.end_array();
  }

  // The string at m_at (its opening quote), decoded: a view into the text when
  // it has no escapes and is ASCII, else into m_decoded, valid until the next one.
  std::string_view string() {
    const std::size_t start = ++m_at;
    while (!at_end()) {
      unsigned char c = next();
      if (c == '"')
        return m_text.substr(start, m_at++ - start);
      if (c == '\\' || c < 0x20 || c >= 0x80)
        break;
      ++m_at;
    }
    m_decoded.assign(m_text.substr(start, m_at - start));
    while (true) {
      if (at_end())
        fail("a string is not closed");
      unsigned char c = next();
      if (c == '"') {
        ++m_at;
        return m_decoded;
      }
      if (c < 0x20)
        fail("a control character in a string");
      if (c == '\\')
        escape();
      else if (c < 0x80) {
        m_decoded += static_cast<char>(c);
        ++m_at;
      } else
        utf8_sequence();
    }
  }

  void escape() {
    ++m_at;
    if (at_end())
      fail("a string is not closed");
    char c = static_cast<char>(next());
    ++m_at;
    switch (c) {
    case '"':
    case '\\':
    case '/':
      m_decoded += c;
      return;
    case 'b':
      m_decoded += '\b';
      return;
    case 'f':
      m_decoded += '\f';
      return;
    case 'n':
      m_decoded += '\n';
      return;
    case 'r':
      m_decoded += '\r';
      return;
    case 't':
      m_decoded += '\t';
      return;
    case 'u':
      break;
    default:
      --m_at;
      fail("an invalid escape in a string");
    }
    std::uint32_t code = hex4();
    if (code >= 0xDC00 && code <= 0xDFFF)
      fail("a low surrogate without a high one");
    if (code >= 0xD800 && code <= 0xDBFF) {
      if (m_text.substr(m_at, 2) != "\\u")
        fail("a high surrogate without a low one");
      m_at += 2;
      std::uint32_t low = hex4();
      if (low < 0xDC00 || low > 0xDFFF)
        fail("a high surrogate without a low one");
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(code);
  }

  std::uint32_t hex4() {
    std::uint32_t code = 0;
    for (int i = 0; i < 4; ++i, ++m_at) {
      int digit = at_end() ? -1 : hex_value(static_cast<char>(next()));
      if (digit < 0)
        fail("\\u needs four hexadecimal digits");
      code = code * 16 + static_cast<std::uint32_t>(digit);
    }
    return code;
  }

  void append_utf8(std::uint32_t code) {
    auto add = [&](std::uint32_t byte) { m_decoded += static_cast<char>(byte); };
    if (code < 0x80) {
      add(code);
    } else if (code < 0x800) {
      add(0xC0 | (code >> 6));
      add(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      add(0xE0 | (code >> 12));
      add(0x80 | ((code >> 6) & 0x3F));
      add(0x80 | (code & 0x3F));
    } else {
      add(0xF0 | (code >> 18));
      add(0x80 | ((code >> 12) & 0x3F));
      add(0x80 | ((code >> 6) & 0x3F));
      add(0x80 | (code & 0x3F));
    }
  }

  // One well-formed UTF-8 sequence (Unicode's table 3-7: no overlong forms,
  // no surrogates, nothing above U+10FFFF), copied.
  void utf8_sequence() {
    const std::size_t start = m_at;
    unsigned char lead = next();
    int more = 0;
    unsigned char low = 0x80, high = 0xBF; // the second byte's range
    if (lead >= 0xC2 && lead <= 0xDF) {
      more = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      more = 2;
      low = lead == 0xE0 ? 0xA0 : 0x80;
      high = lead == 0xED ? 0x9F : 0xBF;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      more = 3;
      low = lead == 0xF0 ? 0x90 : 0x80;
      high = lead == 0xF4 ? 0x8F : 0xBF;
    } else {
      fail("ill-formed UTF-8 in a string");
    }
    ++m_at;
    for (int i = 0; i < more; ++i, ++m_at) {
      unsigned char byte = at_end() ? 0 : next();
      if (byte < (i == 0 ? low : 0x80) || byte > (i == 0 ? high : 0xBF))
        fail("ill-formed UTF-8 in a string");
    }
    m_decoded.append(m_text.substr(start, m_at - start));
  }

  std::string_view m_text;
  JsonEvents &m_events;
  std::size_t m_at = 0;
  std::string m_decoded;
};

} // namespace

void read_json_events(std::string_view text, JsonEvents &events) { Reader(text, events).read_all(); }

} // namespace nvd
