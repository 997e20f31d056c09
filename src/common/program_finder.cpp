// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/common/program_finder.hpp"

#include <climits>
#include <sys/stat.h>
#include <unistd.h>

namespace nvd {
namespace {

bool same_file(const std::string &a, const std::string &b) {
  struct stat x{}, y{};
  if (a.empty() || b.empty() || ::stat(a.c_str(), &x) != 0 || ::stat(b.c_str(), &y) != 0)
    return false;
  return x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

bool is_executable_file(const std::string &path) {
  struct stat info{};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
         ::access(path.c_str(), X_OK) == 0;
}

} // namespace

std::optional<std::string> find_program(const std::string &name, const std::string &search_path,
                                        const std::string &self) {
  if (name.empty())
    return std::nullopt;
  if (name.find('/') != std::string::npos) {
    if (!is_executable_file(name))
      return std::nullopt;
    return name;
  }
  std::size_t start = 0;
  while (start <= search_path.size()) {
    std::size_t end = search_path.find(':', start);
    if (end == std::string::npos)
      end = search_path.size();
    std::string folder = search_path.substr(start, end - start);
    std::string candidate = (folder.empty() ? "." : folder) + "/" + name;
    if (is_executable_file(candidate) && !same_file(candidate, self))
      return candidate;
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
