// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/common/error.hpp"
#include "nvd/client/image_config.hpp"

#include "support/damaged_text.hpp"
#include "support/errors.hpp"

#include "nvd/common/strings.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>

using namespace nvd;

using nvd::test::error_of;

TEST(ImageConfig, ReadsLabelsAndEnv) {
  ImageConfig config = parse_image_config(
      R"({"Env":["PATH=/usr/bin","CUDA_VERSION=8.0"],"Labels":{"com.nvidia.volumes.needed":"nvidia_driver","x":"y"}})",
      "cuda");
  EXPECT_EQ(config.labels.at("com.nvidia.volumes.needed"), "nvidia_driver");
  EXPECT_EQ(config.env.size(), 2u);
}

TEST(ImageConfig, NullLabelsAndNullConfig) {
  EXPECT_TRUE(parse_image_config(R"({"Labels":null,"Env":null})", "x").labels.empty());
  EXPECT_TRUE(parse_image_config("null", "x").labels.empty());
}

TEST(ImageConfig, NotJsonIsAnError) {
  EXPECT_EQ(error_of([] { parse_image_config("Template parsing error", "cuda"); }),
            "image cuda: docker image inspect printed no JSON: \"Template parsing error\"");
}

TEST(GpuLabels, NoLabelIsNotAGpuImage) {
  LabelRequest request = read_gpu_labels({}, "busybox");
  EXPECT_FALSE(request.gpu_image);
}

TEST(GpuLabels, VolumesAndCudaVersion) {
  ImageConfig config;
  config.labels = {{"com.nvidia.volumes.needed", " nvidia_driver  nvidia_driver "},
                   {"com.nvidia.cuda.version", "12.4.1"}};
  LabelRequest request = read_gpu_labels(config, "cuda");
  EXPECT_TRUE(request.gpu_image);
  EXPECT_EQ(request.volumes, std::vector<std::string>{"nvidia_driver"});
  EXPECT_EQ(request.cuda->text, "12.4.1");
}

TEST(GpuLabels, BlankVolumeLabelIsAGpuImageWithDefaultVolumes) {
  ImageConfig config;
  config.labels = {{"com.nvidia.volumes.needed", ""}};
  LabelRequest request = read_gpu_labels(config, "cuda");
  EXPECT_TRUE(request.gpu_image);
  EXPECT_TRUE(request.volumes.empty());
}

TEST(GpuLabels, MalformedCudaVersionIsRefused) {
  for (const char *bad : {"abc", "12.", ""}) {
    ImageConfig config;
    config.labels = {{"com.nvidia.volumes.needed", "nvidia_driver"}, {"com.nvidia.cuda.version", bad}};
    EXPECT_EQ(error_of([&] { read_gpu_labels(config, "cuda:bad"); }),
              std::string("image cuda:bad: label com.nvidia.cuda.version is not a version: \"") + bad +
                  "\" (expected numbers such as 12.4)");
  }
}

TEST(GpuLabels, VolumeNameWithQuerySyntaxIsRefused) {
  ImageConfig config;
  config.labels = {{"com.nvidia.volumes.needed", "nvidia_driver&dev=0"}};
  EXPECT_EQ(error_of([&] { read_gpu_labels(config, "evil"); }),
            "image evil: label com.nvidia.volumes.needed names an invalid volume \"nvidia_driver&dev=0\"");
}

namespace {

// The configuration of an inspection read the plain way: the whole document,
// then its fields. The streaming reader must agree with it on every input.
std::string read_as_document(const std::string &answer) {
  nlohmann::json document = nlohmann::json::parse(answer, nullptr, false);
  if (!document.is_object())
    return "no JSON object";
  nlohmann::json config = document.contains("Config") ? document["Config"] : nlohmann::json();
  if (config.is_null())
    return "labels: env:";
  if (!config.is_object())
    return "image x: unexpected image configuration from docker";
  std::string out = "labels:";
  if (config.contains("Labels") && config["Labels"].is_object())
    for (const auto &item : config["Labels"].items())
      if (item.value().is_string())
        out += " " + item.key() + "=" + item.value().get<std::string>();
  out += " env:";
  if (config.contains("Env") && config["Env"].is_array())
    for (const auto &item : config["Env"])
      if (item.is_string())
        out += " " + item.get<std::string>();
  return out;
}

std::string read_streaming(const std::string &answer) {
  try {
    std::optional<ImageConfig> config = parse_inspection_config(answer, "x");
    if (!config)
      return "no JSON object";
    std::string out = "labels:";
    for (const auto &[name, value] : config->labels)
      out += " " + name + "=" + value;
    out += " env:";
    for (const auto &item : config->env)
      out += " " + item;
    return out;
  } catch (const Error &error) {
    return error.what();
  }
}

const std::string inspection =
    R"({"Id":"sha256:1","RepoTags":["nvidia/cuda:12.4.1-base-ubuntu22.04"],"ContainerConfig":{"Env":["NO=1"],)"
    R"("Labels":{"no":"x"}},"Config":{"Hostname":"","Env":["PATH=/usr/bin","CUDA_VERSION=12.4.1",)"
    R"("NVIDIA_REQUIRE_CUDA=cuda>=12.4"],"Cmd":null,"Labels":{"maintainer":"NVIDIA CORPORATION",)"
    R"("com.nvidia.volumes.needed":"nvidia_driver"},"OnBuild":null},"RootFS":{"Type":"layers",)"
    R"("Layers":["sha256:a","sha256:b"]},"Metadata":{"LastTagTime":"0001-01-01T00:00:00Z"}})";

} // namespace

TEST(InspectionConfig, StreamingAgreesWithTheWholeDocument) {
  const std::vector<std::string> answers = {
      inspection,
      R"({"Config":{"Labels":{"a":"1","a":2,"b":"2"},"Env":["A=1",3,"B=2",["C"]]}})",
      R"({"Config":{"Labels":{"a":"1"}},"Config":{"Env":["A=1"]}})",
      R"({"Config":{"Labels":{"a":"1"},"Labels":{"b":"2"},"Env":["A"],"Env":{"B":"C"}}})",
      R"({"Config":{"Labels":["a"],"Env":"A=1"}})",
      R"({"Config":{"Labels":{"a":{"b":"c"}}}})",
      R"({"Config":[]})", R"({"Config":"x"})", R"({"Config":null})", R"({"Config":{}})", R"({})", "[]", "null",
      R"({"x":{"Config":{"Labels":{"a":"1"}}}})", "{", "",
  };
  for (const auto &answer : answers)
    EXPECT_EQ(read_streaming(answer), read_as_document(answer)) << answer;

  std::map<std::string, int> kinds;
  for (const std::string &answer : nvd::test::damaged_copies(inspection, 2376, 3000, "{}[]\",:0an\\ ")) {
    std::string expected = read_as_document(answer);
    EXPECT_EQ(read_streaming(answer), expected) << answer;
    ++kinds[expected == "no JSON object" ? "none" : starts_with(expected, "labels:") ? "read" : "refused"];
  }
  EXPECT_GT(kinds["none"], 300);
  EXPECT_GT(kinds["read"], 300);
}
