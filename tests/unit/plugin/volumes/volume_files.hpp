// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// Files for the volume tests: a stand-in driver tree, and snapshots of folder
// trees to prove what was left untouched.

#include "nvd/plugin/driver/volume_plan.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace nvd::test {

inline void write_file(const std::string &path, const std::string &content, mode_t mode = 0644) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out)
      throw std::runtime_error("cannot write " + path);
  }
  if (::chmod(path.c_str(), mode) != 0)
    throw std::runtime_error("cannot chmod " + path);
}

inline std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Every entry below `root` (symlinks not followed): type, mode, size, a hash
// of the content, the link's target, and the modification time, by path.
inline std::map<std::string, std::string> snapshot(const std::string &root) {
  namespace fs = std::filesystem;
  std::map<std::string, std::string> entries;
  auto describe = [](const fs::path &path) {
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0)
      return std::string("missing");
    std::ostringstream out;
    out << std::oct << (info.st_mode & 07777) << std::dec << " mtime " << info.st_mtim.tv_sec << "."
        << info.st_mtim.tv_nsec;
    if (S_ISLNK(info.st_mode))
      out << " link -> " << fs::read_symlink(path).string();
    else if (S_ISDIR(info.st_mode))
      out << " dir";
    else if (S_ISREG(info.st_mode))
      out << " file " << info.st_size << " bytes, hash "
          << std::hash<std::string>{}(read_file(path.string()));
    else
      out << " other";
    return out.str();
  };
  entries["."] = describe(root);
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it)
    entries[fs::relative(it->path(), root).string()] = describe(it->path());
  return entries;
}

// A folder on /dev/shm (a tmpfs: another file system than the temp folder),
// removed with the object.
class ShmDir {
public:
  ShmDir() {
    char pattern[] = "/dev/shm/nvd-volume-test-XXXXXX";
    if (::mkdtemp(pattern) != nullptr)
      m_path = pattern;
  }
  ~ShmDir() {
    std::error_code ignored;
    if (!m_path.empty())
      std::filesystem::remove_all(m_path, ignored);
  }
  ShmDir(const ShmDir &) = delete;
  ShmDir &operator=(const ShmDir &) = delete;
  bool usable() const { return !m_path.empty(); }
  const std::string &path() const { return m_path; }

private:
  std::string m_path;
};

inline dev_t device_of(const std::string &path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 ? info.st_dev : 0;
}

inline ino_t inode_of(const std::string &path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0 ? info.st_ino : 0;
}

inline mode_t mode_of(const std::string &path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0 ? info.st_mode & 07777 : 0;
}

inline bool exists_no_follow(const std::string &path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0;
}

// A small driver under `root`: two binaries, libcuda and libnvidia-ml with
// their SONAME links, and the plan that lays them out.
inline VolumePlan stand_in_driver(const std::string &root,
                                  const std::string &version = "535.104.05") {
  const std::string lib = root + "/usr/lib/x86_64-linux-gnu/";
  const std::string lib32 = root + "/usr/lib/i386-linux-gnu/";
  write_file(root + "/usr/bin/nvidia-smi", "nvidia-smi " + version, 0755);
  write_file(root + "/usr/bin/nvidia-debugdump", "nvidia-debugdump " + version, 0755);
  write_file(lib + "libcuda.so." + version, std::string(10000, 'c'), 0644);
  write_file(lib + "libnvidia-ml.so." + version, std::string(5000, 'm'), 0644);
  write_file(lib32 + "libcuda.so." + version, std::string(8000, 'C'), 0644);
  VolumePlan plan;
  plan.version = version;
  using Kind = VolumeEntry::Kind;
  plan.entries = {
      {Kind::file, "bin/nvidia-debugdump", root + "/usr/bin/nvidia-debugdump"},
      {Kind::file, "bin/nvidia-smi", root + "/usr/bin/nvidia-smi"},
      {Kind::file, "lib/libcuda.so." + version, lib32 + "libcuda.so." + version},
      {Kind::symlink, "lib/libcuda.so.1", "libcuda.so." + version},
      {Kind::symlink, "lib64/libcuda.so", "libcuda.so." + version},
      {Kind::file, "lib64/libcuda.so." + version, lib + "libcuda.so." + version},
      {Kind::symlink, "lib64/libcuda.so.1", "libcuda.so." + version},
      {Kind::file, "lib64/libnvidia-ml.so." + version, lib + "libnvidia-ml.so." + version},
      {Kind::symlink, "lib64/libnvidia-ml.so.1", "libnvidia-ml.so." + version},
  };
  plan.skipped = {"libnvidia-fbc: not shipped by this driver"};
  return plan;
}

} // namespace nvd::test
