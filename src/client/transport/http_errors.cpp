// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/transport/http_errors.hpp"

#include <cstdio>

namespace nvd {

std::string format_seconds(std::chrono::milliseconds duration) {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", static_cast<double>(duration.count()) / 1000);
  return text;
}

ConnectionRefused refused_error(const std::string &url, const std::string &detail) {
  return ConnectionRefused(url + ": connection refused (" + detail +
                           ") - is nvidia-docker-plugin running? Start it (e.g. `systemctl start "
                           "nvidia-docker-plugin`), or point NV_HOST at the host that runs it");
}

Error timeout_error(const std::string &url, std::chrono::milliseconds timeout, const std::string &detail) {
  return Error(url + ": no answer within " + format_seconds(timeout) + " (" + detail +
               "); set NV_TIMEOUT to wait longer");
}

Error too_large_error(const std::string &url, std::size_t max_body) {
  return Error(url + ": answer larger than " + std::to_string(max_body) + " bytes, refused");
}

Error broken_answer_error(const std::string &url, const std::string &detail) {
  return Error(url + ": broken answer (" + detail + ") - is that port really nvidia-docker-plugin?");
}

} // namespace nvd
