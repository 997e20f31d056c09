// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/plugin/driver/volume_plan.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace nvd {

// What one build_volume() did.
struct VolumeBuild {
  std::string mountpoint;     // <volumes_dir>/nvidia_driver/<version>
  bool built = false;         // false: the volume was already there, untouched
  std::size_t hard_links = 0; // files that share the driver's inode (no disk used)
  std::size_t clones = 0;     // files reflinked (FICLONE): no data copied
  std::size_t copies = 0;     // files copied (copy_file_range, else read/write)
  std::size_t symlinks = 0;
};

// Checks one entry of a plan before it can name a path: `path` relative, made
// of plain names (letters, digits, '_', '.', '-'), no "." or ".." part, no
// empty part; a file's source an absolute path with no "." or ".." part; a
// symlink's target a plain file name. Returns what is wrong, or "" when valid.
std::string volume_entry_problem(const VolumeEntry &entry);

// Lays the plan out as <volumes_dir>/nvidia_driver/<plan.version>, with bin/,
// lib/ and lib64/ always present (1.0's layout). Each file is a hard link of
// its source; where that cannot be (another file system: EXDEV; a file this
// process may not link: EPERM; too many links: EMLINK), a reflink, else a
// copy, with the source's permission bits. A source must be a regular file
// (a symlink to one is followed): a FIFO or a device is refused without
// waiting on it, and the file linked or copied is the one checked, from one
// open descriptor, even if the path changes meanwhile. A copy has exactly
// the size the source had. Built in a temporary folder beside
// the final one and renamed into place (copies fsynced first, with their
// folders): an interrupted build never leaves a volume that looks complete. An existing volume is
// left as it is (built = false). Creates the volumes folder (0755) if missing. Never follows a
// symlink below the volumes folder. Throws Error naming the entry at fault; nothing is left behind
// then.
VolumeBuild build_volume(const VolumePlan &plan, const std::string &volumes_dir);

} // namespace nvd
