// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/image_config.hpp"

#include "nvd/common/error.hpp"
#include "nvd/common/strings.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace nvd {

ImageConfig parse_image_config(std::string_view json_text, const std::string &image) {
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception &) {
    throw Error("image " + printable(image) + ": docker image inspect printed no JSON: \"" +
                printable(json_text.substr(0, 200)) + "\"");
  }
  ImageConfig result;
  if (config.is_null())
    return result;
  if (!config.is_object())
    throw Error("image " + printable(image) + ": unexpected image configuration from docker");
  if (config.contains("Labels") && config["Labels"].is_object()) {
    for (const auto &item : config["Labels"].items())
      if (item.value().is_string())
        result.labels[item.key()] = item.value().get<std::string>();
  }
  if (config.contains("Env") && config["Env"].is_array()) {
    for (const auto &item : config["Env"])
      if (item.is_string())
        result.env.push_back(item.get<std::string>());
  }
  return result;
}

LabelRequest read_gpu_labels(const ImageConfig &config, const std::string &image) {
  LabelRequest request;
  auto volumes = config.labels.find(volumes_needed_label);
  if (volumes == config.labels.end())
    return request;
  request.gpu_image = true;
  for (const auto &name : split_words(volumes->second)) {
    if (!is_plain_name(name))
      throw Error("image " + printable(image) + ": label " + volumes_needed_label +
                  " names an invalid volume \"" + printable(name) + "\"");
    if (std::find(request.volumes.begin(), request.volumes.end(), name) == request.volumes.end())
      request.volumes.push_back(name);
  }
  auto cuda = config.labels.find(cuda_version_label);
  if (cuda != config.labels.end()) {
    request.cuda = parse_version(cuda->second);
    if (!request.cuda)
      throw Error("image " + printable(image) + ": label " + cuda_version_label +
                  " is not a version: \"" + printable(cuda->second) +
                  "\" (expected numbers such as 12.4)");
  }
  return request;
}

} // namespace nvd
