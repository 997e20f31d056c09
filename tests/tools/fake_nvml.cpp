// SPDX-License-Identifier: BSD-3-Clause
// A stand-in libnvidia-ml.so.1 for tests: the few NVML functions nvidia-docker
// calls, answering from the environment:
//   FAKE_NVML_DRIVER  driver version (default 550.54.15)
//   FAKE_NVML_CUDA    CUDA driver version number (default 12020, i.e. 12.2)
//   FAKE_NVML_GPUS    how many GPUs (default 2): brand 2 (tesla), compute capability 8.0
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {
const char *env_or(const char *name, const char *fallback) {
  const char *value = std::getenv(name);
  return value != nullptr ? value : fallback;
}
} // namespace

extern "C" {
int nvmlInit_v2() { return 0; }
int nvmlShutdown() { return 0; }
int nvmlSystemGetDriverVersion(char *text, unsigned size) {
  std::snprintf(text, size, "%s", env_or("FAKE_NVML_DRIVER", "550.54.15"));
  return 0;
}
int nvmlSystemGetCudaDriverVersion_v2(int *version) {
  *version = std::atoi(env_or("FAKE_NVML_CUDA", "12020"));
  return 0;
}
int nvmlDeviceGetCount_v2(unsigned *count) {
  *count = static_cast<unsigned>(std::atoi(env_or("FAKE_NVML_GPUS", "2")));
  return 0;
}
int nvmlDeviceGetHandleByIndex_v2(unsigned index, void **device) {
  *device = reinterpret_cast<void *>(static_cast<unsigned long>(index) + 1);
  return 0;
}
int nvmlDeviceGetUUID(void *device, char *text, unsigned size) {
  std::snprintf(text, size, "GPU-fake0000-0000-0000-0000-%012lu", reinterpret_cast<unsigned long>(device));
  return 0;
}
int nvmlDeviceGetBrand(void *, int *brand) {
  *brand = 2;
  return 0;
}
int nvmlDeviceGetCudaComputeCapability(void *, int *major, int *minor) {
  *major = 8;
  *minor = 0;
  return 0;
}
}
