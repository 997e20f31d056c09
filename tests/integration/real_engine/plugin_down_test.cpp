// SPDX-License-Identifier: BSD-3-Clause
// When the plugin is not there: nvidia-docker says so itself, in one line,
// and docker is never run, so the user does not meet dockerd's
// "Unable to find image ... locally" followed by a registry pull (what a
// volume driver that does not answer turns into). And when docker itself
// fails (--pull always, no registry), the message is docker's alone.
#include "real_engine_world.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace nvd::test;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

void expect_reported_by_nvidia_docker(const Completed &run) {
  EXPECT_EQ(run.status, 1) << describe(run);
  EXPECT_THAT(run.err, HasSubstr("nvidia-docker | Error: ")) << describe(run);
  EXPECT_THAT(run.err, HasSubstr("nvidia-docker-plugin")) << describe(run);
  EXPECT_THAT(run.err, Not(HasSubstr("Unable to find image")));
  EXPECT_THAT(run.err, Not(HasSubstr("Pulling")));
  EXPECT_EQ(run.out, "");
}

} // namespace

TEST_F(RealEngine, APluginThatIsDownIsReportedByNvidiaDockerItself) {
  REQUIRE_PLUGIN();
  world().stop_plugin();
  std::vector<Completed> runs = nvidia_docker_together(
      {{{"run", "--rm", "--name", "no-plugin", label_image, "true"}, {}},
       {{"run", "--rm", env_image, "true"}, {}},
       // No NV_HOST: the plugin is looked for at this machine's localhost:3476.
       {{"run", "--rm", label_image, "true"}, {{"NV_HOST", std::nullopt}}}});
  for (const auto &run : runs)
    expect_reported_by_nvidia_docker(run);
  EXPECT_EQ(docker({"ps", "--all", "--quiet"}).out, "");
}

TEST_F(RealEngine, AVolumePluginSocketThatIsMissingIsWarnedAboutBeforeDockerRuns) {
  REQUIRE_PLUGIN();
  // The REST API answers, but dockerd would find no volume plugin: the
  // plugin was told another socket folder than the one dockerd reads. dockerd
  // would retry for 15 s and then call the volume an image to pull; the
  // warning comes first (a dry run shows it without the wait).
  PluginSetup setup = world().default_plugin_setup();
  setup.socket_dir = sandbox_dir() + "/elsewhere";
  world().replace_plugin(setup);
  Completed run = nvidia_docker({"run", "--rm", label_image, "true"}, {{"NV_DRY_RUN", "1"}});
  EXPECT_EQ(run.status, 0) << describe(run);
  EXPECT_THAT(run.err, HasSubstr("nvidia-docker | Warning: the nvidia-docker volume driver may be unavailable "
                                 "to the docker daemon: /run/docker/plugins/nvidia-docker.sock is missing"))
      << describe(run);
  EXPECT_THAT(run.out, HasSubstr("--volume-driver=nvidia-docker")) << describe(run);
  world().replace_plugin(world().default_plugin_setup());
}

TEST_F(RealEngine, PullAlwaysWithoutARegistryShowsDockersOwnMessageOnly) {
  REQUIRE_PLUGIN();
  // The sandbox has no network: docker's pull fails, and that is all the user reads.
  Completed run = nvidia_docker({"run", "--rm", "--pull", "always", label_image, "true"});
  EXPECT_NE(run.status, 0) << describe(run);
  EXPECT_THAT(run.err, HasSubstr("Error response from daemon")) << describe(run);
  EXPECT_THAT(run.err, Not(HasSubstr("nvidia-docker |"))) << describe(run);
  EXPECT_EQ(run.out, "");
}
