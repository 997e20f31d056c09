// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <set>
#include <string>
#include <vector>

namespace nvd::test {

// A stand-in NVIDIA driver installed under a folder, as the plugin's
// --driver-root finds a real one: versioned libraries with their SONAMEs and
// SONAME links in ROOT/usr/lib/x86_64-linux-gnu (and i386-linux-gnu), the
// driver's programs in ROOT/usr/bin, and ROOT/etc/ld.so.cache made by
// `ldconfig -r ROOT`. libcuda and nvidia-smi (and NVML when given) are real
// stand-ins built in tests/tools/driver; every other library is a minimal ELF
// shared object (tests/support/minimal_elf.hpp) that says only its class,
// SONAME and DT_NEEDED.
struct DriverTreeOptions {
  std::string version = "535.104.05";
  // Also the 32-bit libraries (ELFCLASS32 i386, ROOT/usr/lib/i386-linux-gnu).
  bool with_32bit = false;
  // What a real host also has and the driver volume must not take, each in a
  // folder of its own that ld.so.conf lists before the driver's, so that a
  // reader taking the cache's first match gets the decoy:
  //   usr/lib/stale-driver: libcuda.so.<stale_version>, SONAME libcuda.so.1;
  //   usr/lib/classic-tls:  libnvidia-tls.so.<version> of the classic TLS ABI;
  //   usr/lib/glvnd:        libGL.so.1.7.0 and libEGL.so.1.1.0 of GLVND
  //                         (no libnvidia-glcore / -eglcore in DT_NEEDED);
  //   usr/bin/nvidia-settings: a driver program the volume does not hold.
  bool decoys = true;
  std::string stale_version = "470.199.02";
  // Libraries ("libnvidia-fbc") and programs ("nvidia-persistenced") this
  // driver does not ship. Names outside driver_library_names() and
  // driver_program_names() are an error.
  std::set<std::string> omit;
  // nv-fabricmanager in usr/bin (NVSwitch hosts only).
  bool with_fabric_manager = false;
  // The stand-in NVML (a built libnvidia-ml.so.1, target nvd_stand_in_nvml) to
  // install as libnvidia-ml.so.<version>; empty: a minimal ELF with its SONAME only.
  std::string nvml_library;
  // The folder with the stand-in libcuda.so.1 and nvidia-smi (tests/tools/driver's
  // build folder stand-ins/); empty: this build's.
  std::string stand_ins;
};

// One library file of the driver, as installed.
struct InstalledLibrary {
  std::string name;   // "libcuda"
  std::string path;   // absolute: ROOT/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05
  std::string soname; // "libcuda.so.1"; the file's own name for libnvidia-tls & co
  bool is_32bit = false;
  std::vector<std::string> needed; // DT_NEEDED
};

// One entry the driver volume nvidia_driver_<version> is expected to hold.
struct VolumeFile {
  std::string path;        // in the volume: "lib64/libcuda.so.535.104.05", "bin/nvidia-smi"
  std::string source;      // a file: its absolute path in the tree; a link: ""
  std::string link_target; // a link: "libcuda.so.535.104.05" (same folder); a file: ""
  bool is_link() const { return !link_target.empty(); }
};

struct DriverTree {
  std::string root; // absolute
  DriverTreeOptions options;
  std::string lib64_dir;                   // ROOT/usr/lib/x86_64-linux-gnu
  std::string lib32_dir;                   // ROOT/usr/lib/i386-linux-gnu ("" without with_32bit)
  std::string bin_dir;                     // ROOT/usr/bin
  std::string ld_cache;                    // ROOT/etc/ld.so.cache
  std::vector<InstalledLibrary> libraries; // the driver's own, of this version
  std::vector<std::string> programs;       // absolute paths in bin_dir
  std::vector<std::string> decoys;         // absolute paths of the decoy files
  // Sorted by path: each library file under lib64/ or lib/ by ELF class, beside
  // it its SONAME link, lib*/libcuda.so -> the libcuda file,
  // lib*/libGLX_indirect.so.0 -> the libGLX_nvidia file, and bin/<program>.
  std::vector<VolumeFile> expected_volume;
};

// Installs a stand-in driver under `root` (created if missing; it must be
// empty) and runs `ldconfig -r root`. Needs root (ldconfig chroots); throws
// nvd::Error saying so, or naming what else went wrong.
DriverTree make_driver_tree(const std::string &root, const DriverTreeOptions &options);

// Installs `options.version` over the driver at `root` as NVIDIA's installer
// does: the installed version's libraries and their links removed, the new
// version's installed, the programs replaced by new files (a volume that
// hard-linked the old ones keeps them), ldconfig re-run. The stale libcuda and
// GLVND decoys stay.
DriverTree upgrade_driver_tree(const std::string &root, const DriverTreeOptions &options);
// The same, keeping the tree's options but its version.
DriverTree upgrade_driver_tree(const DriverTree &tree, const std::string &new_version);

// The driver version installed at `root` (from its libnvidia-ml.so.<version>);
// nvd::Error when there is none.
std::string installed_driver_version(const std::string &root);

// The names make_driver_tree knows: every library a driver may ship (issue
// 13's list) and its programs.
std::vector<std::string> driver_library_names();
std::vector<std::string> driver_program_names();

// One line of `ldconfig -p`: "libcuda.so.1 (libc6,x86-64) =>
// /usr/lib/x86_64-linux-gnu/libcuda.so.1".
struct LdCacheEntry {
  std::string name;  // "libcuda.so.1"
  std::string flags; // "libc6,x86-64" (64-bit), "libc6" (i386)
  std::string path;  // inside the root: "/usr/lib/x86_64-linux-gnu/libcuda.so.1"
};
// Every entry of ROOT/etc/ld.so.cache in the cache's order, as glibc's ldconfig reads it.
std::vector<LdCacheEntry> read_ld_cache(const std::string &root);

} // namespace nvd::test
