// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/text_render.hpp"

#include <gtest/gtest.h>

using namespace nvd;

namespace {
GpuInventory one_gpu(nlohmann::json device) {
  device["UUID"] = "GPU-aaaa";
  device["Path"] = "/dev/nvidia0";
  return parse_inventory({{"Version", {{"Driver", "375.26"}, {"CUDA", "8.0"}}}, {"Devices", {device}}},
                         "test");
}
} // namespace

TEST(TextRender, InfoShowsVersionsAndNaForUnknown) {
  std::string text = render_info_text(one_gpu({{"Model", "Tesla K80"}, {"Power", 149}}));
  EXPECT_NE(text.find("Driver version:            375.26\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Supported CUDA version:    8.0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Device #0\n"), std::string::npos);
  EXPECT_NE(text.find("  Model:                   Tesla K80\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  Power:                   149 W\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  Cores:                   N/A\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  CPU Affinity:            N/A\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  P2P Available: None\n"), std::string::npos) << text;
}

TEST(TextRender, InfoNamesP2PLinks) {
  std::string text = render_info_text(
      one_gpu({{"Topology", {{{"BusID", "0000:05:00.0"}, {"Link", 5}}, {{"BusID", "0000:06:00.0"}, {"Link", 99}}}}}));
  EXPECT_NE(text.find("    0000:05:00.0 - Single PCI switch\n"), std::string::npos) << text;
  EXPECT_NE(text.find("    0000:06:00.0 - N/A\n"), std::string::npos) << text;
}

TEST(TextRender, StatusShowsProcessesAndNa) {
  std::string text = render_status_text(one_gpu(
      {{"Status", {{"Temperature", 40}, {"Processes", {{{"PID", 12}, {"Name", "python"}, {"MemoryUsed", 300}}}}}}}));
  EXPECT_NE(text.find("  Temperature:             40 °C\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  Power:                   N/A\n"), std::string::npos) << text;
  EXPECT_NE(text.find("    - PID: 12  Name: python  Memory: 300 MiB\n"), std::string::npos) << text;
}

TEST(TextRender, LinkNames) {
  EXPECT_EQ(p2p_link_name(1), "Cross CPU socket");
  EXPECT_EQ(p2p_link_name(7), "Single NVLink");
  EXPECT_EQ(p2p_link_name(nullptr), "N/A");
  EXPECT_EQ(p2p_link_name(-1), "N/A");
  EXPECT_EQ(p2p_link_name(12), "Six NVLinks");
  EXPECT_EQ(p2p_link_name(24), "18 NVLinks");
  EXPECT_EQ(p2p_link_name(1000), "N/A");
}
