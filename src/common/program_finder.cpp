// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/common/program_finder.hpp"

#include <climits>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>

namespace nvd {
namespace {

// A regular file we may execute; `info` is what stat said of it.
bool is_executable_file(const std::string &path, struct stat &info) {
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

} // namespace

std::optional<std::string> find_program(const std::string &name, const std::string &search_path,
                                        const std::string &self) {
  if (name.empty())
    return std::nullopt;
  struct stat info{};
  if (name.find('/') != std::string::npos) {
    if (!is_executable_file(name, info))
      return std::nullopt;
    return name;
  }
  std::optional<struct stat> self_info; // stat'ed once, when a candidate is found
  std::size_t start = 0;
  while (start <= search_path.size()) {
    std::size_t end = search_path.find(':', start);
    if (end == std::string::npos)
      end = search_path.size();
    std::string folder = search_path.substr(start, end - start);
    std::string candidate = (folder.empty() ? "." : folder) + "/" + name;
    if (is_executable_file(candidate, info)) {
      if (!self_info) {
        self_info.emplace();
        if (self.empty() || ::stat(self.c_str(), &*self_info) != 0)
          self_info->st_ino = 0; // nothing to skip
      }
      bool is_self = self_info->st_ino != 0 && info.st_dev == self_info->st_dev && info.st_ino == self_info->st_ino;
      if (!is_self)
        return candidate;
    }
    start = end + 1;
  }
  return std::nullopt;
}

std::string self_executable() {
  char buffer[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  if (n <= 0)
    return "";
  return std::string(buffer, static_cast<std::size_t>(n));
}

} // namespace nvd
