// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/plugin/driver/elf_facts.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nvd::test {

// A minimal shared object: one PT_LOAD over the whole file, PT_DYNAMIC with
// DT_NEEDED/DT_SONAME/DT_STRTAB/DT_STRSZ, an optional GNU ABI tag note, and no
// section headers; what ldconfig and the dynamic loader read, nothing more.
// The last fields break it on purpose, for the error tests.
struct ElfImage {
  ElfClass elf_class = ElfClass::elf64;
  std::uint16_t machine = 62; // EM_X86_64
  std::string soname;
  std::vector<std::string> needed;
  std::optional<ElfAbiTag> abi_tag;
  bool dynamic = true; // false: no PT_DYNAMIC, as a static executable

  std::int64_t strtab_shift = 0;   // added to DT_STRTAB
  std::uint64_t strsz_extra = 0;   // added to DT_STRSZ
  std::uint64_t soname_shift = 0;  // added to DT_SONAME's offset
  bool drop_strtab = false;        // no DT_STRTAB entry
  std::uint64_t dynamic_shift = 0; // added to PT_DYNAMIC's offset
};

// A 64-bit x86-64 or 32-bit i386 library image with that SONAME and NEEDED.
ElfImage x86_64_library(const std::string &soname, std::vector<std::string> needed = {});
ElfImage i386_library(const std::string &soname, std::vector<std::string> needed = {});

// The bytes of the image.
std::string elf_bytes(const ElfImage &image);

// Writes `bytes` to a new file at `path` (replacing what is there; the folders
// must exist) with `mode`; fails the test with a clear message when it cannot.
void write_test_file(const std::string &path, const std::string &bytes, unsigned mode = 0755);

} // namespace nvd::test
