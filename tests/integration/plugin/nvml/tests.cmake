# SPDX-License-Identifier: BSD-3-Clause
# The real nvidia-docker-plugin binary on a stand-in GPU host (NVML discovery,
# the driver volume, Docker's volume plugin API), included from
# tests/CMakeLists.txt. Needs root; skipped otherwise (failed under CI).

# tests/support/stand_in_host.cpp installs this build's stand-in NVMLs as the
# driver's libnvidia-ml, for these tests and for bench/plugin_load.cpp.
set_property(SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/support/stand_in_host.cpp APPEND PROPERTY
  COMPILE_DEFINITIONS
  NVD_STAND_IN_NVML_FULL="$<TARGET_FILE:nvd_stand_in_nvml>"
  NVD_STAND_IN_NVML_MINIMAL="$<TARGET_FILE:nvd_stand_in_nvml_minimal>"
  NVD_STAND_IN_NVML_INCOMPLETE="$<TARGET_FILE:nvd_stand_in_nvml_incomplete>")
add_dependencies(nvd_test_support
  nvd_stand_in_nvml nvd_stand_in_nvml_minimal nvd_stand_in_nvml_incomplete)

add_executable(nvd_plugin_nvml_tests
  ${CMAKE_CURRENT_LIST_DIR}/plugin_on_stand_ins.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rest_routes_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/volume_api_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hostile_requests_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/volume_builds_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/start_stop_test.cpp)
target_link_libraries(nvd_plugin_nvml_tests PRIVATE
  nvd_test_support nvd_warnings GTest::gtest_main Threads::Threads)
target_compile_definitions(nvd_plugin_nvml_tests PRIVATE
  NVD_PLUGIN_BINARY="$<TARGET_FILE:nvidia-docker-plugin>")
add_dependencies(nvd_plugin_nvml_tests nvidia-docker-plugin)
gtest_discover_tests(nvd_plugin_nvml_tests DISCOVERY_TIMEOUT 30 PROPERTIES TIMEOUT 60)
