// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nvd {

// The machine a cache entry's library is built for, from the entry's flags.
enum class LibraryArch {
  x86_64,
  // ldconfig tags 32-bit x86 libraries with no machine bits: an untagged ELF entry.
  i386,
  aarch64,
  other, // x32, 32-bit ARM, PowerPC, MIPS, libc5, ...: never part of a driver volume here
};

// "x86-64", "i386", "AArch64", "other".
std::string_view arch_name(LibraryArch arch);

// The machine this program is built for (what dlopen in this process can load).
LibraryArch native_arch();

// One library that glibc's ld.so.cache lists.
struct LdCacheEntry {
  std::string name; // the key ld.so looks up: a SONAME such as "libcuda.so.1"
  // As stored: absolute, inside the root ldconfig was run for ("ldconfig -r DIR"
  // stores paths inside DIR).
  std::string path;
  std::int32_t flags = 0;
  std::uint64_t hwcap = 0; // non-zero: a library for particular CPU features
  LibraryArch arch = LibraryArch::other;
};

// The entries of an ld.so.cache, in the cache's order (for each name, the one
// ld.so prefers comes first). Reads the format glibc 2.32+ writes
// ("glibc-ld.so.cache1.1") and the old "ld.so-1.7.0" one, alone or followed by
// the new one (then the new one is read, as ld.so does). Pure: bytes in, entries
// out. A truncated, foreign or inconsistent cache is an nvd::Error naming
// `file_name`; nothing outside `bytes` is ever read.
std::vector<LdCacheEntry> parse_ld_cache(std::string_view bytes, const std::string &file_name);

} // namespace nvd
