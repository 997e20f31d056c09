# SPDX-License-Identifier: BSD-3-Clause
# The real-engine tests, included from tests/CMakeLists.txt: a dockerd of
# their own in a sandbox (private PID, mount and network namespaces; a fresh
# /dev with stand-in NVIDIA nodes; a private /run), the stand-in driver and
# nvidia-docker-plugin on it, driven through the real nvidia-docker and docker
# clients. They need root; elsewhere they skip, on CI (CI set) they fail.
add_executable(nvd_real_engine_tests
  integration/real_engine/main.cpp
  integration/real_engine/real_engine_world.cpp
  integration/real_engine/gpu_test.cpp
  integration/real_engine/lifecycle_test.cpp
  integration/real_engine/volume_test.cpp
  integration/real_engine/plugin_down_test.cpp
  support/real_engine.cpp
  support/real_engine_sandbox.cpp
  support/real_engine_plugin.cpp)
target_include_directories(nvd_real_engine_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(nvd_real_engine_tests PRIVATE
  nvd_driver_tree nvd_test_support nvd_warnings GTest::gtest GTest::gmock
  nlohmann_json::nlohmann_json Threads::Threads)
target_compile_definitions(nvd_real_engine_tests PRIVATE
  NVD_CLIENT_BINARY="$<TARGET_FILE:nvidia-docker>"
  NVD_PLUGIN_BINARY="$<TARGET_FILE:nvidia-docker-plugin>"
  NVD_STAND_IN_NVML_LIBRARY="$<TARGET_FILE:nvd_stand_in_nvml>")
add_dependencies(nvd_real_engine_tests
  nvidia-docker nvidia-docker-gpu nvidia-docker-plugin nvd_stand_in_nvml)
# One process per test, each with its own sandbox and dockerd (a second or
# two to set up), so they run in parallel under ctest -j.
gtest_discover_tests(nvd_real_engine_tests DISCOVERY_TIMEOUT 30
  PROPERTIES LABELS real-engine TIMEOUT 120)
