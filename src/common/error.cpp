// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/common/error.hpp"

namespace nvd {

Error::Error(const std::string &message, int exit_code)
    : std::runtime_error(message), m_exit_code(exit_code) {}

} // namespace nvd
