// SPDX-License-Identifier: BSD-3-Clause
// What a GPU container sees on a real engine: its device nodes (chosen by
// NV_GPU, found by minor number), the driver volume at /usr/local/nvidia,
// the driver's programs running inside; today's images and plain ones.
#include "real_engine_world.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

using namespace nvd::test;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

// Prints "NAME MAJOR:MINOR" (hexadecimal, as stat says) for each NVIDIA node.
const std::vector<std::string> list_nvidia_nodes = {
    "sh", "-c", "for f in /dev/nvidia*; do [ -e \"$f\" ] && stat -c '%n %t:%T' \"$f\"; done; true"};

std::string hex(unsigned value) {
  char text[16];
  std::snprintf(text, sizeof text, "%x", value);
  return text;
}

std::string node_line(const std::string &name, unsigned major, unsigned minor) {
  return "/dev/" + name + " " + hex(major) + ":" + hex(minor);
}

// What list_nvidia_nodes prints for the given GPUs (by index), control nodes included.
std::set<std::string> expected_nodes(const std::vector<unsigned> &indexes) {
  std::set<std::string> lines = {node_line("nvidiactl", 195, 255), node_line("nvidia-uvm", 235, 0),
                                 node_line("nvidia-uvm-tools", 235, 1)};
  for (unsigned index : indexes) {
    unsigned minor = stand_in_gpus().at(index).minor;
    lines.insert(node_line("nvidia" + std::to_string(minor), 195, minor));
  }
  return lines;
}

std::set<std::string> line_set(const std::string &text) {
  std::set<std::string> set;
  for (const auto &line : lines_of(text))
    if (!line.empty())
      set.insert(line);
  return set;
}

std::vector<std::string> run_args(const std::string &image, std::vector<std::string> command) {
  std::vector<std::string> args = {"run", "--rm", image};
  args.insert(args.end(), command.begin(), command.end());
  return args;
}

} // namespace

TEST_F(RealEngine, GpuContainerSeesEveryStandInGpuNodeAndTheControlNodes) {
  REQUIRE_PLUGIN();
  Completed run = nvidia_docker(run_args(label_image, list_nvidia_nodes));
  ASSERT_EQ(run.status, 0) << describe(run);
  EXPECT_EQ(line_set(run.out), expected_nodes({0, 1, 2})) << describe(run);
}

TEST_F(RealEngine, NvGpuIndexesSelectTheirGpusByMinorNumberNotByIndex) {
  REQUIRE_PLUGIN();
  const std::vector<std::pair<std::string, std::vector<unsigned>>> cases = {
      {"0", {0}}, {"1", {1}}, {"2,0", {2, 0}}, {"1 2", {1, 2}}};
  std::vector<Invocation> invocations;
  for (const auto &[nv_gpu, indexes] : cases)
    invocations.push_back({run_args(label_image, list_nvidia_nodes), {{"NV_GPU", nv_gpu}}});
  std::vector<Completed> runs = nvidia_docker_together(invocations);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    ASSERT_EQ(runs[i].status, 0) << "NV_GPU=" << cases[i].first << "\n" << describe(runs[i]);
    EXPECT_EQ(line_set(runs[i].out), expected_nodes(cases[i].second))
        << "NV_GPU=" << cases[i].first;
  }
}

TEST_F(RealEngine, NvGpuUuidPrefixesSelectTheirGpus) {
  REQUIRE_PLUGIN();
  const auto &gpus = stand_in_gpus();
  const std::vector<std::pair<std::string, std::vector<unsigned>>> cases = {
      {gpus[1].uuid.substr(0, 8), {1}},
      {gpus[2].uuid.substr(0, 12) + " " + gpus[0].uuid, {2, 0}},
      {gpus[0].uuid.substr(0, 10) + ",2", {0, 2}}};
  std::vector<Invocation> invocations;
  for (const auto &[nv_gpu, indexes] : cases)
    invocations.push_back({run_args(label_image, list_nvidia_nodes), {{"NV_GPU", nv_gpu}}});
  std::vector<Completed> runs = nvidia_docker_together(invocations);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    ASSERT_EQ(runs[i].status, 0) << "NV_GPU=" << cases[i].first << "\n" << describe(runs[i]);
    EXPECT_EQ(line_set(runs[i].out), expected_nodes(cases[i].second))
        << "NV_GPU=" << cases[i].first;
  }
}

TEST_F(RealEngine, AnUnknownGpuIsRefusedBeforeAnyContainerStarts) {
  REQUIRE_PLUGIN();
  Completed run = nvidia_docker({"run", "--rm", "--name", "unknown-gpu", label_image, "true"},
                                {{"NV_GPU", "7"}});
  EXPECT_EQ(run.status, 1) << describe(run);
  EXPECT_THAT(run.err, HasSubstr("nvidia-docker | Error: "));
  EXPECT_THAT(run.err, HasSubstr("7"));
  EXPECT_EQ(docker({"ps", "--all", "--quiet", "--filter", "name=unknown-gpu"}).out, "");
}

