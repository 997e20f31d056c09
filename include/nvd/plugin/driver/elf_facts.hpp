// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nvd {

enum class ElfClass { elf32, elf64 };

// The GNU ABI tag note (NT_GNU_ABI_TAG): the oldest kernel ABI a library
// is built for. NVIDIA's libnvidia-tls of the new TLS ABI says Linux 2.3.99.
struct ElfAbiTag {
  std::uint32_t os = 0; // 0: Linux
  std::uint32_t major = 0;
  std::uint32_t minor = 0;
  std::uint32_t patch = 0;
  bool operator==(const ElfAbiTag &other) const {
    return os == other.os && major == other.major && minor == other.minor && patch == other.patch;
  }
};

// What the driver volume needs to know of a library file, as the dynamic
// loader reads it (program headers and the dynamic section).
struct ElfFacts {
  ElfClass elf_class = ElfClass::elf64;
  std::uint16_t machine = 0;       // e_machine: EM_X86_64 (62), EM_386 (3), EM_AARCH64 (183)
  std::string soname;              // DT_SONAME; empty when the file has none
  std::vector<std::string> needed; // DT_NEEDED, in the file's order
  std::optional<ElfAbiTag> abi_tag;
};

// Reads those facts from the file at `path` (through libelf). A file that is
// not ELF, or whose headers or dynamic section are broken, is an nvd::Error
// naming the file; a file without a dynamic section has no SONAME and no NEEDED.
ElfFacts read_elf_facts(const std::string &path);

} // namespace nvd
