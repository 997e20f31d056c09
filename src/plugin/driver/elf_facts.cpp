// SPDX-License-Identifier: BSD-3-Clause
// The ELF edge: libelf reads the file; this file only asks it the few facts the
// driver volume needs, as the dynamic loader would find them (program headers,
// PT_DYNAMIC, PT_NOTE), so that files without section headers read the same.
#include "nvd/plugin/driver/elf_facts.hpp"

#include "nvd/common/error.hpp"

#include <cerrno>
#include <cstring>
#include <string_view>

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/stat.h>
#include <unistd.h>

namespace nvd {

namespace {

// Owns what a read holds, so that every throw releases it.
struct OpenFile {
  int fd = -1;
  Elf *elf = nullptr;
  OpenFile() = default;
  OpenFile(const OpenFile &) = delete;
  OpenFile &operator=(const OpenFile &) = delete;
  ~OpenFile() {
    if (elf != nullptr)
      elf_end(elf);
    if (fd >= 0)
      ::close(fd);
  }
};

class ElfFile {
public:
  explicit ElfFile(const std::string &path) : m_path(path) {
    // O_NONBLOCK: a FIFO planted where a library should be must not hang us.
    m_open.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (m_open.fd < 0)
      throw Error(path + ": cannot open: " + std::strerror(errno));
    struct stat info {};
    if (::fstat(m_open.fd, &info) != 0 || !S_ISREG(info.st_mode))
      throw Error(path + ": not a regular file");
    m_size = static_cast<std::uint64_t>(info.st_size);
    char magic[SELFMAG] = {};
    if (::pread(m_open.fd, magic, SELFMAG, 0) != SELFMAG || std::memcmp(magic, ELFMAG, SELFMAG) != 0)
      throw Error(path + ": not an ELF file");
    // ELF_C_READ rather than a mapping: a file truncated while we read it is
    // then a read error, not a SIGBUS.
    m_open.elf = elf_begin(m_open.fd, ELF_C_READ, nullptr);
    if (m_open.elf == nullptr || elf_kind(m_open.elf) != ELF_K_ELF)
      fail("unreadable ELF header");
  }

  Elf *elf() const { return m_open.elf; }
  std::uint64_t size() const { return m_size; }

  // `length` bytes at `offset`, in the file, converted to the host's layout
  // for `type`.
  Elf_Data *chunk(std::uint64_t offset, std::uint64_t length, Elf_Type type, const char *what) const {
    if (offset > m_size || length > m_size - offset)
      fail(std::string(what) + " lies outside the file");
    Elf_Data *data =
        elf_getdata_rawchunk(m_open.elf, static_cast<int64_t>(offset), static_cast<size_t>(length), type);
    if (data == nullptr)
      fail(std::string(what) + " unreadable");
    return data;
  }

  [[noreturn]] void fail(const std::string &what) const {
    const int code = elf_errno();
    std::string message = m_path + ": broken ELF file: " + what;
    if (code != 0)
      message += std::string(" (libelf: ") + elf_errmsg(code) + ")";
    throw Error(message);
  }

private:
  std::string m_path;
  OpenFile m_open;
  std::uint64_t m_size = 0;
};

void init_libelf() {
  static const bool ready = elf_version(EV_CURRENT) != EV_NONE;
  if (!ready)
    throw Error("libelf: this libelf does not read the current ELF version");
}

// The file offset of the virtual address `address`, through the PT_LOAD
// segment holding `length` bytes there.
std::uint64_t file_offset_of(const ElfFile &file, const std::vector<GElf_Phdr> &loads, std::uint64_t address,
                             std::uint64_t length) {
  for (const GElf_Phdr &load : loads) {
    if (address < load.p_vaddr || address - load.p_vaddr >= load.p_filesz)
      continue;
    const std::uint64_t into = address - load.p_vaddr;
    if (length > load.p_filesz - into)
      file.fail("the dynamic string table runs past its segment");
    return load.p_offset + into;
  }
  file.fail("the dynamic string table is in no loaded segment");
}

std::uint32_t word_at(const unsigned char *bytes, bool big_endian) {
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i)
    value = (value << 8) | bytes[big_endian ? i : 3 - i];
  return value;
}

std::optional<ElfAbiTag> abi_tag_of(const ElfFile &file, const GElf_Phdr &note, bool big_endian) {
  const Elf_Type type = note.p_align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR;
  Elf_Data *data = file.chunk(note.p_offset, note.p_filesz, type, "a note segment");
  GElf_Nhdr header;
  size_t name_at = 0;
  size_t desc_at = 0;
  for (size_t at = 0; at < data->d_size;) {
    const size_t next = gelf_getnote(data, at, &header, &name_at, &desc_at);
    if (next == 0)
      break;
    const auto *bytes = static_cast<const unsigned char *>(data->d_buf);
    if (header.n_type == NT_GNU_ABI_TAG && header.n_namesz == sizeof ELF_NOTE_GNU &&
        std::memcmp(bytes + name_at, ELF_NOTE_GNU, sizeof ELF_NOTE_GNU) == 0 && header.n_descsz >= 16) {
      const unsigned char *desc = bytes + desc_at;
      return ElfAbiTag{word_at(desc, big_endian), word_at(desc + 4, big_endian),
                       word_at(desc + 8, big_endian), word_at(desc + 12, big_endian)};
    }
    at = next;
  }
  return std::nullopt;
}

} // namespace

