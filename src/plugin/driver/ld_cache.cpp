// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/driver/ld_cache.hpp"

#include "nvd/common/error.hpp"

#include <cstddef>

namespace nvd {

namespace {

// The layouts, as glibc's ldconfig writes them (all numbers little-endian here:
// a cache that says it is big-endian is refused).
//
// Old format: "ld.so-1.7.0", one byte of padding, uint32 count, then `count`
// entries {int32 flags, uint32 key, uint32 value}; string offsets count from the
// end of the entries.
constexpr std::string_view old_magic = "ld.so-1.7.0";
constexpr std::size_t old_header_size = 16;
constexpr std::size_t old_entry_size = 12;

// New format: "glibc-ld.so.cache" "1.1", uint32 count, uint32 string table
// size, uint8 flags (endianness in the low two bits), 3 bytes of padding,
// uint32 extension offset, 12 unused bytes; then `count` entries {int32 flags,
// uint32 key, uint32 value, uint32 OS version, uint64 hwcap}, then the string
// table. String offsets count from the start of this header. After an old
// table, the new one starts at the next multiple of 8.
constexpr std::string_view new_magic = "glibc-ld.so.cache1.1";
constexpr std::size_t new_header_size = 48;
constexpr std::size_t new_entry_size = 24;
constexpr std::size_t new_alignment = 8;
constexpr std::size_t new_count_at = 20;
constexpr std::size_t new_strings_size_at = 24;
constexpr std::size_t new_flags_at = 28;

constexpr unsigned endian_mask = 3;
constexpr unsigned endian_invalid = 1;
constexpr unsigned endian_big = 3;

// ldconfig's entry flags: the low byte is the kind of library, the next one the
// machine when it is not the default one.
constexpr std::int32_t kind_mask = 0x00ff;
constexpr std::int32_t kind_elf = 0x0001;
constexpr std::int32_t kind_elf_libc6 = 0x0003;
constexpr std::int32_t machine_mask = 0xff00;
constexpr std::int32_t machine_x86_64 = 0x0300;
constexpr std::int32_t machine_aarch64 = 0x0a00;

LibraryArch arch_of_flags(std::int32_t flags) {
  const std::int32_t kind = flags & kind_mask;
  if (kind != kind_elf && kind != kind_elf_libc6)
    return LibraryArch::other;
  switch (flags & machine_mask) {
  case machine_x86_64:
    return LibraryArch::x86_64;
  case machine_aarch64:
    return LibraryArch::aarch64;
  case 0:
    return LibraryArch::i386;
  default:
    return LibraryArch::other;
  }
}

// Bounds-checked little-endian reads over the whole file. Every offset is
// checked against the size before it is used; sizes are computed in 64 bits,
// so no count in a hostile file can overflow them.
class CacheBytes {
public:
  CacheBytes(std::string_view bytes, const std::string &file_name) : m_bytes(bytes), m_file_name(file_name) {}

  std::size_t size() const { return m_bytes.size(); }

  bool has_at(std::size_t offset, std::string_view text) const {
    return offset <= m_bytes.size() && m_bytes.substr(offset, text.size()) == text;
  }

  std::uint32_t u32(std::uint64_t offset) const {
    require(offset, 4);
    std::uint32_t value = 0;
    for (std::size_t i = 4; i-- > 0;)
      value = (value << 8) | byte(offset + i);
    return value;
  }

  std::uint64_t u64(std::uint64_t offset) const {
    return u32(offset) | (std::uint64_t{u32(offset + 4)} << 32);
  }

  std::uint8_t u8(std::uint64_t offset) const {
    require(offset, 1);
    return byte(offset);
  }

  // The NUL-terminated string at `offset`, which must lie in [begin, end).
  std::string string_in(std::uint64_t begin, std::uint64_t end, std::uint64_t offset, std::size_t entry,
                        const char *what) const {
    if (offset < begin || offset >= end)
      fail("entry " + std::to_string(entry) + "'s " + what + " lies outside the string table");
    const std::string_view table = m_bytes.substr(offset, end - offset);
    const std::size_t nul = table.find('\0');
    if (nul == std::string_view::npos)
      fail("entry " + std::to_string(entry) + "'s " + what + " runs past the string table");
    if (nul == 0)
      fail("entry " + std::to_string(entry) + " has an empty " + what);
    return std::string(table.substr(0, nul));
  }

