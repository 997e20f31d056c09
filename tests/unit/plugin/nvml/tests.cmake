# SPDX-License-Identifier: BSD-3-Clause
# Tests of src/plugin/nvml, included from tests/CMakeLists.txt: the pure
# figures, the loader, and discovery on the stand-in NVMLs of tests/tools/nvml.
add_executable(nvd_nvml_tests
  unit/plugin/nvml/gpu_figures_test.cpp
  unit/plugin/nvml/nvml_library_test.cpp
  unit/plugin/nvml/nvml_discovery_test.cpp
  unit/plugin/nvml/driver_upgrade_test.cpp)
target_include_directories(nvd_nvml_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(nvd_nvml_tests PRIVATE
  nvd_plugin_nvml nvd_test_support nvd_warnings GTest::gtest_main Threads::Threads)
target_compile_definitions(nvd_nvml_tests PRIVATE
  NVD_STAND_IN_NVML_FULL="$<TARGET_FILE:nvd_stand_in_nvml>"
  NVD_STAND_IN_NVML_MINIMAL="$<TARGET_FILE:nvd_stand_in_nvml_minimal>"
  NVD_STAND_IN_NVML_INCOMPLETE="$<TARGET_FILE:nvd_stand_in_nvml_incomplete>"
  NVD_STAND_IN_CUDA="$<TARGET_FILE:nvd_stand_in_cuda>")
add_dependencies(nvd_nvml_tests
  nvd_stand_in_nvml nvd_stand_in_nvml_minimal nvd_stand_in_nvml_incomplete nvd_stand_in_cuda)
gtest_discover_tests(nvd_nvml_tests DISCOVERY_TIMEOUT 30)
