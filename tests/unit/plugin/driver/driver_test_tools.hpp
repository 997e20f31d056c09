// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace nvd::test {

// One entry of a hand-made ld.so.cache.
struct CacheRow {
  std::string name;
  std::string path;
  std::int32_t flags = 0x0303; // libc6, x86-64
  std::uint64_t hwcap = 0;
};

// The bytes of an ld.so.cache of glibc's new format, as `ldconfig -c new`
// writes it (less the extension directory, which the parser does not read).
std::string new_cache(const std::vector<CacheRow> &rows, std::uint8_t endian = 2);

// The strings of `rows` as one table (name, path, name, path...), and each
// row's offsets into it.
struct Strings {
  std::string table;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> offsets;
};
Strings strings_of(const std::vector<CacheRow> &rows);

// Appends a little-endian number.
void put32(std::string &bytes, std::uint32_t value);

// ldconfig's path on this machine, or "" when it has none.
std::string ldconfig_program();

// Runs `ldconfig -r root` with `arguments` (which writes root/etc/ld.so.cache
// and the SONAME links); fails the test when it fails.
void run_ldconfig(const std::string &root, const std::string &arguments = "");

// The standard output of a shell command; fails the test when it fails.
std::string command_output(const std::string &command);

// The whole content of a file; fails the test when it cannot be read.
std::string read_test_file(const std::string &path);

// Creates each folder (and its parents) under `root`.
void make_folders(const std::string &root, const std::vector<std::string> &folders);

// A symbolic link at `path` to `target`; fails the test when it cannot.
void make_link(const std::string &target, const std::string &path);

} // namespace nvd::test