  [[noreturn]] void fail(const std::string &what) const {
    throw Error(m_file_name + ": broken ld.so.cache: " + what + " (run ldconfig to rebuild it)");
  }

  void require(std::uint64_t offset, std::uint64_t length) const {
    if (offset > m_bytes.size() || length > m_bytes.size() - offset)
      fail("truncated at " + std::to_string(m_bytes.size()) + " bytes, " + std::to_string(offset + length) +
           " needed");
  }

private:
  std::uint8_t byte(std::uint64_t offset) const {
    return static_cast<std::uint8_t>(m_bytes[static_cast<std::size_t>(offset)]);
  }

  std::string_view m_bytes;
  const std::string &m_file_name;
};

std::vector<LdCacheEntry> parse_new_format(const CacheBytes &cache, std::uint64_t start) {
  cache.require(start, new_header_size);
  const std::uint8_t endian = cache.u8(start + new_flags_at) & endian_mask;
  if (endian == endian_invalid)
    cache.fail("ldconfig marked it invalid");
  if (endian == endian_big)
    cache.fail("written for a big-endian machine");

  const std::uint64_t count = cache.u32(start + new_count_at);
  const std::uint64_t strings_begin = start + new_header_size + count * new_entry_size;
  const std::uint64_t strings_end = strings_begin + cache.u32(start + new_strings_size_at);
  cache.require(start, strings_end - start);

  std::vector<LdCacheEntry> entries;
  entries.reserve(static_cast<std::size_t>(count));
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint64_t at = start + new_header_size + i * new_entry_size;
    LdCacheEntry entry;
    entry.flags = static_cast<std::int32_t>(cache.u32(at));
    entry.name = cache.string_in(strings_begin, strings_end, start + cache.u32(at + 4), i, "name");
    entry.path = cache.string_in(strings_begin, strings_end, start + cache.u32(at + 8), i, "path");
    entry.hwcap = cache.u64(at + 16);
    entry.arch = arch_of_flags(entry.flags);
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::vector<LdCacheEntry> parse_old_format(const CacheBytes &cache) {
  cache.require(0, old_header_size);
  const std::uint64_t count = cache.u32(old_magic.size() + 1);
  const std::uint64_t entries_end = old_header_size + count * old_entry_size;
  cache.require(0, entries_end);

  // ldconfig's "compat" format hides a new table at the start of the old
  // string table; ld.so then reads the new one, and so do we.
  const std::uint64_t new_start = (entries_end + new_alignment - 1) / new_alignment * new_alignment;
  if (new_start <= cache.size() && cache.has_at(static_cast<std::size_t>(new_start), new_magic))
    return parse_new_format(cache, new_start);

  std::vector<LdCacheEntry> entries;
  entries.reserve(static_cast<std::size_t>(count));
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint64_t at = old_header_size + i * old_entry_size;
    LdCacheEntry entry;
    entry.flags = static_cast<std::int32_t>(cache.u32(at));
    entry.name = cache.string_in(entries_end, cache.size(), entries_end + cache.u32(at + 4), i, "name");
    entry.path = cache.string_in(entries_end, cache.size(), entries_end + cache.u32(at + 8), i, "path");
    entry.arch = arch_of_flags(entry.flags);
    entries.push_back(std::move(entry));
  }
  return entries;
}

} // namespace

std::string_view arch_name(LibraryArch arch) {
  switch (arch) {
  case LibraryArch::x86_64:
    return "x86-64";
  case LibraryArch::i386:
    return "i386";
  case LibraryArch::aarch64:
    return "AArch64";
  case LibraryArch::other:
    break;
  }
  return "other";
}

LibraryArch native_arch() {
#if defined(__x86_64__)
  return LibraryArch::x86_64;
#elif defined(__aarch64__)
  return LibraryArch::aarch64;
#else
  return LibraryArch::other;
#endif
}

std::vector<LdCacheEntry> parse_ld_cache(std::string_view bytes, const std::string &file_name) {
  const CacheBytes cache(bytes, file_name);
  if (cache.has_at(0, new_magic))
    return parse_new_format(cache, 0);
  if (cache.has_at(0, old_magic))
    return parse_old_format(cache);
  if (bytes.empty())
    throw Error(file_name + ": empty ld.so.cache (run ldconfig to rebuild it)");
  throw Error(file_name + ": not an ld.so.cache (neither glibc's new format nor the old one)");
}

} // namespace nvd
