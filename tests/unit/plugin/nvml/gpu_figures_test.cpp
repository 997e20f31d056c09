// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/nvml/gpu_figures.hpp"

#include "nvd/plugin/nvml/nvml_abi.hpp"
#include "support/table.hpp"

#include <gtest/gtest.h>

using namespace nvd::nvml;

namespace {

struct CapabilityCase {
  const char *name;
  int major, minor;
  std::optional<std::string> family;
  std::optional<unsigned> cores_per_sm;
};
NVD_PRINT_ROW_AS_NAME(CapabilityCase)

class CapabilityTable : public ::testing::TestWithParam<CapabilityCase> {};

struct LinkCase {
  const char *name;
  int level;
  std::optional<int> link;
};
NVD_PRINT_ROW_AS_NAME(LinkCase)

class TopologyLevelTable : public ::testing::TestWithParam<LinkCase> {};

struct PcieCase {
  const char *name;
  unsigned generation, width;
  std::optional<unsigned> bandwidth;
};
NVD_PRINT_ROW_AS_NAME(PcieCase)

class PcieTable : public ::testing::TestWithParam<PcieCase> {};

struct SysfsCase {
  const char *name;
  const char *bus_id;
  std::optional<std::string> sysfs;
};
NVD_PRINT_ROW_AS_NAME(SysfsCase)

class SysfsNameTable : public ::testing::TestWithParam<SysfsCase> {};

} // namespace

TEST_P(CapabilityTable, NamesTheFamilyAndCountsCoresPerMultiprocessor) {
  EXPECT_EQ(gpu_family(GetParam().major, GetParam().minor), GetParam().family);
  EXPECT_EQ(cores_per_multiprocessor(GetParam().major, GetParam().minor), GetParam().cores_per_sm);
}

INSTANTIATE_TEST_SUITE_P(
    ComputeCapabilities, CapabilityTable,
    ::testing::Values(CapabilityCase{"Tesla_1_3", 1, 3, "Tesla", 8u},
                      CapabilityCase{"Fermi_2_0", 2, 0, "Fermi", 32u},
                      CapabilityCase{"Fermi_2_1", 2, 1, "Fermi", 48u},
                      CapabilityCase{"Kepler_3_7", 3, 7, "Kepler", 192u},
                      CapabilityCase{"Maxwell_5_2", 5, 2, "Maxwell", 128u},
                      CapabilityCase{"Pascal_6_0", 6, 0, "Pascal", 64u},
                      CapabilityCase{"Pascal_6_1", 6, 1, "Pascal", 128u},
                      CapabilityCase{"Volta_7_0", 7, 0, "Volta", 64u},
                      CapabilityCase{"Volta_7_2", 7, 2, "Volta", 64u},
                      CapabilityCase{"Turing_7_5", 7, 5, "Turing", 64u},
                      CapabilityCase{"Ampere_8_0", 8, 0, "Ampere", 64u},
                      CapabilityCase{"Ampere_8_6", 8, 6, "Ampere", 128u},
                      CapabilityCase{"Ada_8_9", 8, 9, "Ada", 128u},
                      CapabilityCase{"Hopper_9_0", 9, 0, "Hopper", 128u},
                      CapabilityCase{"Blackwell_10_0", 10, 0, "Blackwell", 128u},
                      CapabilityCase{"Blackwell_12_0", 12, 0, "Blackwell", 128u},
                      CapabilityCase{"UnknownFour", 4, 0, std::nullopt, std::nullopt},
                      CapabilityCase{"UnknownFuture", 42, 0, std::nullopt, std::nullopt},
                      CapabilityCase{"UnknownZero", 0, 0, std::nullopt, std::nullopt}),
    nvd::test::RowName());

TEST_P(TopologyLevelTable, MapsTheCommonAncestorToTheDocumentedLinkType) {
  EXPECT_EQ(p2p_link_from_topology_level(GetParam().level), GetParam().link);
}

INSTANTIATE_TEST_SUITE_P(
    Levels, TopologyLevelTable,
    ::testing::Values(LinkCase{"SystemIsCrossCpuSocket", topology_system, 1},
                      LinkCase{"NodeIsSameCpuSocket", topology_node, 2},
                      LinkCase{"HostBridge", topology_hostbridge, 3},
                      LinkCase{"MultiplePciSwitches", topology_multiple, 4},
                      LinkCase{"SinglePciSwitch", topology_single, 5},
                      LinkCase{"InternalIsSameBoard", topology_internal, 6},
                      LinkCase{"UnknownLevel", 35, std::nullopt},
                      LinkCase{"NegativeLevel", -1, std::nullopt}),
    nvd::test::RowName());

