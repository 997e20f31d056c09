// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/cuda_version.hpp"

#include "nvd/common/gpu_inventory.hpp"
#include "nvd/common/strings.hpp"

namespace nvd {

std::optional<Version> parse_version(std::string_view text) {
  if (!is_dotted_version(text))
    return std::nullopt;
  Version version;
  version.text = std::string(text);
  for (const auto &part : split_any(text, ".")) {
    if (part.size() > 9)
      return std::nullopt;
    version.parts.push_back(std::stoul(part));
  }
  return version;
}

int compare_versions(const Version &a, const Version &b) {
  std::size_t count = std::max(a.parts.size(), b.parts.size());
  for (std::size_t i = 0; i < count; ++i) {
    unsigned long x = i < a.parts.size() ? a.parts[i] : 0;
    unsigned long y = i < b.parts.size() ? b.parts[i] : 0;
    if (x != y)
      return x < y ? -1 : 1;
  }
  return 0;
}

std::string check_cuda_version(const Version &driver_cuda, const Version &image_cuda) {
  if (compare_versions(driver_cuda, image_cuda) >= 0)
    return "";
  return "unsupported CUDA version: driver " + driver_cuda.text + " < image " + image_cuda.text;
}

} // namespace nvd
