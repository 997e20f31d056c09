// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/shell_quote.hpp"

#include <cstdio>

namespace nvd {

std::string shell_quote(std::string_view word) {
  if (word.empty())
    return "''";
  bool safe = true, printable = true;
  for (unsigned char c : word) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    bool punctuation = c == '_' || c == '-' || c == '.' || c == '/' || c == ':' || c == ',' ||
                       c == '=' || c == '@' || c == '%' || c == '+';
    safe = safe && (plain || punctuation);
    printable = printable && c >= 0x20 && c < 0x7f;
  }
  if (safe)
    return std::string(word);
  std::string out;
  if (printable) {
    out = "'";
    for (char c : word)
      out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  }
  out = "$'";
  for (unsigned char c : word) {
    if (c == '\'' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", c);
      out += buffer;
    }
  }
  return out + "'";
}

std::string shell_join(const std::vector<std::string> &words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0)
      out += ' ';
    out += shell_quote(words[i]);
  }
  return out;
}

} // namespace nvd
