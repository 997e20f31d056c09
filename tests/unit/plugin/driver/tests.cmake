# SPDX-License-Identifier: BSD-3-Clause
# Tests of src/plugin/driver, included from tests/CMakeLists.txt.
add_executable(nvd_driver_tests
  ${CMAKE_CURRENT_LIST_DIR}/ld_cache_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/elf_facts_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/root_path_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/driver_libraries_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/volume_plan_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/driver_root_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/driver_test_tools.cpp
  ${CMAKE_CURRENT_LIST_DIR}/elf_image.cpp)
target_include_directories(nvd_driver_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(nvd_driver_tests PRIVATE nvd_plugin_driver nvd_test_support nvd_warnings GTest::gtest_main)
gtest_discover_tests(nvd_driver_tests DISCOVERY_TIMEOUT 30)
