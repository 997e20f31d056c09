// SPDX-License-Identifier: BSD-3-Clause
// A GPU container's life through nvidia-docker on a real engine: since
// nvidia-docker execs docker, the exit status, signals, the terminal, --rm,
// create/start and -d are docker's own, with the GPUs handed over.
#include "real_engine_world.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <regex>
#include <thread>

using namespace nvd::test;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

namespace {

bool wait_for_stdout(Process &process, const std::string &needle, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (process.stdout_text().find(needle) != std::string::npos)
      return true;
    if (process.wait(std::chrono::milliseconds(0)) != -1)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

const std::string container_id_line = "[0-9a-f]{64}\n";

} // namespace

TEST_F(RealEngine, ExitStatusIsTheContainersOwn) {
  REQUIRE_PLUGIN();
  std::vector<Completed> runs =
      nvidia_docker_together({{{"run", "--rm", label_image, "sh", "-c", "exit 42"}, {}},
                              {{"run", "--rm", label_image, "true"}, {}},
                              {{"run", "--rm", label_image, "false"}, {}}});
  EXPECT_EQ(runs[0].status, 42) << describe(runs[0]);
  EXPECT_EQ(runs[1].status, 0) << describe(runs[1]);
  EXPECT_EQ(runs[2].status, 1) << describe(runs[2]);
  for (const auto &run : runs)
    EXPECT_THAT(run.err, ::testing::Not(HasSubstr("nvidia-docker |"))) << describe(run);
}

TEST_F(RealEngine, ASignalToNvidiaDockerRunReachesTheContainer) {
  REQUIRE_PLUGIN();
  // docker proxies the signal to the container (nvidia-docker has become
  // docker by exec); the container's shell traps it and exits with 7.
  Process run({NVD_CLIENT_BINARY, "run", "--rm", "--name", "signal-me", label_image, "sh", "-c",
               "trap 'echo caught TERM; exit 7' TERM; echo ready; while true; do sleep 0.1; done"},
              client_environment());
  ASSERT_TRUE(wait_for_stdout(run, "ready\n", std::chrono::seconds(30)))
      << run.stdout_text() << run.stderr_text();
  run.signal(SIGTERM);
  int status = run.wait(std::chrono::seconds(20));
  EXPECT_EQ(status, 7) << run.stdout_text() << run.stderr_text();
  EXPECT_THAT(run.stdout_text(), HasSubstr("caught TERM\n"));
}

TEST_F(RealEngine, InteractiveRunWorksUnderAPseudoTerminal) {
  REQUIRE_PLUGIN();
  EnvironmentChanges environment = client_environment();
  Completed run = run_in_terminal(
      {NVD_CLIENT_BINARY, "run", "--rm", "-it", label_image, "sh", "-c",
       "tty; [ -t 0 ] && echo stdin-is-a-terminal; ls /dev | grep -c '^nvidia[0-9]'; exit 3"},
      environment, world().home(), std::chrono::seconds(60));
  EXPECT_EQ(run.status, 3) << run.out;
  EXPECT_THAT(run.out, HasSubstr("/dev/pts/0"));
  EXPECT_THAT(run.out, HasSubstr("stdin-is-a-terminal"));
  EXPECT_THAT(run.out, HasSubstr("\n3"));
}

TEST_F(RealEngine, RemoveFlagLeavesNoContainerBehind) {
  REQUIRE_PLUGIN();
  Completed run = nvidia_docker({"run", "--rm", "--name", "removed-after", label_image, "true"});
  ASSERT_EQ(run.status, 0) << describe(run);
  Completed left = docker({"ps", "--all", "--quiet", "--filter", "name=removed-after"});
  EXPECT_EQ(left.status, 0) << describe(left);
  EXPECT_EQ(left.out, "");
}

TEST_F(RealEngine, CreateThenStartHandsOverTheGpus) {
  REQUIRE_PLUGIN();
  Completed create =
      nvidia_docker({"create", "--name", "created-first", label_image, "sh", "-c",
                     "ls /dev | grep '^nvidia'; nvidia-smi | grep 'GPU device nodes'"},
                    {{"NV_GPU", "2"}});
  ASSERT_EQ(create.status, 0) << describe(create);
  EXPECT_THAT(create.out, MatchesRegex(container_id_line));
  Completed start = docker({"start", "--attach", "created-first"});
  EXPECT_EQ(start.status, 0) << describe(start);
  EXPECT_EQ(start.out, "nvidia-uvm\nnvidia-uvm-tools\nnvidia5\nnvidiactl\n"
                       "GPU device nodes: /dev/nvidia5\n");
  docker({"rm", "created-first"});
}

TEST_F(RealEngine, DetachedRunPrintsOnlyTheContainerId) {
  REQUIRE_PLUGIN();
  Completed run = nvidia_docker({"run", "-d", "--name", "detached", label_image, "sleep", "60"});
  ASSERT_EQ(run.status, 0) << describe(run);
  // Nothing but the id: scripts do CID=$(nvidia-docker run -d ...).
  EXPECT_THAT(run.out, MatchesRegex(container_id_line));
  Completed state = docker({"inspect", "--format", "{{.State.Running}} {{.Id}}", "detached"});
  EXPECT_EQ(state.out, "true " + run.out) << describe(state);
  Completed removed = docker({"rm", "--force", "detached"});
  EXPECT_EQ(removed.status, 0) << describe(removed);
}
