// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/common/error.hpp"

#include <chrono>
#include <string>

namespace nvd {

// The words of an HTTP failure, the same whichever client met it (our own
// stream client or libcurl), so that users and tests see one message each.

// "10 s", "0.5 s".
std::string format_seconds(std::chrono::milliseconds duration);

// Nothing listens at the URL's address; `detail` is how the connection failed.
ConnectionRefused refused_error(const std::string &url, const std::string &detail);
Error timeout_error(const std::string &url, std::chrono::milliseconds timeout, const std::string &detail);
Error too_large_error(const std::string &url, std::size_t max_body);
Error broken_answer_error(const std::string &url, const std::string &detail);

// Thrown by a connection opener when its deadline passes before it connects.
class ConnectTimeout : public Error {
public:
  using Error::Error;
};

} // namespace nvd
