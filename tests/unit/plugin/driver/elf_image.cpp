// SPDX-License-Identifier: BSD-3-Clause
#include "elf_image.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace nvd::test {

namespace {

struct Layout64 {
  using Ehdr = Elf64_Ehdr;
  using Phdr = Elf64_Phdr;
  using Dyn = Elf64_Dyn;
  static constexpr unsigned char elf_class = ELFCLASS64;
};

struct Layout32 {
  using Ehdr = Elf32_Ehdr;
  using Phdr = Elf32_Phdr;
  using Dyn = Elf32_Dyn;
  static constexpr unsigned char elf_class = ELFCLASS32;
};

template <class T> void put(std::string &bytes, std::size_t at, const T &value) {
  if (bytes.size() < at + sizeof value)
    bytes.resize(at + sizeof value);
  std::memcpy(bytes.data() + at, &value, sizeof value);
}

template <class L> std::string build(const ElfImage &image) {
  using Ehdr = typename L::Ehdr;
  using Phdr = typename L::Phdr;
  using Dyn = typename L::Dyn;
  using Word = decltype(Dyn{}.d_un.d_val);
  using Offset = decltype(Phdr{}.p_offset);

  const bool note = image.abi_tag.has_value();
  const std::size_t segments = 1 + (image.dynamic ? 1 : 0) + (note ? 1 : 0);
  std::size_t at = sizeof(Ehdr) + segments * sizeof(Phdr);

  const std::size_t note_at = at;
  if (note)
    at += 12 + 4 + 16;

  std::string strings(1, '\0');
  const std::size_t soname_offset = strings.size();
  if (!image.soname.empty())
    strings += image.soname + '\0';
  std::vector<std::size_t> needed_offsets;
  for (const std::string &needed : image.needed) {
    needed_offsets.push_back(strings.size());
    strings += needed + '\0';
  }
  const std::size_t strings_at = at;
  at += strings.size();
  at = (at + sizeof(Word) - 1) / sizeof(Word) * sizeof(Word);

  std::vector<Dyn> dynamic;
  const auto add = [&](std::int64_t tag, std::uint64_t value) {
    Dyn entry{};
    entry.d_tag = static_cast<decltype(entry.d_tag)>(tag);
    entry.d_un.d_val = static_cast<Word>(value);
    dynamic.push_back(entry);
  };
  for (std::size_t offset : needed_offsets)
    add(DT_NEEDED, offset);
  if (!image.soname.empty())
    add(DT_SONAME, soname_offset + image.soname_shift);
  if (!image.drop_strtab)
    add(DT_STRTAB, static_cast<std::uint64_t>(static_cast<std::int64_t>(strings_at) + image.strtab_shift));
  add(DT_STRSZ, strings.size() + image.strsz_extra);
  add(DT_NULL, 0);
  const std::size_t dynamic_at = at;
  const std::size_t dynamic_size = dynamic.size() * sizeof(Dyn);
  const std::size_t total = image.dynamic ? dynamic_at + dynamic_size : at;

  std::string bytes(total, '\0');
  Ehdr header{};
  std::memcpy(header.e_ident, ELFMAG, SELFMAG);
  header.e_ident[EI_CLASS] = L::elf_class;
  header.e_ident[EI_DATA] = ELFDATA2LSB;
  header.e_ident[EI_VERSION] = EV_CURRENT;
  header.e_ident[EI_OSABI] = ELFOSABI_SYSV;
  header.e_type = ET_DYN;
  header.e_machine = image.machine;
  header.e_version = EV_CURRENT;
  header.e_phoff = sizeof(Ehdr);
  header.e_ehsize = sizeof(Ehdr);
  header.e_phentsize = sizeof(Phdr);
  header.e_phnum = static_cast<decltype(header.e_phnum)>(segments);
  put(bytes, 0, header);

  std::size_t phdr_at = sizeof(Ehdr);
  const auto segment = [&](std::uint32_t type, std::size_t offset, std::size_t size, std::size_t align) {
    Phdr phdr{};
    phdr.p_type = type;
    phdr.p_flags = PF_R;
    phdr.p_offset = static_cast<Offset>(offset);
    phdr.p_vaddr = static_cast<decltype(phdr.p_vaddr)>(offset);
    phdr.p_paddr = phdr.p_vaddr;
    phdr.p_filesz = static_cast<decltype(phdr.p_filesz)>(size);
    phdr.p_memsz = phdr.p_filesz;
    phdr.p_align = static_cast<decltype(phdr.p_align)>(align);
    put(bytes, phdr_at, phdr);
    phdr_at += sizeof(Phdr);
  };
  segment(PT_LOAD, 0, total, 0x1000);
  if (image.dynamic)
    segment(PT_DYNAMIC, dynamic_at + image.dynamic_shift, dynamic_size, sizeof(Word));
  if (note)
    segment(PT_NOTE, note_at, 32, 4);

  if (note) {
    const std::uint32_t note_header[3] = {4, 16, NT_GNU_ABI_TAG};
    put(bytes, note_at, note_header);
    std::memcpy(bytes.data() + note_at + 12, "GNU", 4);
    const std::uint32_t tag[4] = {image.abi_tag->os, image.abi_tag->major, image.abi_tag->minor,
                                  image.abi_tag->patch};
    put(bytes, note_at + 16, tag);
  }
  std::memcpy(bytes.data() + strings_at, strings.data(), strings.size());
  if (image.dynamic)
    std::memcpy(bytes.data() + dynamic_at, dynamic.data(), dynamic_size);
  bytes.resize(total);
  return bytes;
}

} // namespace

ElfImage x86_64_library(const std::string &soname, std::vector<std::string> needed) {
  ElfImage image;
  image.soname = soname;
  image.needed = std::move(needed);
  return image;
}

ElfImage i386_library(const std::string &soname, std::vector<std::string> needed) {
  ElfImage image = x86_64_library(soname, std::move(needed));
  image.elf_class = ElfClass::elf32;
  image.machine = EM_386;
  return image;
}

std::string elf_bytes(const ElfImage &image) {
  return image.elf_class == ElfClass::elf64 ? build<Layout64>(image) : build<Layout32>(image);
}

void write_test_file(const std::string &path, const std::string &bytes, unsigned mode) {
  // A new file rather than a truncated one: ext4 flushes a file truncated
  // over old data, which makes a loop of rewrites a hundred times slower.
  ::unlink(path.c_str());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  ASSERT_GE(fd, 0) << "cannot create " << path << ": " << std::strerror(errno);
  const ssize_t written = ::write(fd, bytes.data(), bytes.size());
  ::fchmod(fd, mode);
  ::close(fd);
  ASSERT_EQ(written, static_cast<ssize_t>(bytes.size())) << "cannot write " << path;
}

} // namespace nvd::test
