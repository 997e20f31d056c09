// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/common/error.hpp"

#include <functional>
#include <string>

namespace nvd::test {

// The message of the nvd::Error an action throws, or "no error".
inline std::string error_of(const std::function<void()> &action) {
  try {
    action();
  } catch (const nvd::Error &error) {
    return error.what();
  }
  return "no error";
}

} // namespace nvd::test
