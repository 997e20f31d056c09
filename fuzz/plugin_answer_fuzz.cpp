// SPDX-License-Identifier: BSD-3-Clause
// Untrusted plugin answers: refused with an Error, or accepted, and then every
// device is an NVIDIA device node and every volume one the image asked for.
#include "nvd/common/error.hpp"
#include "nvd/client/json_events.hpp"
#include "nvd/client/plugin_answer.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

struct Ignored : nvd::JsonEvents {
  void begin_object() override {}
  void end_object() override {}
  void begin_array() override {}
  void end_array() override {}
  void key(std::string_view) override {}
  void string_value(std::string_view) override {}
  void other_value() override {}
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string body(reinterpret_cast<const char *>(data), size);
  // Our JSON reader takes exactly what a general parser takes (but for
  // nesting deeper than it reads), and nothing with a NUL byte: nlohmann
  // reads one outside a string as the end of the text, JSON has no such rule.
  Ignored ignored;
  bool ours = true, too_deep = false;
  try {
    nvd::read_json_events(body, ignored);
  } catch (const nvd::Error &error) {
    ours = false;
    too_deep = std::string(error.what()).find("nested more than") != std::string::npos;
  }
  bool general = body.find('\0') == std::string::npos && nlohmann::json::accept(body);
  if (!too_deep && ours != general)
    std::abort();
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
