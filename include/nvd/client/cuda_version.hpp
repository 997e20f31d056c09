// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nvd {

// A version of dot-separated numbers ("8.0", "12.4.1"); missing parts count as 0.
struct Version {
  std::vector<unsigned long> parts;
  std::string text;
};

std::optional<Version> parse_version(std::string_view text);

// Negative, zero or positive as a is older than, equal to or newer than b.
int compare_versions(const Version &a, const Version &b);

// The 1.0 check: the driver must support at least the image's CUDA version.
// Returns the refusal ("unsupported CUDA version: driver 7.5 < image 8.0") or "".
std::string check_cuda_version(const Version &driver_cuda, const Version &image_cuda);

} // namespace nvd
