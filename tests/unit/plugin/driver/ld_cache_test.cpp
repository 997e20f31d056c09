// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/driver/ld_cache.hpp"

#include "driver_test_tools.hpp"
#include "elf_image.hpp"
#include "support/errors.hpp"
#include "support/table.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <sys/stat.h>

using namespace nvd;
using nvd::test::error_of;

namespace {

using Row = nvd::test::CacheRow;
using nvd::test::new_cache;
using nvd::test::put32;
using nvd::test::Strings;
using nvd::test::strings_of;

std::string old_header(std::size_t count) {
  std::string bytes = "ld.so-1.7.0";
  bytes += '\0';
  put32(bytes, static_cast<std::uint32_t>(count));
  return bytes;
}

// The old format alone, as ldconfig -c old writes it.
std::string old_cache(const std::vector<Row> &rows) {
  const Strings strings = strings_of(rows);
  std::string bytes = old_header(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    put32(bytes, static_cast<std::uint32_t>(rows[i].flags));
    put32(bytes, strings.offsets[i].first);
    put32(bytes, strings.offsets[i].second);
  }
  return bytes + strings.table;
}

// The old table followed by a new one, as ldconfig -c compat writes it: the
// old entries (an even count, so the new header is 8-aligned) point into the
// new table's strings. `old_rows` may differ from `rows`, to see which table
// is read; their strings then follow the new table's.
std::string compat_cache(const std::vector<Row> &old_rows, const std::vector<Row> &rows) {
  const bool shared = old_rows.size() == rows.size() &&
                      std::equal(rows.begin(), rows.end(), old_rows.begin(), [](const Row &a, const Row &b) {
                        return a.name == b.name && a.path == b.path;
                      });
  const std::string fresh = new_cache(rows);
  const Strings strings = strings_of(shared ? rows : old_rows);
  // Offsets count from the end of the old entries, where the new table starts.
  const auto shift = static_cast<std::uint32_t>(shared ? 48 + 24 * rows.size() : fresh.size());
  std::vector<std::size_t> order(old_rows.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  if (order.size() % 2 == 1)
    order.push_back(order.back());
  std::string bytes = old_header(order.size());
  for (std::size_t i : order) {
    put32(bytes, static_cast<std::uint32_t>(old_rows[i].flags));
    put32(bytes, shift + strings.offsets[i].first);
    put32(bytes, shift + strings.offsets[i].second);
  }
  return bytes + fresh + (shared ? "" : strings.table);
}

std::string render(const std::vector<LdCacheEntry> &entries) {
  std::string text;
  for (const LdCacheEntry &entry : entries)
    text += entry.name + " " + std::string(arch_name(entry.arch)) + " " + entry.path +
            (entry.hwcap != 0 ? " hwcap=" + std::to_string(entry.hwcap) : "") + "\n";
  return text;
}

const std::vector<Row> driver_rows = {
    {"libcuda.so.1", "/usr/lib/x86_64-linux-gnu/libcuda.so.1", 0x0303},
    {"libcuda.so.1", "/usr/lib/i386-linux-gnu/libcuda.so.1", 0x0003},
    {"libnvidia-ml.so.1", "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1", 0x0303, 1ULL << 62},
};

const std::string driver_rows_rendered =
    "libcuda.so.1 x86-64 /usr/lib/x86_64-linux-gnu/libcuda.so.1\n"
    "libcuda.so.1 i386 /usr/lib/i386-linux-gnu/libcuda.so.1\n"
    "libnvidia-ml.so.1 x86-64 /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1"
    " hwcap=4611686018427387904\n";

} // namespace

TEST(LdCache, ReadsTheNewFormatInTheCachesOrder) {
  EXPECT_EQ(render(parse_ld_cache(new_cache(driver_rows), "c")), driver_rows_rendered);
}

TEST(LdCache, ReadsTheOldFormatAlone) {
  std::vector<Row> rows = driver_rows;
  rows[2].hwcap = 0; // the old format has no hwcap
  EXPECT_EQ(render(parse_ld_cache(old_cache(rows), "c")),
            "libcuda.so.1 x86-64 /usr/lib/x86_64-linux-gnu/libcuda.so.1\n"
            "libcuda.so.1 i386 /usr/lib/i386-linux-gnu/libcuda.so.1\n"
            "libnvidia-ml.so.1 x86-64 /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1\n");
}

TEST(LdCache, ReadsTheNewTableThatFollowsAnOldOne) {
  const std::vector<Row> stale = {{"libold.so.1", "/lib/libold.so.1", 0x0303}};
  EXPECT_EQ(render(parse_ld_cache(compat_cache(stale, driver_rows), "c")), driver_rows_rendered);
}

TEST(LdCache, AnEmptyTableIsNoEntries) {
  EXPECT_TRUE(parse_ld_cache(new_cache({}), "c").empty());
  EXPECT_TRUE(parse_ld_cache(old_cache({}), "c").empty());
}

TEST(LdCache, KeepsTheRawFlags) {
  const auto entries = parse_ld_cache(new_cache({{"a.so", "/a.so", 0x0803}}), "c");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].flags, 0x0803);
}

