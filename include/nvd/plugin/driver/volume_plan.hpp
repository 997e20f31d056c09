// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/plugin/driver/driver_facts.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nvd {

// One entry of a driver volume, as the pure planner decides it and the
// builder lays it out.
struct VolumeEntry {
  enum class Kind { file, symlink };
  Kind kind = Kind::file;
  // Relative to the volume's root, no "..": "bin/nvidia-smi", "lib64/libcuda.so.1".
  std::string path;
  // file: the absolute host path to hard-link (or clone, or copy) from.
  // symlink: the link's target, a plain file name in the same folder.
  std::string source;
};

// The driver volume nvidia_driver_<version>: what goes in it, and what was
// left out (one log line each, e.g. "libnvidia-fbc: not shipped by this driver").
struct VolumePlan {
  std::string version;               // "535.104.05"
  std::vector<VolumeEntry> entries;  // sorted by path, paths unique
  std::vector<std::string> skipped;
};

// "nvidia_driver_" + version.
std::string driver_volume_name(const std::string &version);

// The driver version a volume name stands for: "nvidia_driver_" followed by
// dot-separated decimal numbers ("nvidia_driver_535.104.05" -> "535.104.05").
// Anything else (no prefix, empty version, "..", slashes, double dots): nullopt.
std::optional<std::string> driver_version_of_volume(std::string_view name);

// The driver volume for these facts (pure). Rules, in order:
// - a library goes in only when its real file is of the running driver (its
//   name ends with ".<version>"), so a stale older libcuda that the cache also
//   lists never wins; then only when the table's condition holds (NVIDIA's own
//   libGL/libEGL/libGLES*, libnvidia-tls of the new TLS ABI);
// - 64-bit files go to lib64/, 32-bit ones to lib/, each by its real name with
//   its SONAME link beside it (and the table's extra link: libcuda.so,
//   libGLX_indirect.so.0); the first file to claim a path keeps it;
// - the table's programs go to bin/;
// - whatever is left out is a `skipped` line.
// Entries come sorted by path, paths unique, every name a plain file name.
// An invalid version, or no 64-bit libcuda or libnvidia-ml of this driver, is
// an nvd::Error saying which and what to check.
VolumePlan plan_driver_volume(const DriverFacts &facts);

} // namespace nvd
