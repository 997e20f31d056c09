// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/settings.hpp"

#include "nvd/common/error.hpp"
#include "nvd/common/strings.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace nvd {

std::vector<std::string> docker_command_from(const Environment &env) {
  auto it = env.find("NV_DOCKER");
  if (it == env.end())
    return {"docker"};
  std::vector<std::string> words = split_words(it->second);
  if (words.empty())
    throw Error("NV_DOCKER is set but " + std::string(it->second.empty() ? "empty" : "blank") +
                ": set it to the docker command (e.g. NV_DOCKER='sudo docker') or unset it");
  return words;
}

static bool is_gpu_id(const std::string &id) {
  if (is_decimal(id))
    return true;
  return starts_with(id, "GPU-") && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  c == '-';
         });
}

std::vector<std::string> gpu_ids_from(const Environment &env) {
  auto it = env.find("NV_GPU");
  if (it == env.end() || it->second.empty())
    return {};
  std::vector<std::string> ids = split_any(it->second, ", \t\n\v\f\r");
  if (ids.empty())
    throw Error("NV_GPU: no device in \"" + printable(it->second) +
                "\" (give GPU indexes or UUIDs separated by commas, e.g. NV_GPU=0,1, or unset "
                "it for all GPUs)");
  for (const auto &id : ids)
    if (!is_gpu_id(id))
      throw Error("NV_GPU: invalid device: " + printable(id) +
                  " (a device is an index such as 0 or a UUID such as GPU-836c0c09)");
  return ids;
}

bool switch_from(const Environment &env, const std::string &name) {
  auto it = env.find(name);
  return it != env.end() && !it->second.empty() && it->second != "0" && it->second != "false";
}

std::chrono::milliseconds timeout_from(const Environment &env) {
  auto it = env.find("NV_TIMEOUT");
  if (it == env.end() || it->second.empty())
    return std::chrono::seconds(10);
  const std::string &text = it->second;
  char *end = nullptr;
  double seconds = std::strtod(text.c_str(), &end);
  bool plain = std::all_of(text.begin(), text.end(),
                           [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
  if (!plain || end != text.c_str() + text.size() || !std::isfinite(seconds) || seconds <= 0 ||
      seconds > 3600)
    throw Error("NV_TIMEOUT: invalid value \"" + printable(text) +
                "\" (a number of seconds above 0 and at most 3600, e.g. NV_TIMEOUT=30)");
  return std::chrono::milliseconds(static_cast<long long>(std::ceil(seconds * 1000)));
}

} // namespace nvd