struct ArchRow {
  std::string name;
  std::int32_t flags;
  LibraryArch arch;
};

class LdCacheArch : public ::testing::TestWithParam<ArchRow> {};

TEST_P(LdCacheArch, ComesFromTheEntryFlags) {
  const auto entries = parse_ld_cache(new_cache({{"libx.so.1", "/libx.so.1", GetParam().flags}}), "c");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(arch_name(entries[0].arch), arch_name(GetParam().arch));
}

INSTANTIATE_TEST_SUITE_P(Flags, LdCacheArch,
                         ::testing::Values(ArchRow{"libc6_x86_64", 0x0303, LibraryArch::x86_64},
                                           ArchRow{"elf_x86_64", 0x0301, LibraryArch::x86_64},
                                           ArchRow{"libc6_untagged_is_i386", 0x0003, LibraryArch::i386},
                                           ArchRow{"elf_untagged_is_i386", 0x0001, LibraryArch::i386},
                                           ArchRow{"libc6_aarch64", 0x0a03, LibraryArch::aarch64},
                                           ArchRow{"x32", 0x0803, LibraryArch::other},
                                           ArchRow{"arm_hard_float", 0x0903, LibraryArch::other},
                                           ArchRow{"ia64", 0x0203, LibraryArch::other},
                                           ArchRow{"libc5", 0x0002, LibraryArch::other},
                                           ArchRow{"libc4", 0x0000, LibraryArch::other},
                                           ArchRow{"any", -1, LibraryArch::other}),
                         nvd::test::RowName());

struct BadCache {
  std::string name;
  std::string bytes;
  std::string error;
};

class LdCacheRefuses : public ::testing::TestWithParam<BadCache> {};

TEST_P(LdCacheRefuses, WithAnErrorNamingTheFile) {
  EXPECT_EQ(error_of([&] { parse_ld_cache(GetParam().bytes, "/drv/etc/ld.so.cache"); }), GetParam().error);
}

