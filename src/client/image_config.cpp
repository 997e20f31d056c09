// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/image_config.hpp"

#include "nvd/common/error.hpp"
#include "nvd/common/strings.hpp"

#include "nvd/client/json_events.hpp"

#include <algorithm>

namespace nvd {

namespace {

// An image's configuration (Labels, Env), read as the text is (json_events):
// the Engine API's whole inspection is several KB of layers and history, of
// which only these are used. Either the text is the configuration itself
// (`docker image inspect --format '{{json .Config}}'`) or it is under the
// answer's "Config". A repeated key counts as its last value, as when a
// whole document is read.
enum class ImageConfigRole { outer, config, labels, env, other };

class ImageConfigReader : public RoleTrackingEvents<ImageConfigRole> {
public:
  explicit ImageConfigReader(bool under_config_key) : m_under_config_key(under_config_key) {}

  enum class Shape { null, object, other };
  Shape root = Shape::other;   // the whole text
  Shape config = Shape::null;  // the configuration (the root's "Config", or the root)
  ImageConfig result;

  void other_value() override { value(Shape::other, nullptr); }
  void null_value() override { value(Shape::null, nullptr); }
  void string_value(std::string_view text) override { value(Shape::other, &text); }
  void begin_object() override { open(Shape::object); }
  void begin_array() override { open(Shape::other); }

private:
  using Role = ImageConfigRole;

  // The role of a value about to be read in the current container, after
  // what it replaces is forgotten.
  Role place(Shape shape) {
    if (m_open.empty()) {
      root = shape;
      if (!m_under_config_key)
        config = shape;
      return m_under_config_key ? Role::outer : Role::config;
    }
    switch (parent()) {
    case Role::outer:
      if (m_key != "Config")
        return Role::other;
      config = shape;
      result = ImageConfig{};
      return Role::config;
    case Role::config:
      if (m_key == "Labels") {
        result.labels.clear();
        return Role::labels;
      }
      if (m_key == "Env") {
        result.env.clear();
        return Role::env;
      }
      return Role::other;
    case Role::labels:
      result.labels.erase(m_key);
      return Role::other;
    default:
      return Role::other;
    }
  }

  void value(Shape shape, const std::string_view *text) {
    Role in = parent();
    place(shape);
    if (text != nullptr && in == Role::labels)
      result.labels[m_key] = std::string(*text);
    else if (text != nullptr && in == Role::env)
      result.env.emplace_back(*text);
  }

  void open(Shape shape) {
    Role role = place(shape);
    // Labels are read only from an object, Env only from an array.
    if ((role == Role::labels || role == Role::config || role == Role::outer) && shape != Shape::object)
      role = Role::other;
    if (role == Role::env && shape == Shape::object)
      role = Role::other;
    m_open.push_back(role);
  }

  bool m_under_config_key;
};

} // namespace

ImageConfig parse_image_config(std::string_view json_text, const std::string &image) {
  ImageConfigReader reader(false);
  try {
    read_json_events(json_text, reader);
  } catch (const Error &) {
    throw Error("image " + printable(image) + ": docker image inspect printed no JSON: \"" +
                printable(json_text.substr(0, 200)) + "\"");
  }
  if (reader.config == ImageConfigReader::Shape::null)
    return {};
  if (reader.config != ImageConfigReader::Shape::object)
    throw Error("image " + printable(image) + ": unexpected image configuration from docker");
  return reader.result;
}

std::optional<ImageConfig> parse_inspection_config(std::string_view answer, const std::string &image) {
  ImageConfigReader reader(true);
  try {
    read_json_events(answer, reader);
  } catch (const Error &) {
    return std::nullopt;
  }
  if (reader.root != ImageConfigReader::Shape::object)
    return std::nullopt;
  if (reader.config == ImageConfigReader::Shape::null)
    return ImageConfig{};
  if (reader.config != ImageConfigReader::Shape::object)
    throw Error("image " + printable(image) + ": unexpected image configuration from docker");
  return reader.result;
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
