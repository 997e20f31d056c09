// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/plugin/driver/elf_facts.hpp"

#include <string>
#include <vector>

namespace nvd {

// A library file that the driver root's ld.so.cache leads to, under a name of
// the driver library table.
struct DriverLibraryFile {
  std::string cache_name; // the cache's key: "libcuda.so.1"
  // The real file, links followed, inside the driver root:
  std::string folder;    // "/usr/lib/x86_64-linux-gnu"
  std::string real_name; // "libcuda.so.535.104.05"
  // The same file as this process reaches it (the driver root prepended):
  // "/run/nvidia/driver/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05".
  std::string host_path;
  ElfFacts elf;
};

// A program of the driver table found in the driver root's bin folders.
struct DriverBinaryFile {
  std::string name;      // "nvidia-smi"
  std::string host_path; // the real file, links followed, as this process reaches it
};

// Everything the volume plan is made from, read once from a driver root.
struct DriverFacts {
  std::string driver_root;                  // "/" or "/run/nvidia/driver": for messages
  std::string version;                      // the running driver's, from NVML: "535.104.05"
  std::vector<DriverLibraryFile> libraries; // in the cache's order: preferred first
  std::vector<DriverBinaryFile> binaries;   // in search order: preferred first
  // Candidates that could not be read (a dangling link, a broken ELF file):
  // one line each, logged with the plan's skipped lines.
  std::vector<std::string> unreadable;
};

} // namespace nvd
