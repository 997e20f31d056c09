// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nvd {

// Splits on any of the separator characters; empty pieces are dropped.
std::vector<std::string> split_any(std::string_view text, std::string_view separators);

// Splits on ASCII white space, as Go's strings.Fields does.
std::vector<std::string> split_words(std::string_view text);

std::string join(const std::vector<std::string> &items, std::string_view separator);

// ASCII letters in lower case, every other byte as it is (names, headers: no locale).
std::string ascii_lower(std::string_view text);

bool starts_with(std::string_view text, std::string_view prefix);
bool ends_with(std::string_view text, std::string_view suffix);

// True for a non-empty string of ASCII digits.
bool is_decimal(std::string_view text);

// True for a non-empty name of letters, digits, '_', '.' and '-' (volume and
// label names: nothing a shell, a URL or docker's option syntax reads specially).
bool is_plain_name(std::string_view text);

// True for an absolute path of plain characters with no "." or ".." part.
bool is_safe_absolute_path(std::string_view path);

// The value of a hexadecimal digit (either case), or -1.
int hex_value(char c);

// Decodes %XX escapes and, as in an HTML form query, '+' as a space.
// Returns false on a malformed escape.
bool url_decode(std::string_view text, std::string &out);

// Escapes everything but RFC 3986 unreserved characters.
std::string url_encode(std::string_view text);

// Shows a value in a message: printable ASCII as is, anything else escaped.
std::string printable(std::string_view text);

} // namespace nvd
