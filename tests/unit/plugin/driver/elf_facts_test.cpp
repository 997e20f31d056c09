// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/driver/elf_facts.hpp"

#include "driver_test_tools.hpp"
#include "elf_image.hpp"
#include "nvd/plugin/driver/driver_root.hpp"
#include "support/errors.hpp"
#include "support/table.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <elf.h>

using namespace nvd;
using nvd::test::elf_bytes;
using nvd::test::error_of;
using nvd::test::write_test_file;

namespace {

ElfFacts facts_of(const std::string &bytes) {
  nvd::test::TempDir dir("nvd-elf");
  write_test_file(dir.file("lib.so"), bytes);
  return read_elf_facts(dir.file("lib.so"));
}

} // namespace

TEST(ElfFacts, ReadsA64BitLibrary) {
  nvd::test::ElfImage image =
      nvd::test::x86_64_library("libGL.so.1", {"libnvidia-glcore.so.535.104.05", "libc.so.6"});
  image.abi_tag = ElfAbiTag{0, 3, 2, 0};
  const ElfFacts facts = facts_of(elf_bytes(image));
  EXPECT_EQ(facts.elf_class, ElfClass::elf64);
  EXPECT_EQ(facts.machine, EM_X86_64);
  EXPECT_EQ(facts.soname, "libGL.so.1");
  EXPECT_EQ(facts.needed, (std::vector<std::string>{"libnvidia-glcore.so.535.104.05", "libc.so.6"}));
  ASSERT_TRUE(facts.abi_tag.has_value());
  EXPECT_EQ(*facts.abi_tag, (ElfAbiTag{0, 3, 2, 0}));
}

TEST(ElfFacts, ReadsA32BitLibrary) {
  nvd::test::ElfImage image = nvd::test::i386_library("libnvidia-tls.so.535.104.05");
  image.abi_tag = ElfAbiTag{0, 2, 3, 99};
  const ElfFacts facts = facts_of(elf_bytes(image));
  EXPECT_EQ(facts.elf_class, ElfClass::elf32);
  EXPECT_EQ(facts.machine, EM_386);
  EXPECT_EQ(facts.soname, "libnvidia-tls.so.535.104.05");
  EXPECT_TRUE(facts.needed.empty());
  EXPECT_EQ(facts.abi_tag, (ElfAbiTag{0, 2, 3, 99}));
}

TEST(ElfFacts, ALibraryWithoutSonameOrAbiTagHasNone) {
  const ElfFacts facts = facts_of(elf_bytes(nvd::test::x86_64_library("", {"libm.so.6"})));
  EXPECT_EQ(facts.soname, "");
  EXPECT_EQ(facts.needed, (std::vector<std::string>{"libm.so.6"}));
  EXPECT_FALSE(facts.abi_tag.has_value());
}

TEST(ElfFacts, AFileWithoutDynamicSectionHasNoSonameAndNoNeeded) {
  nvd::test::ElfImage image = nvd::test::x86_64_library("ignored");
  image.dynamic = false;
  const ElfFacts facts = facts_of(elf_bytes(image));
  EXPECT_EQ(facts.soname, "");
  EXPECT_TRUE(facts.needed.empty());
}

TEST(ElfFacts, ADynamicSectionWithoutStringsNeedsNone) {
  nvd::test::ElfImage image = nvd::test::x86_64_library("");
  image.drop_strtab = true;
  EXPECT_EQ(facts_of(elf_bytes(image)).soname, "");
}

struct BadFile {
  std::string name;
  std::string bytes;
  std::string error; // after "<path>: "
};

class ElfFactsRefuses : public ::testing::TestWithParam<BadFile> {};

TEST_P(ElfFactsRefuses, WithAnErrorNamingTheFile) {
  nvd::test::TempDir dir("nvd-elf");
  write_test_file(dir.file("lib.so"), GetParam().bytes);
  EXPECT_EQ(error_of([&] { read_elf_facts(dir.file("lib.so")); }),
            dir.file("lib.so") + ": " + GetParam().error);
}

