// SPDX-License-Identifier: BSD-3-Clause
// NV_HOST and DOCKER_HOST values: parsed or refused with an Error, never a
// crash; what parses has ports in range and no host ssh could read as an option.
#include "nvd/common/error.hpp"
#include "nvd/client/host_address.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

static void check(const nvd::PluginEndpoint &endpoint) {
  if (endpoint.plugin_port < 1 || endpoint.plugin_port > 65535 || endpoint.ssh_port < 1 ||
      endpoint.ssh_port > 65535)
    std::abort();
  if (!endpoint.host.empty() && endpoint.host[0] == '-')
    std::abort();
  if (!endpoint.user.empty() && endpoint.user[0] == '-')
    std::abort();
  (void)endpoint.base_url();
  (void)endpoint.describe();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string value(reinterpret_cast<const char *>(data), size);
  try {
    check(nvd::parse_nv_host(value));
  } catch (const nvd::Error &) {
  }
  try {
    check(nvd::parse_docker_host(value, "DOCKER_HOST"));
  } catch (const nvd::Error &) {
  }
  return 0;
}
