// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/driver/driver_root.hpp"

#include "nvd/common/error.hpp"
#include "nvd/common/strings.hpp"
#include "nvd/plugin/driver/driver_libraries.hpp"
#include "nvd/plugin/driver/root_path.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <elf.h>
#include <optional>
#include <set>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace nvd {

namespace {

// Far above any real cache (a desktop's is under 1 MiB): a bound on what a
// hostile file can make us hold.
constexpr off_t max_cache_size = 64 << 20;

const char *const binary_folders[] = {"/usr/bin", "/usr/sbin", "/bin", "/sbin"};

std::string cache_file_of(const std::string &root) { return (root == "/" ? "" : root) + "/etc/ld.so.cache"; }

std::string installed_hint(const std::string &root) {
  return "is the NVIDIA driver installed under " + root + ", and was ldconfig run there?";
}

// The driver root as an absolute path without links, so that host paths are
// plain prefixes of it.
std::string canonical_root(const std::string &driver_root) {
  if (driver_root.empty())
    throw Error("driver root: empty path");
  char resolved[PATH_MAX];
  if (::realpath(driver_root.c_str(), resolved) == nullptr)
    throw Error("driver root " + printable(driver_root) + ": " + std::strerror(errno));
  struct stat info {};
  if (::stat(resolved, &info) != 0 || !S_ISDIR(info.st_mode))
    throw Error("driver root " + printable(driver_root) + ": not a folder");
  return resolved;
}

std::string read_cache_file(const std::string &root) {
  const std::string shown = cache_file_of(root);
  std::string why;
  const std::optional<RootedPath> cache = try_resolve_in_root(root, "/etc/ld.so.cache", why);
  if (!cache)
    throw Error(shown + ": " + why + ": " + installed_hint(root));
  // O_NONBLOCK: a FIFO in place of the cache must not hang us.
  const int fd = ::open(cache->host.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    throw Error(shown + ": " + std::strerror(errno) + ": " + installed_hint(root));
  std::string bytes;
  struct stat info {};
  bool ok = ::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_size <= max_cache_size;
  if (ok) {
    bytes.resize(static_cast<std::size_t>(info.st_size));
    std::size_t done = 0;
    while (ok && done < bytes.size()) {
      const ssize_t got = ::read(fd, bytes.data() + done, bytes.size() - done);
      if (got < 0 && errno == EINTR)
        continue;
      ok = got > 0;
      done += ok ? static_cast<std::size_t>(got) : 0;
    }
  }
  ::close(fd);
  if (!ok)
    throw Error(shown +
                ": not a readable ld.so.cache (a regular file of at most 64 MiB): " + installed_hint(root));
  return bytes;
}

// The architectures whose libraries belong in this machine's driver volume.
bool is_volume_arch(LibraryArch arch) {
  return arch == native_arch() || (native_arch() == LibraryArch::x86_64 && arch == LibraryArch::i386);
}

// The ELF machine a cache architecture stands for; 0 when none is known.
std::uint16_t machine_of(LibraryArch arch) {
  switch (arch) {
  case LibraryArch::x86_64:
    return EM_X86_64;
  case LibraryArch::i386:
    return EM_386;
  case LibraryArch::aarch64:
    return EM_AARCH64;
  case LibraryArch::other:
    break;
  }
  return 0;
}

std::string folder_of(const std::string &inside) {
  const std::size_t slash = inside.rfind('/');
  return slash == 0 ? "/" : inside.substr(0, slash);
}

std::string name_of(const std::string &inside) { return inside.substr(inside.rfind('/') + 1); }

bool is_executable_file(const std::string &host) {
  struct stat info {};
  return ::stat(host.c_str(), &info) == 0 && S_ISREG(info.st_mode) && (info.st_mode & 0111) != 0;
}

std::vector<LdCacheEntry> cache_entries_of(const std::string &root) {
  return parse_ld_cache(read_cache_file(root), cache_file_of(root));
}

} // namespace

std::vector<LdCacheEntry> read_driver_root_cache(const std::string &driver_root) {
  return cache_entries_of(canonical_root(driver_root));
}

namespace {

// libvdpau_nvidia is no library that programs link: libvdpau opens it from
// its own folder, <libdir>/vdpau/, which the ld cache does not list. It is
// looked for beside the folders where the cache showed the running driver's
// libcuda, with the same version and ELF checks as every other file.
void add_vdpau_drivers(DriverFacts &facts, std::set<std::string> &seen) {
  std::set<std::string> folders;
  for (const DriverLibraryFile &file : facts.libraries)
    if (file.cache_name == "libcuda.so.1" && file.real_name == "libcuda.so." + facts.version)
      folders.insert(file.folder);
  for (const std::string &folder : folders) {
    const std::string name = "libvdpau_nvidia.so." + facts.version;
    std::string why;
    const std::optional<RootedPath> real =
        try_resolve_in_root(facts.driver_root, folder + "/vdpau/" + name, why);
    if (!real || !seen.insert(real->host).second)
      continue;
    try {
      DriverLibraryFile file;
      file.elf = read_elf_facts(real->host);
      file.cache_name = file.elf.soname.empty() ? name : file.elf.soname;
      file.folder = folder_of(real->inside);
      file.real_name = name_of(real->inside);
      file.host_path = real->host;
      facts.libraries.push_back(std::move(file));
    } catch (const Error &error) {
      facts.unreadable.push_back(name + " (vdpau): " + error.what() + ", left out");
    }
  }
}

} // namespace

DriverFacts read_driver_facts(const std::string &driver_root, const std::string &version) {
  DriverFacts facts;
  facts.driver_root = canonical_root(driver_root);
  facts.version = version;
  const std::string &root = facts.driver_root;

  std::set<std::string> seen;
  for (const LdCacheEntry &entry : cache_entries_of(root)) {
    if (!is_volume_arch(entry.arch) || driver_library_of(entry.name) == nullptr)
      continue;
    const std::string shown = printable(entry.name) + " (" + std::string(arch_name(entry.arch)) + ")";
    try {
      const RootedPath real = resolve_in_root(root, entry.path);
      // One file listed under several names (its SONAME, a development link)
      // or for several CPU levels is read once.
      if (!seen.insert(real.host).second)
        continue;
      DriverLibraryFile file;
      file.cache_name = entry.name;
      file.folder = folder_of(real.inside);
      file.real_name = name_of(real.inside);
      file.host_path = real.host;
      file.elf = read_elf_facts(real.host);
      if (file.elf.machine != machine_of(entry.arch)) {
        facts.unreadable.push_back(shown + ": " + printable(real.host) + ": built for ELF machine " +
                                   std::to_string(file.elf.machine) + ", not " +
                                   std::string(arch_name(entry.arch)) + " as the cache says, left out");
        continue;
      }
      facts.libraries.push_back(std::move(file));
    } catch (const Error &error) {
      facts.unreadable.push_back(shown + ": " + error.what() + ", left out");
    }
  }

  add_vdpau_drivers(facts, seen);

  for (std::string_view name : driver_binaries()) {
    for (const char *folder : binary_folders) {
      std::string why; // a missing program, or a dangling link: try the next folder
      const std::optional<RootedPath> real =
          try_resolve_in_root(root, std::string(folder) + "/" + std::string(name), why);
      if (real && is_executable_file(real->host)) {
        facts.binaries.push_back({std::string(name), real->host});
        break;
      }
    }
  }
  return facts;
}

std::string find_driver_library(const std::string &driver_root, const std::string &soname,
                                const std::string &prefer_version) {
  const std::string root = canonical_root(driver_root);
  const std::string cache_file = cache_file_of(root);
  const std::vector<LdCacheEntry> entries = cache_entries_of(root);
  // ld.so's own choice for a library without CPU-specific variants: the first
  // entry of the name for this machine. Variants (hwcap set) come before it in
  // the cache; they are only taken when there is nothing else.
  std::vector<const LdCacheEntry *> candidates;
  for (const LdCacheEntry &entry : entries)
    if (entry.name == soname && entry.arch == native_arch())
      candidates.push_back(&entry);
  std::stable_partition(candidates.begin(), candidates.end(),
                        [](const LdCacheEntry *entry) { return entry->hwcap == 0; });
  if (candidates.empty())
    throw Error(printable(soname) + " not in " + cache_file + ": is the NVIDIA driver installed under " +
                root + ", and was ldconfig run there (" + (root == "/" ? "ldconfig" : "ldconfig -r " + root) +
                ")?");

  std::string why;
  if (!prefer_version.empty())
    for (const LdCacheEntry *entry : candidates) {
      const std::optional<RootedPath> real = try_resolve_in_root(root, entry->path, why);
      if (real && ends_with(real->inside, "." + prefer_version))
        return real->host;
    }
  const std::optional<RootedPath> real = try_resolve_in_root(root, candidates.front()->path, why);
  if (!real)
    throw Error(printable(soname) + ", listed in " + cache_file + " as " +
                printable(candidates.front()->path) + ", is missing under " + root + " (" + why +
                "): run ldconfig" + (root == "/" ? "" : " -r " + root));
  return real->host;
}

} // namespace nvd