TEST_F(RealEngine, DriverVolumeHoldsTheDriversFilesReadOnlyAtUsrLocalNvidia) {
  REQUIRE_PLUGIN();
  // Every file and link, links with their targets; then the mount's options
  // and what a write gets.
  const std::string script =
      "cd /usr/local/nvidia && for f in $(find . ! -type d | sort); do "
      "if [ -L \"$f\" ]; then echo \"$f -> $(readlink \"$f\")\"; else echo \"$f\"; fi; done; "
      "echo; grep ' /usr/local/nvidia ' /proc/mounts | cut -d' ' -f4 | tr , '\\n' | grep -x ro; "
      "touch /usr/local/nvidia/bin/x 2>&1; echo \"touch: $?\"";
  Completed run = nvidia_docker(run_args(label_image, {"sh", "-c", script}));
  ASSERT_EQ(run.status, 0) << describe(run);

  std::vector<std::string> expected;
  for (const auto &file : world().driver().tree().expected_volume)
    expected.push_back("./" + file.path + (file.is_link() ? " -> " + file.link_target : ""));
  std::sort(expected.begin(), expected.end());
  std::vector<std::string> lines = lines_of(run.out);
  auto blank = std::find(lines.begin(), lines.end(), "");
  ASSERT_NE(blank, lines.end()) << describe(run);
  std::vector<std::string> listed(lines.begin(), blank);
  EXPECT_EQ(listed, expected);
  std::vector<std::string> after(blank + 1, lines.end());
  ASSERT_EQ(after.size(), 3u) << describe(run);
  EXPECT_EQ(after[0], "ro");
  EXPECT_THAT(after[1], HasSubstr("Read-only file system"));
  EXPECT_EQ(after[2], "touch: 1");
}

TEST_F(RealEngine, TheStandInNvidiaSmiRunsInsideFromTheDriverVolume) {
  REQUIRE_PLUGIN();
  std::vector<Invocation> invocations = {
      {run_args(label_image, {"nvidia-smi"}), {}},
      {run_args(label_image, {"nvidia-smi"}), {{"NV_GPU", "1"}}},
      {run_args(label_image, {"ls", "/usr/local/nvidia/lib64/libcuda.so.1",
                              "/usr/local/nvidia/lib64/libnvidia-ml.so.1"}),
       {}}};
  std::vector<Completed> runs = nvidia_docker_together(invocations);
  for (const auto &run : runs)
    ASSERT_EQ(run.status, 0) << describe(run);
  const std::string version = world().driver().version();
  EXPECT_THAT(runs[0].out, HasSubstr("nvidia-smi: a stand-in for testing"));
  EXPECT_THAT(runs[0].out, HasSubstr("Driver Version: " + version + " (from /usr/local/nvidia/"));
  EXPECT_THAT(runs[0].out, HasSubstr("GPU device nodes: /dev/nvidia0 /dev/nvidia2 /dev/nvidia5\n"));
  EXPECT_THAT(runs[1].out, HasSubstr("GPU device nodes: /dev/nvidia0\n"));
  EXPECT_THAT(
      runs[0].out,
      HasSubstr("Other NVIDIA nodes: /dev/nvidia-uvm /dev/nvidia-uvm-tools /dev/nvidiactl\n"));
}

TEST_F(RealEngine, TodaysImagesOptInThroughTheirEnvironment) {
  REQUIRE_PLUGIN();
  std::vector<Invocation> invocations = {
      {run_args(env_image, list_nvidia_nodes), {}},
      {run_args(env_image, list_nvidia_nodes), {{"NV_GPU", "2"}}},
      {run_args(env_image, {"nvidia-smi"}), {}}};
  std::vector<Completed> runs = nvidia_docker_together(invocations);
  for (const auto &run : runs)
    ASSERT_EQ(run.status, 0) << describe(run);
  EXPECT_EQ(line_set(runs[0].out), expected_nodes({0, 1, 2}));
  EXPECT_EQ(line_set(runs[1].out), expected_nodes({2}));
  EXPECT_THAT(runs[2].out, HasSubstr("Driver Version: " + world().driver().version()));
}

TEST_F(RealEngine, PlainImagesRunUnchanged) {
  // No GPU image: nvidia-docker hands the command to docker as it is, so the
  // container has neither NVIDIA nodes nor the driver volume.
  Completed run =
      nvidia_docker({"run", "--name", "plain-run", plain_image, "sh", "-c",
                     "ls /dev; [ -e /usr/local/nvidia ] && echo driver volume present; echo done"});
  ASSERT_EQ(run.status, 0) << describe(run);
  EXPECT_THAT(run.out, Not(HasSubstr("nvidia")));
  EXPECT_THAT(run.out, HasSubstr("null\n"));
  EXPECT_THAT(run.out, HasSubstr("done\n"));
  Completed inspect =
      docker({"inspect", "--format",
              "driver={{.HostConfig.VolumeDriver}} devices={{len .HostConfig.Devices}} "
              "mounts={{len .Mounts}}",
              "plain-run"});
  EXPECT_EQ(inspect.out, "driver= devices=0 mounts=0\n") << describe(inspect);
  docker({"rm", "plain-run"});
}