ElfFacts read_elf_facts(const std::string &path) {
  init_libelf();
  const ElfFile file(path);
  Elf *elf = file.elf();

  ElfFacts facts;
  GElf_Ehdr header;
  if (gelf_getehdr(elf, &header) == nullptr)
    file.fail("unreadable ELF header");
  switch (gelf_getclass(elf)) {
  case ELFCLASS32:
    facts.elf_class = ElfClass::elf32;
    break;
  case ELFCLASS64:
    facts.elf_class = ElfClass::elf64;
    break;
  default:
    file.fail("unknown ELF class");
  }
  facts.machine = header.e_machine;
  const bool big_endian = header.e_ident[EI_DATA] == ELFDATA2MSB;

  size_t count = 0;
  if (elf_getphdrnum(elf, &count) != 0)
    file.fail("unreadable program headers");
  // From the header itself: libelf quietly lowers a count that overflows the file.
  if (header.e_phnum != PN_XNUM)
    count = header.e_phnum;
  const std::uint64_t headers_size = std::uint64_t{count} * gelf_fsize(elf, ELF_T_PHDR, 1, EV_CURRENT);
  if (header.e_phoff > file.size() || headers_size > file.size() - header.e_phoff)
    file.fail("the program headers lie outside the file");
  std::vector<GElf_Phdr> loads;
  std::optional<GElf_Phdr> dynamic;
  for (size_t i = 0; i < count; ++i) {
    GElf_Phdr segment;
    if (gelf_getphdr(elf, static_cast<int>(i), &segment) == nullptr)
      file.fail("unreadable program header " + std::to_string(i));
    if (segment.p_type == PT_LOAD)
      loads.push_back(segment);
    else if (segment.p_type == PT_DYNAMIC && !dynamic)
      dynamic = segment;
    else if (segment.p_type == PT_NOTE && !facts.abi_tag && segment.p_filesz > 0)
      facts.abi_tag = abi_tag_of(file, segment, big_endian);
  }
  if (!dynamic)
    return facts;

  Elf_Data *entries = file.chunk(dynamic->p_offset, dynamic->p_filesz, ELF_T_DYN, "the dynamic section");
  const size_t entry_size = gelf_fsize(elf, ELF_T_DYN, 1, EV_CURRENT);
  std::optional<std::uint64_t> strings_address;
  std::uint64_t strings_size = 0;
  std::optional<std::uint64_t> soname_at;
  std::vector<std::uint64_t> needed_at;
  for (size_t i = 0; entry_size != 0 && i < dynamic->p_filesz / entry_size; ++i) {
    GElf_Dyn entry;
    if (gelf_getdyn(entries, static_cast<int>(i), &entry) == nullptr)
      file.fail("unreadable dynamic entry " + std::to_string(i));
    if (entry.d_tag == DT_NULL)
      break;
    if (entry.d_tag == DT_STRTAB)
      strings_address = entry.d_un.d_ptr;
    else if (entry.d_tag == DT_STRSZ)
      strings_size = entry.d_un.d_val;
    else if (entry.d_tag == DT_SONAME)
      soname_at = entry.d_un.d_val;
    else if (entry.d_tag == DT_NEEDED)
      needed_at.push_back(entry.d_un.d_val);
  }
  if (!soname_at && needed_at.empty())
    return facts;
  if (!strings_address || strings_size == 0)
    file.fail("DT_SONAME or DT_NEEDED without a dynamic string table");

  const std::uint64_t strings_offset = file_offset_of(file, loads, *strings_address, strings_size);
  Elf_Data *strings = file.chunk(strings_offset, strings_size, ELF_T_BYTE, "the dynamic string table");
  const std::string_view table(static_cast<const char *>(strings->d_buf), strings->d_size);
  const auto string_at = [&](std::uint64_t offset, const char *what) {
    const size_t nul = offset < table.size() ? table.find('\0', offset) : std::string_view::npos;
    if (nul == std::string_view::npos)
      file.fail(std::string(what) + " lies outside the dynamic string table");
    return std::string(table.substr(offset, nul - offset));
  };
  if (soname_at)
    facts.soname = string_at(*soname_at, "DT_SONAME");
  for (std::uint64_t offset : needed_at)
    facts.needed.push_back(string_at(offset, "DT_NEEDED"));
  return facts;
}

} // namespace nvd
