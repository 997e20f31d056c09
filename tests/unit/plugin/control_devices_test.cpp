// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/control_devices.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace nvd;

TEST(ControlDevices, UvmToolsOnlyWhereTheHostHasIt) {
  std::set<std::string> host = {"/dev/nvidiactl", "/dev/nvidia-uvm"};
  auto exists = [&](const std::string &path) { return host.count(path) > 0; };
  EXPECT_EQ(control_devices(exists), (std::vector<std::string>{"/dev/nvidiactl", "/dev/nvidia-uvm"}));
  host.insert("/dev/nvidia-uvm-tools");
  EXPECT_EQ(control_devices(exists),
            (std::vector<std::string>{"/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools"}));
}

TEST(ControlDevices, CtlAndUvmAreAlwaysHandedOut) {
  // A missing /dev/nvidia-uvm stops the plugin at start (ensure_uvm_device),
  // so the list never depends on it.
  EXPECT_EQ(control_devices([](const std::string &) { return false; }),
            (std::vector<std::string>{"/dev/nvidiactl", "/dev/nvidia-uvm"}));
}
