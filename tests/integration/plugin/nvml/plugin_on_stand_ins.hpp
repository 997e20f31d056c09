// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// What the PluginOnStandIns tests share: the built plugin on a stand-in host
// (tests/support/stand_in_host.hpp), and small readers of what it answers.

#include "support/http_get.hpp"
#include "support/stand_in_host.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace nvd::test {

inline const std::string plugin_binary = NVD_PLUGIN_BINARY;

// A host of stand_in_gpus(count) GPUs on the full stand-in NVML.
inline std::unique_ptr<StandInHost> stand_in_host(int gpus = 2, StandInHostOptions options = {}) {
  return std::make_unique<StandInHost>(plugin_binary, stand_in_gpus(gpus), std::move(options));
}

// GET on the plugin's REST API, the body parsed as JSON (a test failure and
// null when it is not 200 JSON).
inline nlohmann::json get_json(const RunningPlugin &plugin, const std::string &target) {
  HttpResult result = http_request(plugin.url(target));
  EXPECT_EQ(result.status, 200) << target << ": " << result.error << result.body;
  nlohmann::json body = nlohmann::json::parse(result.body, nullptr, false);
  EXPECT_FALSE(body.is_discarded()) << target << ": " << result.body;
  return body.is_discarded() ? nlohmann::json() : body;
}

// A volume plugin API call; the answer's JSON body (null when it is not JSON).
struct ApiAnswer {
  int status = 0;
  std::string content_type;
  nlohmann::json body;
  std::string raw_body;
  std::string error; // of the exchange itself
  std::string err() const {
    return body.is_object() && body.contains("Err") && body["Err"].is_string()
               ? body["Err"].get<std::string>()
               : "(no Err in " + raw_body + ")";
  }
};

inline ApiAnswer api(const std::string &socket, const std::string &call, const std::string &body) {
  SocketAnswer answer = plugin_call(socket, "/" + call, body);
  ApiAnswer result;
  result.status = answer.status;
  result.content_type = answer.content_type;
  result.raw_body = answer.body;
  result.error = answer.error;
  result.body = nlohmann::json::parse(answer.body, nullptr, false);
  if (result.body.is_discarded())
    result.body = nullptr;
  return result;
}
inline ApiAnswer api(const std::string &socket, const std::string &call,
                     const nlohmann::json &body) {
  return api(socket, call, body.dump());
}
inline nlohmann::json named(const std::string &volume) { return {{"Name", volume}}; }

// The one error line a plugin that failed to start printed: its last line,
// and the only one with "| Error:" (else the whole text, to show why not).
inline std::string error_line(const std::string &err) {
  std::size_t errors = 0;
  for (std::size_t at = err.find("| Error:"); at != std::string::npos;
       at = err.find("| Error:", at + 1))
    ++errors;
  std::string text = err;
  while (!text.empty() && text.back() == '\n')
    text.pop_back();
  std::string last = text.substr(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
  return errors == 1 ? last : "(" + std::to_string(errors) + " error lines) " + err;
}

// How many times `needle` is in `text`.
inline std::size_t occurrences(const std::string &text, const std::string &needle) {
  std::size_t count = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size()))
    ++count;
  return count;
}

// Everything under a folder as path -> what it is (type, mode, size, mtime,
// a digest of the content or the link target): equal maps, an untouched tree.
// Without `with_times`: the same content, however often rewritten.
std::map<std::string, std::string> tree_fingerprint(const std::string &root,
                                                    bool with_times = true);

// One entry found in a volume folder.
struct FoundEntry {
  std::string link_target; // a symlink's target, else ""
  ino_t inode = 0;
  dev_t device = 0;
  nlink_t links = 0;
  bool is_folder = false;
};
// Every entry below `folder` by relative path ("lib64/libcuda.so.1").
std::map<std::string, FoundEntry> volume_entries(const std::string &folder);

} // namespace nvd::test
