// SPDX-License-Identifier: BSD-3-Clause
// Untrusted plugin answers: refused with an Error, or accepted, and then every
// device is an NVIDIA device node and every volume one the image asked for.
#include "nvd/common/error.hpp"
#include "nvd/client/plugin_answer.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string body(reinterpret_cast<const char *>(data), size);
  try {
    nvd::GpuArguments args = nvd::parse_docker_cli_answer(body, {"nvidia_driver"}, "fuzz");
    for (const auto &device : args.devices)
      if (!nvd::is_nvidia_device_path(device))
        std::abort();
    for (const auto &volume : args.volumes)
      if (volume.rfind("nvidia_driver_", 0) != 0 || volume.find(',') != std::string::npos)
        std::abort();
    for (const auto &arg : args.to_docker_args())
      if (arg.rfind("--volume-driver=nvidia-docker", 0) != 0 && arg.rfind("--volume=", 0) != 0 &&
          arg.rfind("--device=/dev/", 0) != 0)
        std::abort();
  } catch (const nvd::Error &) {
  }
  try {
    (void)nvd::parse_gpu_info_cuda(body, "fuzz");
  } catch (const nvd::Error &) {
  }
  return 0;
}
