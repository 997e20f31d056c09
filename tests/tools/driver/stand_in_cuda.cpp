// SPDX-License-Identifier: BSD-3-Clause
// A stand-in libcuda.so.1: the two driver API entry points the plugin calls.
// cuDriverGetVersion answers NVD_STAND_IN_CUDA (CUDA's encoding, 1000 * major
// + 10 * minor: 12020 is CUDA 12.2), 12020 when unset.
#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace {

// CUresult values of CUDA's driver API.
constexpr int cuda_success = 0;
constexpr int cuda_error_invalid_value = 1;
constexpr int cuda_error_unknown = 999;

constexpr int default_cuda_version = 12020;

} // namespace

extern "C" {

__attribute__((visibility("default"))) int cuInit(unsigned int flags) {
  return flags == 0 ? cuda_success : cuda_error_invalid_value;
}

__attribute__((visibility("default"))) int cuDriverGetVersion(int *version) {
  if (version == nullptr)
    return cuda_error_invalid_value;
  const char *text = std::getenv("NVD_STAND_IN_CUDA");
  if (text == nullptr || *text == '\0') {
    *version = default_cuda_version;
    return cuda_success;
  }
  char *end = nullptr;
  errno = 0;
  long value = std::strtol(text, &end, 10);
  if (errno != 0 || *end != '\0' || value <= 0 || value > 1000000) {
    std::fprintf(stderr,
                 "stand-in libcuda: NVD_STAND_IN_CUDA=%s is not a CUDA version "
                 "(1000 * major + 10 * minor, e.g. 12020)\n",
                 text);
    return cuda_error_unknown;
  }
  *version = static_cast<int>(value);
  return cuda_success;
}

} // extern "C"
