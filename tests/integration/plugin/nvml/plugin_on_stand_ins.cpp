// SPDX-License-Identifier: BSD-3-Clause
#include "plugin_on_stand_ins.hpp"

#include "support/process.hpp"

#include <filesystem>
#include <sys/stat.h>

namespace nvd::test {

namespace fs = std::filesystem;

namespace {

// FNV-1a: enough to see a changed file; this is no security check.
std::string digest(const std::string &data) {
  std::uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return std::to_string(hash);
}

} // namespace

std::map<std::string, std::string> tree_fingerprint(const std::string &root, bool with_times) {
  std::map<std::string, std::string> entries;
  std::error_code error;
  for (auto it = fs::recursive_directory_iterator(root, error); !error && it != fs::end(it);
       it.increment(error)) {
    const std::string path = it->path().string();
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0) {
      entries[path] = "unreadable";
      continue;
    }
    std::string what = std::to_string(info.st_mode) + " " + std::to_string(info.st_nlink) + " " +
                       (S_ISDIR(info.st_mode) ? "" : std::to_string(info.st_size));
    if (with_times)
      what +=
          " " + std::to_string(info.st_mtim.tv_sec) + "." + std::to_string(info.st_mtim.tv_nsec);
    if (S_ISLNK(info.st_mode))
      what += " -> " + fs::read_symlink(path).string();
    else if (S_ISREG(info.st_mode))
      what += " " + digest(read_file(path));
    entries[path.substr(root.size())] = what;
  }
  if (error)
    entries["(walk)"] = error.message();
  return entries;
}

std::map<std::string, FoundEntry> volume_entries(const std::string &folder) {
  std::map<std::string, FoundEntry> entries;
  std::error_code error;
  for (auto it = fs::recursive_directory_iterator(folder, error); !error && it != fs::end(it);
       it.increment(error)) {
    const std::string path = it->path().string();
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0)
      continue;
    FoundEntry entry;
    entry.inode = info.st_ino;
    entry.device = info.st_dev;
    entry.links = info.st_nlink;
    entry.is_folder = S_ISDIR(info.st_mode);
    if (S_ISLNK(info.st_mode))
      entry.link_target = fs::read_symlink(path).string();
    entries[path.substr(folder.size() + 1)] = entry;
  }
  return entries;
}

} // namespace nvd::test
