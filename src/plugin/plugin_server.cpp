// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/plugin_server.hpp"

#include "nvd/common/error.hpp"
#include "nvd/plugin/plugin_routes.hpp"
#include "nvd/common/strings.hpp"

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <mutex>
#include <atomic>
#include <thread>

namespace nvd {

ListenAddress parse_listen_address(std::string_view text) {
  auto invalid = [&](const std::string &why) {
    return Error("invalid listen address \"" + printable(text) + "\": " + why +
                 " (expected HOST:PORT, [IPV6]:PORT or :PORT)");
  };
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos)
    throw invalid("no port");
  std::string host(text.substr(0, colon));
  std::string port(text.substr(colon + 1));
  if (!is_decimal(port) || port.size() > 5 || std::stoi(port) > 65535)
    throw invalid("the port must be a number from 0 to 65535");
  if (starts_with(host, "[")) {
    if (!ends_with(host, "]") || host.size() < 3)
      throw invalid("unbalanced brackets");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    throw invalid("an IPv6 address must be in brackets");
  }
  // An empty host means every interface, as the original's ":3476" did.
  return {host.empty() ? "0.0.0.0" : host, std::stoi(port)};
}

namespace {
thread_local std::chrono::steady_clock::time_point request_start;
thread_local bool request_timed = false;
} // namespace

struct PluginServer::Impl {
  const GpuDiscovery &discovery;
  std::ostream &log;
  std::mutex log_mutex;
  httplib::Server server;
  std::atomic<bool> stop_requested{false};
  std::atomic<bool> serving_done{false};
  int listening_socket = -1;

  Impl(const GpuDiscovery &d, std::ostream &l) : discovery(d), log(l) {}

  void write_log(const httplib::Request &request, const httplib::Response &response) {
    std::string duration = "-";
    if (request_timed) {
      auto elapsed = std::chrono::steady_clock::now() - request_start;
      duration = std::to_string(
                     std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()) +
                 "us";
      request_timed = false;
    }
    std::time_t now = std::time(nullptr);
    char stamp[32];
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
    std::lock_guard<std::mutex> lock(log_mutex);
    log << stamp << ' ' << printable(request.method) << ' '
        << printable(request.target.empty() ? request.path : request.target) << ' '
        << response.status << ' ' << duration << std::endl;
  }
};

PluginServer::PluginServer(const GpuDiscovery &discovery, std::ostream &log)
    : m_impl(std::make_unique<Impl>(discovery, log)) {
  httplib::Server &server = m_impl->server;
  Impl *impl = m_impl.get();
  // Every method and path goes through the one router, so that unknown paths
  // answer 404 and other methods 405 the same way everywhere.
  server.set_pre_routing_handler([impl](const httplib::Request &request,
                                        httplib::Response &response) {
    request_start = std::chrono::steady_clock::now();
    request_timed = true;
    const std::string &target = request.target.empty() ? request.path : request.target;
    HttpAnswer answer;
    try {
      std::shared_ptr<const GpuInventory> inventory = route_reads_status(target)
                                                          ? impl->discovery.snapshot_with_status()
                                                          : impl->discovery.snapshot();
      answer = route_request(*inventory, request.method, target);
    } catch (const std::exception &error) {
      // Discovery failed now (the driver went away, NVML broke): say so, and
      // keep serving; the next request tries again.
      answer.status = 503;
      answer.body = std::string("GPU discovery failed: ") + error.what() + "\n";
    }
    response.status = answer.status;
    for (const auto &[name, value] : answer.headers)
      response.set_header(name, value);
    response.set_content(answer.body, answer.content_type.c_str());
    return httplib::Server::HandlerResponse::Handled;
  });
  server.set_logger([impl](const httplib::Request &request, const httplib::Response &response) {
    impl->write_log(request, response);
  });
  server.set_socket_options([impl](socket_t socket) {
    impl->listening_socket = socket;
    int on = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    // Headers and body are written separately: without this, Nagle's algorithm
    // and delayed ACKs add up to 40 ms to an answer. Accepted sockets inherit it.
    setsockopt(socket, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  });
  server.set_keep_alive_timeout(2);
  server.set_read_timeout(5, 0);
  server.set_write_timeout(5, 0);
  server.set_payload_max_length(64 * 1024);
  server.new_task_queue = [] { return new httplib::ThreadPool(64); };
}

PluginServer::~PluginServer() = default;

int PluginServer::bind(const ListenAddress &address) {
  errno = 0;
  int port = address.port == 0 ? m_impl->server.bind_to_any_port(address.host)
                               : (m_impl->server.bind_to_port(address.host, address.port)
                                      ? address.port
                                      : -1);
  if (port < 0) {
    int error = errno;
    std::string where = address.host + ":" + std::to_string(address.port);
    if (error == EADDRINUSE)
      throw Error("cannot listen on " + where +
                  ": address already in use (is another nvidia-docker-plugin running? "
                  "choose another address with -l)");
    if (error == EADDRNOTAVAIL)
      throw Error("cannot listen on " + where + ": no such local address (check -l)");
    if (error == EACCES)
      throw Error("cannot listen on " + where + ": permission denied (use a port above 1023)");
    throw Error("cannot listen on " + where + ": " +
                (error != 0 ? std::strerror(error) : "the host name does not resolve"));
  }
  // httplib listens with a backlog of 5: a burst of clients then waits a
  // second for SYN retries. Listening again on Linux only enlarges the queue.
  if (m_impl->listening_socket >= 0)
    ::listen(m_impl->listening_socket, SOMAXCONN);
  return port;
}

bool PluginServer::serve() {
  bool served = m_impl->stop_requested || m_impl->server.listen_after_bind();
  m_impl->serving_done = true;
  return served;
}

void PluginServer::stop() {
  m_impl->stop_requested = true;
  // httplib ignores a stop that comes before listening has begun: wait for
  // the start, so that an early SIGTERM is never lost.
  while (!m_impl->server.is_running() && !m_impl->serving_done)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  m_impl->server.stop();
}

} // namespace nvd
