// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/device_selection.hpp"

#include "support/table.hpp"

#include <gtest/gtest.h>

using namespace nvd;

namespace {

GpuInventory three_gpus() {
  nlohmann::json document = {
      {"Version", {{"Driver", "375.26"}, {"CUDA", "8.0"}}},
      {"Devices",
       {{{"UUID", "GPU-836c0c09-aaaa"}, {"Path", "/dev/nvidia0"}},
        {{"UUID", "GPU-b78a60a0-bbbb"}, {"Path", "/dev/nvidia1"}},
        {{"UUID", "GPU-b78a60a1-cccc"}, {"Path", "/dev/nvidia2"}}}}};
  return parse_inventory(document, "test");
}

struct SelectionCase {
  const char *name;
  const char *ids;
  std::vector<std::size_t> indexes;
  const char *error;
};
NVD_PRINT_ROW_AS_NAME(SelectionCase)

class DeviceSelectionTable : public ::testing::TestWithParam<SelectionCase> {};

} // namespace

TEST_P(DeviceSelectionTable, SelectsAsDocumented) {
  DeviceSelection selection = select_devices(three_gpus(), GetParam().ids);
  EXPECT_EQ(selection.error, GetParam().error);
  if (selection.error.empty()) {
    EXPECT_EQ(selection.indexes, GetParam().indexes);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DeviceSelectionTable,
    ::testing::Values(
        SelectionCase{"EmptyIsAll", "", {0, 1, 2}, ""},
        SelectionCase{"BlankIsAll", "   ", {0, 1, 2}, ""},
        SelectionCase{"StarIsAll", "*", {0, 1, 2}, ""},
        SelectionCase{"OneIndex", "1", {1}, ""},
        SelectionCase{"OrderAskedFor", "2 0", {2, 0}, ""},
        SelectionCase{"DuplicatesRemoved", "1 1 0 1", {1, 0}, ""},
        SelectionCase{"LeadingZero", "01", {1}, ""},
        SelectionCase{"UuidPrefix", "GPU-836c", {0}, ""},
        SelectionCase{"FullUuid", "GPU-b78a60a1-cccc", {2}, ""},
        SelectionCase{"UuidAndIndexSameDevice", "GPU-836c 0", {0}, ""},
        SelectionCase{"AmbiguousPrefix", "GPU-b78a60a", {}, "ambiguous device: GPU-b78a60a"},
        SelectionCase{"BarePrefixIsAmbiguous", "GPU-", {}, "ambiguous device: GPU-"},
        SelectionCase{"UnknownUuid", "GPU-ffff", {}, "invalid device: GPU-ffff"},
        SelectionCase{"IndexOutOfRange", "7", {}, "invalid device: 7"},
        SelectionCase{"NegativeIndex", "-1", {}, "invalid device: -1"},
        SelectionCase{"HugeIndex", "99999999999999999999", {}, "invalid device: 99999999999999999999"},
        SelectionCase{"NotAnId", "gpu0", {}, "invalid device: gpu0"},
        SelectionCase{"LowercasePrefixIsNotUuid", "gpu-836c", {}, "invalid device: gpu-836c"},
        SelectionCase{"FirstBadIdReported", "0 9 8", {}, "invalid device: 9"},
        SelectionCase{"ControlBytesEscaped", "\x01", {}, "invalid device: \\x01"}),
    nvd::test::RowName());

TEST(VolumeSelection, EmptyOrStarIsTheDriverVolume) {
  EXPECT_EQ(select_volumes("").names, std::vector<std::string>{"nvidia_driver"});
  EXPECT_EQ(select_volumes("*").names, std::vector<std::string>{"nvidia_driver"});
  EXPECT_EQ(select_volumes("nvidia_driver nvidia_driver").names,
            std::vector<std::string>{"nvidia_driver"});
}

TEST(VolumeSelection, UnknownVolumeIsRefused) {
  EXPECT_EQ(select_volumes("nvidia_driver cuda").error, "invalid volume: cuda");
}

TEST(VolumeSelection, InstanceNameCarriesDriverVersion) {
  EXPECT_EQ(driver_volume_instance(three_gpus()), "nvidia_driver_375.26");
}