namespace {

std::string broken_image(void (*change)(nvd::test::ElfImage &)) {
  nvd::test::ElfImage image = nvd::test::x86_64_library("libcuda.so.1", {"libc.so.6"});
  change(image);
  return elf_bytes(image);
}

std::vector<BadFile> bad_files() {
  const std::string good = elf_bytes(nvd::test::x86_64_library("libcuda.so.1"));
  std::string bad_class = good;
  bad_class[EI_CLASS] = 7;
  std::string many_segments = good;
  many_segments[56] = static_cast<char>(0xff); // e_phnum: far more headers than the file holds
  return {
      {"empty", "", "not an ELF file"},
      {"text", "#!/bin/sh\nexit 0\n", "not an ELF file"},
      {"magic_only",
       "\x7f"
       "ELF",
       "broken ELF file: unreadable ELF header"},
      {"cut_header", good.substr(0, 40), "broken ELF file: unreadable ELF header"},
      {"unknown_class", bad_class, "broken ELF file: unreadable ELF header"},
      {"headers_beyond_the_file", many_segments, "broken ELF file: the program headers lie outside the file"},
      {"dynamic_beyond_the_file",
       broken_image([](nvd::test::ElfImage &image) { image.dynamic_shift = 1 << 20; }),
       "broken ELF file: the dynamic section lies outside the file"},
      {"strings_in_no_segment",
       broken_image([](nvd::test::ElfImage &image) { image.strtab_shift = 1 << 20; }),
       "broken ELF file: the dynamic string table is in no loaded segment"},
      {"strings_past_their_segment",
       broken_image([](nvd::test::ElfImage &image) { image.strsz_extra = 1 << 20; }),
       "broken ELF file: the dynamic string table runs past its segment"},
      {"soname_outside_the_strings",
       broken_image([](nvd::test::ElfImage &image) { image.soname_shift = 4096; }),
       "broken ELF file: DT_SONAME lies outside the dynamic string table"},
      {"needed_without_strings", broken_image([](nvd::test::ElfImage &image) { image.drop_strtab = true; }),
       "broken ELF file: DT_SONAME or DT_NEEDED without a dynamic string table"},
  };
}

} // namespace

INSTANTIATE_TEST_SUITE_P(Broken, ElfFactsRefuses, ::testing::ValuesIn(bad_files()), nvd::test::RowName());

TEST(ElfFacts, AMissingFileIsAnError) {
  EXPECT_EQ(error_of([] { read_elf_facts("/nonexistent/libcuda.so.1"); }),
            "/nonexistent/libcuda.so.1: cannot open: No such file or directory");
}

TEST(ElfFacts, AFolderIsAnError) {
  nvd::test::TempDir dir("nvd-elf");
  EXPECT_EQ(error_of([&] { read_elf_facts(dir.path()); }), dir.path() + ": not a regular file");
}

TEST(ElfFacts, EveryDamagedCopyIsFactsOrAnErrorNeverACrash) {
  nvd::test::ElfImage image = nvd::test::x86_64_library("libGL.so.1", {"libnvidia-glcore.so.1"});
  image.abi_tag = ElfAbiTag{0, 2, 3, 99};
  for (const std::string &good :
       {elf_bytes(image), elf_bytes(nvd::test::i386_library("libcuda.so.1", {"libc.so.6"}))}) {
    nvd::test::TempDir dir("nvd-elf");
    const std::string path = dir.file("lib.so");
    for (std::size_t size = 0; size < good.size(); ++size) {
      write_test_file(path, good.substr(0, size));
      try {
        read_elf_facts(path);
      } catch (const Error &) {
      }
    }
    for (std::size_t at = 0; at < good.size(); ++at) {
      std::string damaged = good;
      damaged[at] = static_cast<char>(~damaged[at]);
      write_test_file(path, damaged);
      try {
        read_elf_facts(path);
      } catch (const Error &) {
      }
    }
  }
}

TEST(ElfFactsOfThisMachine, ReadsItsCLibrary) {
  if (native_arch() != LibraryArch::x86_64)
    GTEST_SKIP() << "the expectations are x86-64's";
  const ElfFacts facts = read_elf_facts(find_driver_library("/", "libc.so.6"));
  EXPECT_EQ(facts.elf_class, ElfClass::elf64);
  EXPECT_EQ(facts.machine, EM_X86_64);
  EXPECT_EQ(facts.soname, "libc.so.6");
  EXPECT_EQ(facts.needed, (std::vector<std::string>{"ld-linux-x86-64.so.2"}));
  ASSERT_TRUE(facts.abi_tag.has_value());
  EXPECT_EQ(facts.abi_tag->os, 0u);
  EXPECT_GE(facts.abi_tag->major, 2u);
}

TEST(ElfFactsOfThisMachine, ReadsALibraryTheLinkerMade) {
  const char *compiler = "cc";
  if (std::system("cc --version > /dev/null 2>&1") != 0)
    GTEST_SKIP() << "no C compiler on this machine";
  nvd::test::TempDir dir("nvd-elf");
  write_test_file(dir.file("f.c"), "int f(void) { return 1; }\n", 0644);
  nvd::test::command_output(std::string(compiler) +
                            " -shared -fPIC -Wl,-soname,libnvidia-fbc.so.1 -Wl,--no-as-needed -lm -o " +
                            dir.file("libnvidia-fbc.so.535.104.05") + " " + dir.file("f.c") + " 2>&1");
  const ElfFacts facts = read_elf_facts(dir.file("libnvidia-fbc.so.535.104.05"));
  EXPECT_EQ(facts.soname, "libnvidia-fbc.so.1");
  EXPECT_NE(std::find(facts.needed.begin(), facts.needed.end(), "libm.so.6"), facts.needed.end());
  EXPECT_EQ(facts.elf_class, sizeof(void *) == 8 ? ElfClass::elf64 : ElfClass::elf32);
}
