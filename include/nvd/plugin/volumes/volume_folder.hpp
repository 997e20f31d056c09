// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace nvd {

// The volumes folder (the plugin's -d) keeps 1.0's layout, so that a 1.0
// host's volumes stay valid: <volumes_dir>/nvidia_driver/<version>/{bin,lib,lib64}.
// Inside it nothing is ever followed through a symlink: every path below
// <volumes_dir> is reached with openat(O_NOFOLLOW) from the folder above.

// Where the volume of a driver version is: <volumes_dir>/nvidia_driver/<version>.
// Pure: no file is looked at.
std::string volume_mountpoint(const std::string &volumes_dir, const std::string &version);

// True when <volumes_dir>/nvidia_driver/<version> is a real folder (not a
// symlink): a finished volume, since ours appear there by one rename.
// Throws Error for an invalid version or a volumes folder that cannot be read.
bool volume_on_disk(const std::string &volumes_dir, const std::string &version);

// The versions that have a volume folder, sorted by number ("9.1" before "10.0").
// Anything else in nvidia_driver/ (our temporary folders, files, symlinks) is not listed.
std::vector<std::string> volumes_on_disk(const std::string &volumes_dir);

// Removes the volume of `version` without following any symlink inside it:
// renamed aside first (so that it never looks complete half-removed), then
// deleted. Returns false when there was none. Throws Error.
bool remove_volume(const std::string &volumes_dir, const std::string &version);

// Removes what an interrupted build or removal of ours left in nvidia_driver/
// (only our own temporary names, nothing else). Creates the volumes folder
// (0755) if missing. Call it at start, before any build. Returns how many
// leftovers it removed. Throws Error.
std::size_t remove_leftover_builds(const std::string &volumes_dir);

} // namespace nvd
