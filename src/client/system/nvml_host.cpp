// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/system/nvml_host.hpp"

#include <dlfcn.h>

namespace nvd {
namespace {

// The few NVML entry points we need, by their C signatures (nvml.h is not a
// build dependency: the library is optional at run time).
using nvmlReturn = int;
using nvmlDevice = void *;
constexpr nvmlReturn nvml_success = 0;

struct Nvml {
  nvmlReturn (*init)();
  nvmlReturn (*shutdown)();
  nvmlReturn (*driver_version)(char *, unsigned);
  nvmlReturn (*cuda_version)(int *);
  nvmlReturn (*device_count)(unsigned *);
  nvmlReturn (*device_by_index)(unsigned, nvmlDevice *);
  nvmlReturn (*device_uuid)(nvmlDevice, char *, unsigned);
  nvmlReturn (*device_brand)(nvmlDevice, int *);
  nvmlReturn (*compute_capability)(nvmlDevice, int *, int *);
};

template <class Function> bool resolve(void *library, const char *name, Function &target) {
  void *symbol = ::dlsym(library, name);
  target = reinterpret_cast<Function>(symbol);
  return symbol != nullptr;
}

} // namespace

std::string nvml_brand_name(int brand) {
  static const char *const names[] = {"unknown",     "quadro",      "tesla",      "nvs",
                                      "grid",        "geforce",     "titan",      "nvidiavapps",
                                      "nvidiavpc",   "nvidiavcs",   "nvidiavws",  "nvidiacloudgaming",
                                      "quadrortx",   "nvidiartx",   "nvidia",     "geforcertx",
                                      "titanrtx"};
  if (brand < 0 || brand >= static_cast<int>(std::size(names)))
    return "unknown";
  return names[brand];
}

std::string nvml_cuda_version(int version) {
  return std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 10);
}

std::optional<PluginGpuInfo> read_nvml_host(std::string &why_not) {
  void *library = ::dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    why_not = "NVML (libnvidia-ml.so.1) is not installed here";
    return std::nullopt;
  }
  Nvml nvml{};
  bool complete = resolve(library, "nvmlInit_v2", nvml.init) &&
                  resolve(library, "nvmlShutdown", nvml.shutdown) &&
                  resolve(library, "nvmlSystemGetDriverVersion", nvml.driver_version) &&
                  resolve(library, "nvmlSystemGetCudaDriverVersion_v2", nvml.cuda_version) &&
                  resolve(library, "nvmlDeviceGetCount_v2", nvml.device_count) &&
                  resolve(library, "nvmlDeviceGetHandleByIndex_v2", nvml.device_by_index) &&
                  resolve(library, "nvmlDeviceGetUUID", nvml.device_uuid) &&
                  resolve(library, "nvmlDeviceGetBrand", nvml.device_brand) &&
                  resolve(library, "nvmlDeviceGetCudaComputeCapability", nvml.compute_capability);
  if (!complete) {
    why_not = "libnvidia-ml.so.1 lacks an NVML function we need (driver too old?)";
    ::dlclose(library);
    return std::nullopt;
  }
  if (nvml.init() != nvml_success) {
    why_not = "NVML did not initialise (is the NVIDIA driver loaded?)";
    ::dlclose(library);
    return std::nullopt;
  }
  PluginGpuInfo info;
  char text[96] = {};
  int cuda = 0;
  unsigned count = 0;
  std::optional<Version> driver;
  if (nvml.driver_version(text, sizeof text) == nvml_success)
    driver = parse_version(text);
  bool ok = driver && nvml.cuda_version(&cuda) == nvml_success &&
            nvml.device_count(&count) == nvml_success;
  std::optional<Version> cuda_version = ok ? parse_version(nvml_cuda_version(cuda)) : std::nullopt;
  if (ok && cuda_version) {
    info.driver = *driver;
    info.cuda = *cuda_version;
    for (unsigned i = 0; i < count && i < 1024; ++i) {
      nvmlDevice device = nullptr;
      PluginGpuInfo::Device d;
      int brand = 0, major = 0, minor = 0;
      char uuid[96] = {};
      if (nvml.device_by_index(i, &device) == nvml_success) {
        if (nvml.device_uuid(device, uuid, sizeof uuid) == nvml_success)
          d.uuid = uuid;
        if (nvml.device_brand(device, &brand) == nvml_success)
          d.brand = nvml_brand_name(brand);
        if (nvml.compute_capability(device, &major, &minor) == nvml_success)
          d.arch = std::to_string(major) + "." + std::to_string(minor);
      }
      info.devices.push_back(d);
    }
  } else {
    why_not = "NVML did not tell the driver and CUDA versions";
  }
  nvml.shutdown();
  ::dlclose(library);
  if (!why_not.empty())
    return std::nullopt;
  return info;
}

} // namespace nvd
