// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/transport/engine_client.hpp"
#include "nvd/common/error.hpp"

#include <gtest/gtest.h>

using namespace nvd;

TEST(EngineClient, ImagePathKeepsRepositoryTagAndDigest) {
  EXPECT_EQ(engine_image_path("cuda"), "/images/cuda/json");
  EXPECT_EQ(engine_image_path("nvidia/cuda:12.4.1-base-ubuntu22.04"),
            "/images/nvidia/cuda:12.4.1-base-ubuntu22.04/json");
  EXPECT_EQ(engine_image_path("localhost:5000/team/app@sha256:ab12"),
            "/images/localhost:5000/team/app@sha256:ab12/json");
  EXPECT_EQ(engine_image_path("a b?c#d"), "/images/a%20b%3Fc%23d/json");
}

TEST(EngineClient, MissingImageIsNullopt) {
  EXPECT_FALSE(parse_engine_inspect(404, R"({"message":"No such image: cuda:latest"})", "cuda", "/s"));
}

TEST(EngineClient, ConfigLabelsAndEnvAreRead) {
  auto config = parse_engine_inspect(
      200, R"({"Id":"sha256:1","Config":{"Env":["A=1"],"Labels":{"com.nvidia.volumes.needed":"nvidia_driver"}}})",
      "cuda", "/s");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->labels.at("com.nvidia.volumes.needed"), "nvidia_driver");
  EXPECT_EQ(config->env, std::vector<std::string>{"A=1"});
  auto bare = parse_engine_inspect(200, R"({"Id":"sha256:1","Config":null})", "cuda", "/s");
  ASSERT_TRUE(bare);
  EXPECT_TRUE(bare->labels.empty());
}

TEST(EngineClient, OtherStatusesAreErrorsWithTheEnginesMessage) {
  try {
    parse_engine_inspect(500, R"({"message":"layer does not exist"})", "cuda", "/var/run/docker.sock");
    FAIL();
  } catch (const Error &error) {
    EXPECT_STREQ(error.what(), "cannot read image cuda from the docker daemon at "
                               "unix:///var/run/docker.sock: HTTP 500: layer does not exist");
  }
  EXPECT_THROW(parse_engine_inspect(200, "[]", "cuda", "/s"), Error);
}
