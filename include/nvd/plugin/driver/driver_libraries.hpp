// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <string_view>
#include <vector>

namespace nvd {

// What a library file must show, beyond being of the running driver, to go
// into the driver volume.
enum class LibraryCondition {
  none,
  // libGL, libEGL, libGLES*: only NVIDIA's own (their DT_NEEDED names
  // libnvidia-glcore or libnvidia-eglcore), never the vendor-neutral GLVND
  // loaders or Mesa's of the same name.
  nvidia_gl_core,
  // libnvidia-tls: the new TLS ABI only (see driver_libraries.cpp).
  new_tls_abi,
};

// One library of the driver, by the stem of its file names ("libcuda" for
// libcuda.so.1, libcuda.so.535.104.05).
struct DriverLibrary {
  std::string_view stem;
  bool by_prefix = false; // true: every stem starting with `stem` (libnvidia-pkcs11*)
  bool required = false;  // a driver without it cannot run a container: an error
  LibraryCondition condition = LibraryCondition::none;
  // Another link to put beside the file, as applications expect it
  // ("libcuda.so"); empty: none.
  std::string_view extra_link;
};

// The libraries of a driver volume, in one table (driver_libraries.cpp).
const std::vector<DriverLibrary> &driver_libraries();

// The programs of a driver volume's bin/, by file name.
const std::vector<std::string_view> &driver_binaries();

// "libcuda.so.1" -> "libcuda"; a name without ".so" -> itself.
std::string_view library_stem(std::string_view file_name);

// The table's entry for a library file name ("libcuda.so.1"), or nullptr.
const DriverLibrary *driver_library_of(std::string_view file_name);

} // namespace nvd
