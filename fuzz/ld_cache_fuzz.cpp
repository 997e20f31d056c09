// SPDX-License-Identifier: BSD-3-Clause
// ld.so.cache bytes: entries or an nvd::Error, never a crash or a read outside.
#include "nvd/common/error.hpp"
#include "nvd/plugin/driver/ld_cache.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string bytes(reinterpret_cast<const char *>(data), size);
  try {
    for (const nvd::LdCacheEntry &entry : nvd::parse_ld_cache(bytes, "fuzz"))
      if (entry.name.empty() || entry.path.empty() || entry.name.find('\0') != std::string::npos)
        std::abort();
  } catch (const nvd::Error &) {
  }
  return 0;
}
