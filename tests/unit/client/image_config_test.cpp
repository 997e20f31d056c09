// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/common/error.hpp"
#include "nvd/client/image_config.hpp"

#include "support/errors.hpp"

#include <gtest/gtest.h>

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
