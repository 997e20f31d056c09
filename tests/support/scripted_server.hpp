// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace nvd::test {

// A TCP server on 127.0.0.1 (ephemeral port) that answers every connection
// with a script: for faults a real plugin never shows (slow, cut, oversized,
// not HTTP at all). It reads the request head before calling the script.
class ScriptedServer {
public:
  // `script` gets the connected socket and the request head it read.
  explicit ScriptedServer(std::function<void(int socket, const std::string &request)> script);
  // The same on a unix socket at `unix_path` (e.g. a fake Docker Engine API).
  ScriptedServer(const std::string &unix_path,
                 std::function<void(int socket, const std::string &request)> script);
  ~ScriptedServer();
  ScriptedServer(const ScriptedServer &) = delete;
  ScriptedServer &operator=(const ScriptedServer &) = delete;

  int port() const { return m_port; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(m_port); }
  int connections() const { return m_connections; }

  // Writes all of `data`, ignoring a peer that went away.
  static void send_all(int socket, const std::string &data);
  // A complete HTTP/1.1 answer.
  static std::string http_answer(int status, const std::string &body,
                                 const std::string &extra_headers = "");

private:
  void serve(std::function<void(int socket, const std::string &request)> script);
  int m_listener = -1;
  int m_port = 0;
  std::atomic<bool> m_stopping{false};
  std::atomic<int> m_connections{0};
  std::thread m_thread;
};

} // namespace nvd::test