TEST(NvLinkCount, OneToSixLinksAreSevenToTwelve) {
  EXPECT_EQ(p2p_link_from_nvlinks(1), 7);
  EXPECT_EQ(p2p_link_from_nvlinks(2), 8);
  EXPECT_EQ(p2p_link_from_nvlinks(6), 12);
}

TEST(NvLinkCount, MoreThanSixLinksKeepCounting) { EXPECT_EQ(p2p_link_from_nvlinks(12), 18); }

TEST_P(PcieTable, MultipliesTheLaneBandwidthOfTheGenerationByTheWidth) {
  EXPECT_EQ(pcie_bandwidth_mbps(GetParam().generation, GetParam().width), GetParam().bandwidth);
}

INSTANTIATE_TEST_SUITE_P(Links, PcieTable,
                         ::testing::Values(PcieCase{"Gen1x16", 1, 16, 4000u},
                                           PcieCase{"Gen2x8", 2, 8, 4000u},
                                           PcieCase{"Gen3x16", 3, 16, 15760u},
                                           PcieCase{"Gen4x16", 4, 16, 31504u},
                                           PcieCase{"Gen5x16", 5, 16, 63008u},
                                           PcieCase{"Gen6x16", 6, 16, 121008u},
                                           PcieCase{"Gen3x1", 3, 1, 985u},
                                           PcieCase{"UnknownGenerationZero", 0, 16, std::nullopt},
                                           PcieCase{"UnknownGenerationSeven", 7, 16, std::nullopt},
                                           PcieCase{"NoLanes", 3, 0, std::nullopt}),
                         nvd::test::RowName());

TEST(MemoryBandwidth, IsTwoTransfersPerClockOverTheBusWidth) {
  EXPECT_EQ(memory_bandwidth_mbps(4096, 877), 898048u); // Tesla V100's HBM2
  EXPECT_EQ(memory_bandwidth_mbps(384, 10501), 1008096u);
  EXPECT_EQ(memory_bandwidth_mbps(0, 877), 0u);
}

TEST(CudaVersionText, IsMajorDotMinor) {
  EXPECT_EQ(cuda_version_text(12020), "12.2");
  EXPECT_EQ(cuda_version_text(11080), "11.8");
  EXPECT_EQ(cuda_version_text(8000), "8.0");
  EXPECT_EQ(cuda_version_text(12090), "12.9");
  EXPECT_EQ(cuda_version_text(13000), "13.0");
}

TEST(PciBusId, IsWrittenAsNvmlWritesIt) {
  EXPECT_EQ(pci_bus_id(0, 0x3b, 0), "00000000:3B:00.0");
  EXPECT_EQ(pci_bus_id(0x10000, 0x5, 0x1f), "00010000:05:1F.0");
}

TEST_P(SysfsNameTable, FollowsTheKernelsSpelling) {
  EXPECT_EQ(sysfs_pci_name(GetParam().bus_id), GetParam().sysfs);
}

INSTANTIATE_TEST_SUITE_P(
    BusIds, SysfsNameTable,
    ::testing::Values(SysfsCase{"DomainZero", "00000000:3B:00.0", "0000:3b:00.0"},
                      SysfsCase{"WideDomain", "00010000:AF:00.0", "00010000:af:00.0"},
                      SysfsCase{"LegacyForm", "0000:3B:00.0", std::nullopt},
                      SysfsCase{"Empty", "", std::nullopt},
                      SysfsCase{"NotHex", "0000000G:3B:00.0", std::nullopt},
                      SysfsCase{"Traversal", "00000000:../00.0", std::nullopt},
                      SysfsCase{"Slash", "00000000:3B/00.0", std::nullopt}),
    nvd::test::RowName());

TEST(Mebibytes, CountsWholeMebibytes) {
  EXPECT_EQ(mebibytes(16945709056ull), 16160u);
  EXPECT_EQ(mebibytes((1ull << 20) - 1), 0u);
}

TEST(DevicePath, ComesFromTheMinorNumber) {
  EXPECT_EQ(device_path_for_minor(0), "/dev/nvidia0");
  EXPECT_EQ(device_path_for_minor(3), "/dev/nvidia3");
  EXPECT_EQ(device_path_for_minor(255), "/dev/nvidia255");
}
