// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <map>
#include <optional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace nvd::test {

// A Docker Engine API on a unix socket, good enough for the real docker client
// (28.x): ping, version, image inspect, pull, container create, start, attach
// (hijacked stream), wait, remove. It records every request. Images and their
// configuration come from the test. A container's command "exit N" makes it
// exit with N; anything else prints "hello from the fake engine" and exits 0.
class FakeEngine {
public:
  struct Request {
    std::string method, path, query;
    std::string body;
  };

  explicit FakeEngine(const std::string &socket_path);
  ~FakeEngine();
  FakeEngine(const FakeEngine &) = delete;
  FakeEngine &operator=(const FakeEngine &) = delete;

  // An image the daemon has, with its Config ({"Labels":…,"Env":…}).
  void add_image(const std::string &reference, const nlohmann::json &config);
  // An image the registry has: `docker pull` makes it present.
  void add_registry_image(const std::string &reference, const nlohmann::json &config);
  // Refuse every container create with HTTP 500 once it is recorded (the body
  // is all a conformance check needs).
  void refuse_creates(bool refuse) { m_refuse_creates = refuse; }
  // Answer every image inspection and pull as if the image existed with `config`.
  void every_image(const nlohmann::json &config);
  // What GET /info answers (runtimes, CDI devices); default: a plain host.
  void set_info(const nlohmann::json &info);

  std::vector<Request> requests() const;
  // Bodies of POST …/containers/create, parsed.
  std::vector<nlohmann::json> creates() const;
  std::string docker_host() const { return "unix://" + m_path; }

private:
  void serve(int client);
  bool answer(int client, const Request &request, bool &hijacked);
  static std::string normalize(std::string reference);

  std::string m_path;
  int m_listener = -1;
  std::atomic<bool> m_stopping{false};
  std::atomic<bool> m_refuse_creates{false};
  std::thread m_thread;
  mutable std::mutex m_mutex;
  std::vector<Request> m_requests;
  std::map<std::string, nlohmann::json> m_images, m_registry;
  std::optional<nlohmann::json> m_every_image;
  nlohmann::json m_info = {{"Runtimes", {{"runc", {{"path", "runc"}}}}}, {"CDISpecDirs", {"/etc/cdi", "/var/run/cdi"}}};
  struct Container {
    nlohmann::json create;
    bool started = false;
    int exit_code = 0;
  };
  std::map<std::string, Container> m_containers;
  std::vector<std::thread> m_handlers;
  int m_next_id = 1;
};

} // namespace nvd::test
