// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <string>

namespace nvd::test {

struct HttpResult {
  long status = 0;     // 0 when no answer came
  std::string body;
  std::string content_type;
  std::string allow;   // the Allow header, if any
  std::string error;   // libcurl's message when the request failed
};

// One request with libcurl (a fresh connection each time).
HttpResult http_request(const std::string &url, const std::string &method = "GET");

} // namespace nvd::test
