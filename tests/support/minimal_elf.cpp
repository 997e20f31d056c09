// SPDX-License-Identifier: BSD-3-Clause
#include "support/minimal_elf.hpp"

#include "nvd/common/error.hpp"

#include <cerrno>
#include <cstring>
#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace nvd::test {

namespace {

struct Elf64Types {
  using Ehdr = Elf64_Ehdr;
  using Phdr = Elf64_Phdr;
  using Shdr = Elf64_Shdr;
  using Dyn = Elf64_Dyn;
  using Sym = Elf64_Sym;
  static constexpr unsigned char elf_class = ELFCLASS64;
  static constexpr Elf64_Half machine = EM_X86_64;
};

struct Elf32Types {
  using Ehdr = Elf32_Ehdr;
  using Phdr = Elf32_Phdr;
  using Shdr = Elf32_Shdr;
  using Dyn = Elf32_Dyn;
  using Sym = Elf32_Sym;
  static constexpr unsigned char elf_class = ELFCLASS32;
  static constexpr Elf32_Half machine = EM_386;
};

constexpr std::size_t page_size = 0x1000;

std::size_t aligned(std::size_t offset, std::size_t alignment) {
  return (offset + alignment - 1) / alignment * alignment;
}

template <class T> void put(std::string &bytes, std::size_t offset, const T &value) {
  std::memcpy(bytes.data() + offset, &value, sizeof value);
}

// Appends `text` and its terminating NUL; returns where it starts.
std::size_t add_string(std::string &table, const std::string &text) {
  std::size_t at = table.size();
  table += text;
  table.push_back('\0');
  return at;
}

// The GNU ABI-tag note: name "GNU", type NT_GNU_ABI_TAG, {os, major, minor, patch}.
std::string abi_tag_note(const std::array<std::uint32_t, 3> &version) {
  std::string note(32, '\0');
  const std::uint32_t words[] = {4, 16, NT_GNU_ABI_TAG};
  std::memcpy(note.data(), words, sizeof words);
  std::memcpy(note.data() + 12, "GNU", 4);
  const std::uint32_t desc[] = {ELF_NOTE_OS_LINUX, version[0], version[1], version[2]};
  std::memcpy(note.data() + 16, desc, sizeof desc);
  return note;
}

// The file, in this order: ELF header, program headers, [note], .hash, .dynsym,
// .dynstr, .dynamic, .shstrtab, section headers. One PT_LOAD maps it all at
// address 0 (read-write: older loaders write into .dynamic), so every address
// equals its file offset.
template <class Types> std::string image_of(const MinimalElf &elf) {
  using Ehdr = typename Types::Ehdr;
  using Phdr = typename Types::Phdr;
  using Shdr = typename Types::Shdr;
  using Dyn = typename Types::Dyn;
  using Sym = typename Types::Sym;
  using Addr = decltype(Phdr{}.p_vaddr);
  using Size = decltype(Phdr{}.p_filesz);
  using SectionSize = decltype(Shdr{}.sh_size);
  using Tag = decltype(Dyn{}.d_tag);
  using Value = decltype(Dyn{}.d_un.d_val);
  constexpr std::size_t word = sizeof(Addr);

  std::string dynstr(1, '\0');
  std::vector<std::size_t> needed_at;
  for (const auto &name : elf.needed)
    needed_at.push_back(add_string(dynstr, name));
  const std::size_t soname_at = elf.soname.empty() ? 0 : add_string(dynstr, elf.soname);

  std::string shstrtab(1, '\0');
  const std::size_t note_name = add_string(shstrtab, ".note.ABI-tag");
  const std::size_t hash_name = add_string(shstrtab, ".hash");
  const std::size_t dynsym_name = add_string(shstrtab, ".dynsym");
  const std::size_t dynstr_name = add_string(shstrtab, ".dynstr");
  const std::size_t dynamic_name = add_string(shstrtab, ".dynamic");
  const std::size_t shstrtab_name = add_string(shstrtab, ".shstrtab");

  // A SysV hash table for one symbol (the null one): nbucket, nchain, bucket, chain.
  const std::uint32_t hash[] = {1, 1, 0, 0};
  const std::string note = elf.abi_tag ? abi_tag_note(*elf.abi_tag) : std::string();

  const std::size_t program_header_count = elf.abi_tag ? 4 : 3;
  const std::size_t note_at = sizeof(Ehdr) + program_header_count * sizeof(Phdr);
  const std::size_t hash_at = aligned(note_at + note.size(), 4);
  const std::size_t dynsym_at = aligned(hash_at + sizeof hash, word);
  const std::size_t dynstr_at = dynsym_at + sizeof(Sym);
  const std::size_t dynamic_at = aligned(dynstr_at + dynstr.size(), word);

  std::vector<Dyn> dynamic;
  auto add_dyn = [&dynamic](long tag, std::size_t value) {
    Dyn entry{};
    entry.d_tag = static_cast<Tag>(tag);
    entry.d_un.d_val = static_cast<Value>(value);
    dynamic.push_back(entry);
  };
  for (std::size_t at : needed_at)
    add_dyn(DT_NEEDED, at);
  if (!elf.soname.empty())
    add_dyn(DT_SONAME, soname_at);
  add_dyn(DT_HASH, hash_at);
  add_dyn(DT_STRTAB, dynstr_at);
  add_dyn(DT_SYMTAB, dynsym_at);
  add_dyn(DT_STRSZ, dynstr.size());
  add_dyn(DT_SYMENT, sizeof(Sym));
  add_dyn(DT_NULL, 0);
  const std::size_t dynamic_size = dynamic.size() * sizeof(Dyn);

  const std::size_t shstrtab_at = dynamic_at + dynamic_size;
  const std::size_t sections_at = aligned(shstrtab_at + shstrtab.size(), word);
  const std::size_t section_count = elf.abi_tag ? 7 : 6;
  const std::size_t file_size = sections_at + section_count * sizeof(Shdr);

  std::string bytes(file_size, '\0');

  Ehdr header{};
  std::memcpy(header.e_ident, ELFMAG, SELFMAG);
  header.e_ident[EI_CLASS] = Types::elf_class;
  header.e_ident[EI_DATA] = ELFDATA2LSB;
  header.e_ident[EI_VERSION] = EV_CURRENT;
  header.e_ident[EI_OSABI] = ELFOSABI_SYSV;
  header.e_type = ET_DYN;
  header.e_machine = Types::machine;
  header.e_version = EV_CURRENT;
  header.e_phoff = sizeof(Ehdr);
  header.e_shoff = static_cast<decltype(header.e_shoff)>(sections_at);
  header.e_ehsize = sizeof(Ehdr);
  header.e_phentsize = sizeof(Phdr);
  header.e_phnum = static_cast<decltype(header.e_phnum)>(program_header_count);
  header.e_shentsize = sizeof(Shdr);
  header.e_shnum = static_cast<decltype(header.e_shnum)>(section_count);
  header.e_shstrndx = static_cast<decltype(header.e_shstrndx)>(section_count - 1);
  put(bytes, 0, header);

  std::size_t program_header_at = sizeof(Ehdr);
  auto add_segment = [&](std::uint32_t type, std::uint32_t flags, std::size_t offset,
                         std::size_t size, std::size_t alignment) {
    Phdr segment{};
    segment.p_type = type;
    segment.p_flags = flags;
    segment.p_offset = static_cast<decltype(segment.p_offset)>(offset);
    segment.p_vaddr = static_cast<Addr>(offset);
    segment.p_paddr = static_cast<Addr>(offset);
    segment.p_filesz = static_cast<Size>(size);
    segment.p_memsz = static_cast<Size>(size);
    segment.p_align = static_cast<decltype(segment.p_align)>(alignment);
    put(bytes, program_header_at, segment);
    program_header_at += sizeof(Phdr);
  };
  add_segment(PT_LOAD, PF_R | PF_W, 0, file_size, page_size);
  add_segment(PT_DYNAMIC, PF_R | PF_W, dynamic_at, dynamic_size, word);
  if (elf.abi_tag)
    add_segment(PT_NOTE, PF_R, note_at, note.size(), 4);
  // Without it the loader would ask for an executable stack.
  add_segment(PT_GNU_STACK, PF_R | PF_W, 0, 0, 16);

  bytes.replace(note_at, note.size(), note);
  put(bytes, hash_at, hash);
  put(bytes, dynsym_at, Sym{});
  bytes.replace(dynstr_at, dynstr.size(), dynstr);
  for (std::size_t i = 0; i < dynamic.size(); ++i)
    put(bytes, dynamic_at + i * sizeof(Dyn), dynamic[i]);
  bytes.replace(shstrtab_at, shstrtab.size(), shstrtab);

  std::size_t section_header_at = sections_at + sizeof(Shdr); // [0] stays null
  std::uint32_t index = 1;
  const std::uint32_t dynsym_index = elf.abi_tag ? 3 : 2;
  const std::uint32_t dynstr_index = dynsym_index + 1;
  auto add_section = [&](std::size_t name, std::uint32_t type, std::size_t flags,
                         std::size_t offset, std::size_t size, std::uint32_t link,
                         std::uint32_t info, std::size_t alignment, std::size_t entry_size) {
    Shdr section{};
    section.sh_name = static_cast<std::uint32_t>(name);
    section.sh_type = type;
    section.sh_flags = static_cast<decltype(section.sh_flags)>(flags);
    section.sh_addr = static_cast<Addr>((flags & SHF_ALLOC) != 0 ? offset : 0);
    section.sh_offset = static_cast<decltype(section.sh_offset)>(offset);
    section.sh_size = static_cast<SectionSize>(size);
    section.sh_link = link;
    section.sh_info = info;
    section.sh_addralign = static_cast<decltype(section.sh_addralign)>(alignment);
    section.sh_entsize = static_cast<decltype(section.sh_entsize)>(entry_size);
    put(bytes, section_header_at, section);
    section_header_at += sizeof(Shdr);
    ++index;
  };
  if (elf.abi_tag)
    add_section(note_name, SHT_NOTE, SHF_ALLOC, note_at, note.size(), 0, 0, 4, 0);
  add_section(hash_name, SHT_HASH, SHF_ALLOC, hash_at, sizeof hash, dynsym_index, 0, 4, 4);
  add_section(dynsym_name, SHT_DYNSYM, SHF_ALLOC, dynsym_at, sizeof(Sym), dynstr_index, 1, word,
              sizeof(Sym));
  add_section(dynstr_name, SHT_STRTAB, SHF_ALLOC, dynstr_at, dynstr.size(), 0, 0, 1, 0);
  add_section(dynamic_name, SHT_DYNAMIC, SHF_ALLOC | SHF_WRITE, dynamic_at, dynamic_size,
              dynstr_index, 0, word, sizeof(Dyn));
  add_section(shstrtab_name, SHT_STRTAB, 0, shstrtab_at, shstrtab.size(), 0, 0, 1, 0);
  (void)index;
  return bytes;
}

} // namespace

std::string minimal_elf_image(const MinimalElf &elf) {
  return elf.kind == ElfKind::x86_64 ? image_of<Elf64Types>(elf) : image_of<Elf32Types>(elf);
}

void write_minimal_elf(const std::string &path, const MinimalElf &elf) {
  const std::string bytes = minimal_elf_image(elf);
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
  if (fd < 0)
    throw Error("cannot create the stand-in library " + path + ": " + std::strerror(errno));
  std::size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int saved = errno;
      close(fd);
      throw Error("cannot write the stand-in library " + path + ": " + std::strerror(saved));
    }
    written += static_cast<std::size_t>(n);
  }
  // The mode asked at creation is cut by the umask; installers leave 0755.
  fchmod(fd, 0755);
  if (close(fd) != 0)
    throw Error("cannot write the stand-in library " + path + ": " + std::strerror(errno));
}

} // namespace nvd::test
