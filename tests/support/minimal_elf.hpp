// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nvd::test {

// The two kinds of library an NVIDIA driver installs on an x86-64 host.
enum class ElfKind { x86_64, i386 };

// A stand-in shared object: no code and no symbols, only what ldconfig, readelf and
// the plugin read from a library (its class, SONAME, DT_NEEDED, ABI tag). A 64-bit
// one can also be dlopen'ed, so a loader that picks it finds no entry points.
struct MinimalElf {
  ElfKind kind = ElfKind::x86_64;
  std::string soname;              // DT_SONAME; empty: none
  std::vector<std::string> needed; // DT_NEEDED, in this order
  // The GNU ABI tag (.note.ABI-tag and PT_NOTE): the oldest Linux it runs on,
  // {major, minor, patch}. libnvidia-tls of the new TLS ABI says 2.3.99.
  std::optional<std::array<std::uint32_t, 3>> abi_tag;
};

// The bytes of such a shared object.
std::string minimal_elf_image(const MinimalElf &elf);

// Writes it to `path` with mode 0755 (as installers leave libraries); nvd::Error on failure.
void write_minimal_elf(const std::string &path, const MinimalElf &elf);

} // namespace nvd::test
