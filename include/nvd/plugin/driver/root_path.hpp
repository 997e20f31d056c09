// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <optional>
#include <string>

namespace nvd {

// A file inside a root folder, both as the root's own system names it and as
// this process reaches it.
struct RootedPath {
  std::string inside; // "/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05"
  std::string host;   // "/run/nvidia/driver/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05"
};

// Resolves `path` inside `root` (an absolute path without links, such as
// realpath gives) as a chroot at `root` would: every symbolic link is followed,
// an absolute target starts again at `root`, ".." never climbs above it. So
// the result is inside `root` whatever the links say, and names no link.
// A missing part, a non-folder in the middle, or more than 40 links: an
// nvd::Error naming the path and the root.
RootedPath resolve_in_root(const std::string &root, const std::string &path);

// The same, with a failure as nullopt and its reason in `why`
// ("No such file or directory", "too many levels of symbolic links").
std::optional<RootedPath> try_resolve_in_root(const std::string &root, const std::string &path,
                                              std::string &why);

} // namespace nvd
