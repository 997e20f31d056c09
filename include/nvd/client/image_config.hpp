// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/client/cuda_version.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nvd {

inline constexpr const char *volumes_needed_label = "com.nvidia.volumes.needed";
inline constexpr const char *cuda_version_label = "com.nvidia.cuda.version";

// What nvidia-docker needs of an image's configuration.
struct ImageConfig {
  std::map<std::string, std::string> labels;
  std::vector<std::string> env;
};

// Reads `docker image inspect --format '{{json .Config}}'` output. Throws Error.
ImageConfig parse_image_config(std::string_view json_text, const std::string &image);

// Reads the "Config" of an Engine API image inspection (GET /images/NAME/json);
// nullopt when the answer is not a JSON object. Throws Error for a "Config"
// that is neither an object nor null.
std::optional<ImageConfig> parse_inspection_config(std::string_view answer, const std::string &image);

// What an image asks for through its 1.0 labels.
struct LabelRequest {
  bool gpu_image = false;           // has com.nvidia.volumes.needed
  std::vector<std::string> volumes; // its volume names (empty: the plugin's default)
  std::optional<Version> cuda;      // com.nvidia.cuda.version
};

// Reads and checks the labels. Throws Error naming the image and label.
LabelRequest read_gpu_labels(const ImageConfig &config, const std::string &image);

} // namespace nvd