namespace {

std::string with_u32(std::string bytes, std::size_t at, std::uint32_t value) {
  for (int i = 0; i < 4; ++i)
    bytes[at + static_cast<std::size_t>(i)] = static_cast<char>((value >> (8 * i)) & 0xff);
  return bytes;
}

const std::string one_entry = new_cache({{"libcuda.so.1", "/lib/libcuda.so.1"}});
const std::string one_old_entry = old_cache({{"libcuda.so.1", "/lib/libcuda.so.1"}});
const std::string broken = "/drv/etc/ld.so.cache: broken ld.so.cache: ";
const std::string rebuild = " (run ldconfig to rebuild it)";

std::vector<BadCache> bad_caches() {
  std::string endian_big = one_entry;
  endian_big[28] = 3;
  std::string endian_invalid = one_entry;
  endian_invalid[28] = 1;
  std::string unterminated = one_entry;
  unterminated.back() = 'x';
  return {
      {"empty", "", "/drv/etc/ld.so.cache: empty ld.so.cache (run ldconfig to rebuild it)"},
      {"foreign", "#!/bin/sh\n",
       "/drv/etc/ld.so.cache: not an ld.so.cache (neither glibc's new format nor the old one)"},
      {"new_magic_of_another_version", "glibc-ld.so.cache1.2" + one_entry.substr(20),
       "/drv/etc/ld.so.cache: not an ld.so.cache (neither glibc's new format nor the old one)"},
      {"big_endian", endian_big, broken + "written for a big-endian machine" + rebuild},
      {"marked_invalid", endian_invalid, broken + "ldconfig marked it invalid" + rebuild},
      {"header_only_half", one_entry.substr(0, 30), broken + "truncated at 30 bytes, 48 needed" + rebuild},
      {"count_beyond_the_file", with_u32(one_entry, 20, 0xffffffff),
       broken + "truncated at 103 bytes, 103079215159 needed" + rebuild},
      {"strings_beyond_the_file", with_u32(one_entry, 24, 1000),
       broken + "truncated at 103 bytes, 1072 needed" + rebuild},
      {"name_outside_the_strings", with_u32(one_entry, 52, 5000),
       broken + "entry 0's name lies outside the string table" + rebuild},
      {"name_in_the_header", with_u32(one_entry, 52, 0),
       broken + "entry 0's name lies outside the string table" + rebuild},
      {"path_outside_the_strings", with_u32(one_entry, 56, 0xfffffff0),
       broken + "entry 0's path lies outside the string table" + rebuild},
      {"path_unterminated", unterminated, broken + "entry 0's path runs past the string table" + rebuild},
      {"name_empty", with_u32(one_entry, 52, 84), broken + "entry 0 has an empty name" + rebuild},
      {"old_count_beyond_the_file", with_u32(one_old_entry, 12, 1000000),
       broken + "truncated at 59 bytes, 12000016 needed" + rebuild},
      {"old_name_outside", with_u32(one_old_entry, 20, 900),
       broken + "entry 0's name lies outside the string table" + rebuild},
      {"old_header_cut", one_old_entry.substr(0, 13), broken + "truncated at 13 bytes, 16 needed" + rebuild},
  };
}

} // namespace

INSTANTIATE_TEST_SUITE_P(Hostile, LdCacheRefuses, ::testing::ValuesIn(bad_caches()), nvd::test::RowName());

namespace {

// Parses every prefix and every one-byte corruption of `cache`: each must give
// entries or an nvd::Error, never a crash or a read outside (the sanitizer
// build checks the latter).
void parse_every_damaged_copy(const std::string &cache, bool every_prefix_fails) {
  for (std::size_t size = 0; size < cache.size(); ++size) {
    const std::string prefix = cache.substr(0, size);
    bool threw = false;
    try {
      parse_ld_cache(prefix, "c");
    } catch (const Error &) {
      threw = true;
    }
    if (every_prefix_fails) {
      EXPECT_TRUE(threw) << "a cache cut at " << size << " bytes parsed";
    }
  }
  for (std::size_t at = 0; at < cache.size(); ++at)
    for (int value : {0x00, 0x7f, 0x80, 0xff}) {
      std::string damaged = cache;
      damaged[at] = static_cast<char>(value);
      try {
        parse_ld_cache(damaged, "c");
      } catch (const Error &) {
      }
    }
}

} // namespace

TEST(LdCache, EveryTruncatedNewCacheIsAnError) { parse_every_damaged_copy(new_cache(driver_rows), true); }

TEST(LdCache, EveryTruncatedOldCacheIsAnError) { parse_every_damaged_copy(old_cache(driver_rows), true); }

TEST(LdCache, EveryTruncatedCompatCacheIsAnError) {
  parse_every_damaged_copy(compat_cache(driver_rows, driver_rows), true);
}

// ----- Real caches: this machine's, and ones ldconfig writes for a temporary root -----

