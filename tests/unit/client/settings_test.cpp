// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/common/error.hpp"
#include "nvd/client/settings.hpp"

#include "support/errors.hpp"

#include <gtest/gtest.h>

using namespace nvd;

using nvd::test::error_of;

TEST(Settings, DockerCommandDefaultsToDocker) {
  EXPECT_EQ(docker_command_from({}), std::vector<std::string>{"docker"});
}

TEST(Settings, DockerCommandSplitsOnWhiteSpace) {
  EXPECT_EQ(docker_command_from({{"NV_DOCKER", " sudo\tdocker  -D "}}),
            (std::vector<std::string>{"sudo", "docker", "-D"}));
}

TEST(Settings, EmptyOrBlankDockerCommandIsRefused) {
  EXPECT_EQ(error_of([] { docker_command_from({{"NV_DOCKER", ""}}); }),
            "NV_DOCKER is set but empty: set it to the docker command (e.g. NV_DOCKER='sudo docker') "
            "or unset it");
  EXPECT_EQ(error_of([] { docker_command_from({{"NV_DOCKER", "  \t"}}); }),
            "NV_DOCKER is set but blank: set it to the docker command (e.g. NV_DOCKER='sudo docker') "
            "or unset it");
}

TEST(Settings, GpuIdsSplitOnCommasAndSpaces) {
  EXPECT_TRUE(gpu_ids_from({}).empty());
  EXPECT_TRUE(gpu_ids_from({{"NV_GPU", ""}}).empty());
  EXPECT_EQ(gpu_ids_from({{"NV_GPU", "0,1"}}), (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(gpu_ids_from({{"NV_GPU", " 2, GPU-836c0c09 ,3 "}}),
            (std::vector<std::string>{"2", "GPU-836c0c09", "3"}));
}

TEST(Settings, GpuIdsOfSeparatorsOnlyAreRefused) {
  EXPECT_EQ(error_of([] { gpu_ids_from({{"NV_GPU", ", ,"}}); }),
            "NV_GPU: no device in \", ,\" (give GPU indexes or UUIDs separated by commas, e.g. "
            "NV_GPU=0,1, or unset it for all GPUs)");
}

TEST(Settings, GpuIdsThatAreNeitherIndexNorUuidAreRefused) {
  for (const char *bad : {"gpu0", "-1", "0&vol=x", "GPU-12/..", "1.5", "all"})
    EXPECT_EQ(error_of([&] { gpu_ids_from({{"NV_GPU", bad}}); }),
              std::string("NV_GPU: invalid device: ") + bad +
                  " (a device is an index such as 0 or a UUID such as GPU-836c0c09)")
        << bad;
}

TEST(Settings, Switches) {
  EXPECT_FALSE(switch_from({}, "NV_DEBUG"));
  EXPECT_FALSE(switch_from({{"NV_DEBUG", ""}}, "NV_DEBUG"));
  EXPECT_FALSE(switch_from({{"NV_DEBUG", "0"}}, "NV_DEBUG"));
  EXPECT_FALSE(switch_from({{"NV_DEBUG", "false"}}, "NV_DEBUG"));
  EXPECT_TRUE(switch_from({{"NV_DEBUG", "1"}}, "NV_DEBUG"));
  EXPECT_TRUE(switch_from({{"NV_DEBUG", "yes"}}, "NV_DEBUG"));
}

TEST(Settings, Timeout) {
  EXPECT_EQ(timeout_from({}), std::chrono::seconds(10));
  EXPECT_EQ(timeout_from({{"NV_TIMEOUT", "2.5"}}), std::chrono::milliseconds(2500));
  for (const char *bad : {"0", "-1", "abc", "1e3", "inf", "5s", "4000"})
    EXPECT_EQ(error_of([&] { timeout_from({{"NV_TIMEOUT", bad}}); }),
              std::string("NV_TIMEOUT: invalid value \"") + bad +
                  "\" (a number of seconds above 0 and at most 3600, e.g. NV_TIMEOUT=30)")
        << bad;
}
