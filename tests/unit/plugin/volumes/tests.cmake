# SPDX-License-Identifier: BSD-3-Clause
# Tests of src/plugin/volumes, included from tests/CMakeLists.txt.
add_executable(nvd_volume_tests
  ${CMAKE_CURRENT_LIST_DIR}/volume_api_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/plugin_http_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/volume_builder_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/file_copy_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/volume_store_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/volume_plugin_server_test.cpp)
target_include_directories(nvd_volume_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(nvd_volume_tests PRIVATE
  nvd_plugin_volumes nvd_test_support nvd_warnings GTest::gtest_main GTest::gmock Threads::Threads)
gtest_discover_tests(nvd_volume_tests DISCOVERY_TIMEOUT 30)
