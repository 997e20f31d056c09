// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/driver/root_path.hpp"

#include "nvd/common/error.hpp"
#include "nvd/common/strings.hpp"

#include <cerrno>
#include <climits>
#include <cstring>
#include <deque>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

namespace nvd {

namespace {

// As Linux's own limit (MAXSYMLINKS).
constexpr int max_links = 40;

std::string inside_of(const std::vector<std::string> &parts) {
  return parts.empty() ? "/" : "/" + join(parts, "/");
}

std::string host_of(const std::string &root, const std::string &inside) {
  return root == "/" ? inside : root + inside;
}

void push_front_parts(std::deque<std::string> &pending, const std::string &path) {
  std::vector<std::string> parts = split_any(path, "/");
  pending.insert(pending.begin(), parts.begin(), parts.end());
}

} // namespace

std::optional<RootedPath> try_resolve_in_root(const std::string &root, const std::string &path,
                                              std::string &why) {
  const auto fail = [&](const std::string &reason) -> std::optional<RootedPath> {
    why = reason;
    return std::nullopt;
  };
  if (path.empty())
    return fail("empty path");

  std::vector<std::string> resolved;
  std::deque<std::string> pending;
  push_front_parts(pending, path);
  int links = 0;
  while (!pending.empty()) {
    const std::string part = pending.front();
    pending.pop_front();
    if (part == ".")
      continue;
    if (part == "..") {
      // Lexical, and right: every part resolved so far is a real folder.
      if (!resolved.empty())
        resolved.pop_back();
      continue;
    }
    resolved.push_back(part);
    const std::string host = host_of(root, inside_of(resolved));
    struct stat info {};
    if (::lstat(host.c_str(), &info) != 0)
      return fail(std::strerror(errno));
    if (S_ISLNK(info.st_mode)) {
      if (++links > max_links)
        return fail("too many levels of symbolic links");
      std::vector<char> target(PATH_MAX);
      const ssize_t length = ::readlink(host.c_str(), target.data(), target.size());
      if (length < 0)
        return fail(std::strerror(errno));
      if (length == 0 || static_cast<std::size_t>(length) >= target.size())
        return fail("unreadable symbolic link " + printable(inside_of(resolved)));
      const std::string link(target.data(), static_cast<std::size_t>(length));
      resolved.pop_back();
      if (link.front() == '/')
        resolved.clear();
      push_front_parts(pending, link);
      continue;
    }
    if (!S_ISDIR(info.st_mode) && !pending.empty())
      return fail(std::strerror(ENOTDIR));
  }
  const std::string inside = inside_of(resolved);
  return RootedPath{inside, host_of(root, inside)};
}

RootedPath resolve_in_root(const std::string &root, const std::string &path) {
  std::string why;
  std::optional<RootedPath> resolved = try_resolve_in_root(root, path, why);
  if (!resolved)
    throw Error(printable(path) + " under " + printable(root) + ": " + why);
  return *resolved;
}

} // namespace nvd
