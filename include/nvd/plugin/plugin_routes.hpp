// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/common/gpu_inventory.hpp"

#include <map>
#include <string>
#include <string_view>

namespace nvd {

// One HTTP answer of the plugin's REST API.
struct HttpAnswer {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::map<std::string, std::string> headers;
};

// Answers one request of the REST API (every route with and without "/v1.0").
// `target` is the request target as sent: path and optional query.
HttpAnswer route_request(const GpuInventory &inventory, std::string_view method,
                         std::string_view target);

// True for the routes that show live figures (/gpu/status[/json]): the
// server reads the GPUs' status for them, and only for them.
bool route_reads_status(std::string_view target);

// Decodes a query string into its parameters; a parameter given more than once
// has its values joined by a space. Returns false on a malformed %-escape.
bool parse_query(std::string_view query, std::map<std::string, std::string> &params);

// The arguments of /docker/cli/json for a selection, or the 400 refusal.
HttpAnswer docker_cli_answer(const GpuInventory &inventory, std::string_view dev,
                             std::string_view vol, bool as_json);

} // namespace nvd
