// SPDX-License-Identifier: BSD-3-Clause
// Image configurations and their labels, and versions: parsed or refused with
// an Error, never a crash.
#include "nvd/client/cuda_version.hpp"
#include "nvd/common/error.hpp"
#include "nvd/client/image_config.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  try {
    nvd::ImageConfig config = nvd::parse_image_config(text, "fuzz");
    nvd::LabelRequest request = nvd::read_gpu_labels(config, "fuzz");
    for (const auto &volume : request.volumes)
      if (volume.empty() || volume.find_first_of(" &=?+") != std::string::npos)
        std::abort();
  } catch (const nvd::Error &) {
  }
  if (auto version = nvd::parse_version(text)) {
    if (version->parts.empty() || nvd::compare_versions(*version, *version) != 0)
      std::abort();
  }
  return 0;
}
