// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/plugin/driver/driver_facts.hpp"
#include "nvd/plugin/driver/ld_cache.hpp"

#include <string>
#include <vector>

namespace nvd {

// The I/O edge of the driver files. A driver root is where the driver is
// installed: "/" or, for a containerised driver, e.g. "/run/nvidia/driver".
// Its DIR/etc/ld.so.cache lists paths inside DIR, and every link under DIR is
// followed as a chroot at DIR would (see resolve_in_root): nothing outside DIR
// is ever read.

// The entries of DIR/etc/ld.so.cache. A missing or broken cache: nvd::Error.
std::vector<LdCacheEntry> read_driver_root_cache(const std::string &driver_root);

// What the volume plan needs, read once: the cache entries of this machine
// (and, on x86-64, of i386) whose names are in the driver library table, each
// resolved to its real file and its ELF facts read; and the table's programs
// from DIR/usr/bin, DIR/usr/sbin, DIR/bin, DIR/sbin (the first found).
// Candidates that cannot be read are `unreadable` lines, not errors.
DriverFacts read_driver_facts(const std::string &driver_root, const std::string &version);

// The host path of the real file behind `soname` (e.g. "libnvidia-ml.so.1")
// for this machine's architecture, through DIR's cache: what dlopen should be
// given. By default ld.so's own choice (the cache's first entry); with
// `prefer_version`, the first entry whose real file ends with
// ".<prefer_version>" when there is one (libcuda of the running driver, not a
// stale one listed before it). nvd::Error when the cache lacks the name
// ("... not in DIR/etc/ld.so.cache: is the NVIDIA driver installed under
// DIR?") or the file it lists is missing.
std::string find_driver_library(const std::string &driver_root, const std::string &soname,
                                const std::string &prefer_version = "");

} // namespace nvd
