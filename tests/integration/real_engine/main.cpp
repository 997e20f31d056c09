// SPDX-License-Identifier: BSD-3-Clause
// The real-engine tests' own main: the sandbox is entered before anything
// else runs (no thread may exist for unshare), then one dockerd, the images
// and the plugin are set up for the whole binary.
#include "real_engine_world.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace {

class RealEngineEnvironment : public ::testing::Environment {
public:
  void SetUp() override { nvd::test::RealEngineWorld::get().start(); }
  void TearDown() override { nvd::test::RealEngineWorld::get().stop(); }
};

// Listing the tests (as gtest_discover_tests does at build time) needs no sandbox.
bool only_listing(int argc, char **argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--gtest_list_tests", 18) == 0 || std::strcmp(argv[i], "--help") == 0)
      return true;
  return false;
}

} // namespace

int main(int argc, char **argv) {
  bool listing = only_listing(argc, argv);
  if (!listing)
    nvd::test::enter_sandbox(
        {"real-engine", nvd::test::stand_in_nvidia_nodes(nvd::test::stand_in_gpu_minors())});
  ::testing::InitGoogleTest(&argc, argv);
  if (!listing)
    ::testing::AddGlobalTestEnvironment(new RealEngineEnvironment);
  return RUN_ALL_TESTS();
}