namespace {

// `ldconfig -p` of a cache, as the parser renders it: "name arch path".
std::string ldconfig_listing(const std::string &arguments) {
  const std::string output = nvd::test::command_output(nvd::test::ldconfig_program() + " " + arguments);
  std::string text;
  std::size_t start = 0;
  while (start < output.size()) {
    const std::size_t end = output.find('\n', start);
    const std::string line = output.substr(start, end - start);
    start = end == std::string::npos ? output.size() : end + 1;
    if (line.empty() || line[0] != '\t')
      continue;
    const std::size_t open = line.find(" (");
    const std::size_t arrow = line.rfind(") => ");
    const std::string flags = line.substr(open + 2, arrow - open - 2);
    std::string arch = "other";
    if (flags.rfind("libc6,x86-64", 0) == 0 || flags.rfind("ELF,x86-64", 0) == 0)
      arch = "x86-64";
    else if (flags == "libc6" || flags == "ELF" || flags.rfind("libc6, hwcap", 0) == 0)
      arch = "i386";
    else if (flags.rfind("libc6,AArch64", 0) == 0)
      arch = "AArch64";
    text += line.substr(1, open - 1) + " " + arch + " " + line.substr(arrow + 5) + "\n";
  }
  return text;
}

std::string render_without_hwcap(const std::vector<LdCacheEntry> &entries) {
  std::string text;
  for (const LdCacheEntry &entry : entries)
    text += entry.name + " " + std::string(arch_name(entry.arch)) + " " + entry.path + "\n";
  return text;
}

} // namespace

TEST(LdCacheOfThisMachine, ListsWhatLdconfigLists) {
  if (nvd::test::ldconfig_program().empty())
    GTEST_SKIP() << "no ldconfig on this machine";
  const std::string cache = nvd::test::read_test_file("/etc/ld.so.cache");
  const auto entries = parse_ld_cache(cache, "/etc/ld.so.cache");
  EXPECT_FALSE(entries.empty());
  EXPECT_EQ(render_without_hwcap(entries), ldconfig_listing("-p -C /etc/ld.so.cache"));
  // Damaged copies of a real cache: errors or entries, never a crash.
  for (std::size_t size = 0; size < cache.size(); size += 61) {
    try {
      parse_ld_cache(cache.substr(0, size), "c");
    } catch (const Error &) {
    }
  }
}

class LdCacheFromLdconfig : public ::testing::TestWithParam<std::string> {};

TEST_P(LdCacheFromLdconfig, ListsWhatLdconfigLists) {
  if (nvd::test::ldconfig_program().empty())
    GTEST_SKIP() << "no ldconfig on this machine";
  nvd::test::TempDir root("nvd-ld-cache");
  nvd::test::make_folders(root.path(),
                          {"etc", "usr/lib/x86_64-linux-gnu", "usr/lib/stale", "usr/lib/i386-linux-gnu"});
  nvd::test::write_test_file(root.file("etc/ld.so.conf"),
                             "/usr/lib/stale\n/usr/lib/x86_64-linux-gnu\n/usr/lib/i386-linux-gnu\n", 0644);
  nvd::test::write_test_file(root.file("usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05"),
                             nvd::test::elf_bytes(nvd::test::x86_64_library("libcuda.so.1")));
  nvd::test::write_test_file(root.file("usr/lib/stale/libcuda.so.470.57.02"),
                             nvd::test::elf_bytes(nvd::test::x86_64_library("libcuda.so.1")));
  nvd::test::write_test_file(root.file("usr/lib/i386-linux-gnu/libcuda.so.535.104.05"),
                             nvd::test::elf_bytes(nvd::test::i386_library("libcuda.so.1")));
  nvd::test::write_test_file(root.file("usr/lib/x86_64-linux-gnu/libnvidia-ml.so.535.104.05"),
                             nvd::test::elf_bytes(nvd::test::x86_64_library("libnvidia-ml.so.1")));
  nvd::test::run_ldconfig(root.path(), "-c " + GetParam());

  const auto entries = parse_ld_cache(nvd::test::read_test_file(root.file("etc/ld.so.cache")), "c");
  EXPECT_EQ(render_without_hwcap(entries), ldconfig_listing("-r " + root.path() + " -p"));
  EXPECT_EQ(render_without_hwcap(entries),
            "libnvidia-ml.so.1 x86-64 /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1\n"
            "libcuda.so.1 x86-64 /usr/lib/stale/libcuda.so.1\n"
            "libcuda.so.1 x86-64 /usr/lib/x86_64-linux-gnu/libcuda.so.1\n"
            "libcuda.so.1 i386 /usr/lib/i386-linux-gnu/libcuda.so.1\n");
  parse_every_damaged_copy(nvd::test::read_test_file(root.file("etc/ld.so.cache")), false);
}

INSTANTIATE_TEST_SUITE_P(Formats, LdCacheFromLdconfig, ::testing::Values("new", "old", "compat"));
