// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nvd {

// A whole file's bytes, or nullopt when it cannot be read. (Plain POSIX I/O:
// the client links no iostreams, whose set-up every start would pay for.)
std::optional<std::string> read_text_file(const std::string &path);

// Creates a folder and its missing parents (as mkdir -p); false when it cannot.
bool make_directories(const std::string &path);

// Writes `text` to `path` whole, through a temporary file renamed into place,
// so that a reader never sees half of it. False when it cannot.
bool write_file_atomically(const std::string &path, std::string_view text);

} // namespace nvd
