// SPDX-License-Identifier: BSD-3-Clause
#include "support/scripted_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

namespace nvd::test {

ScriptedServer::ScriptedServer(std::function<void(int, const std::string &)> script) {
  m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(m_listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 ||
      ::listen(m_listener, 64) != 0)
    throw std::runtime_error("cannot listen on 127.0.0.1");
  socklen_t length = sizeof address;
  ::getsockname(m_listener, reinterpret_cast<sockaddr *>(&address), &length);
  m_port = ntohs(address.sin_port);
  serve(std::move(script));
}

ScriptedServer::ScriptedServer(const std::string &unix_path,
                               std::function<void(int, const std::string &)> script) {
  m_listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (unix_path.size() >= sizeof address.sun_path)
    throw std::runtime_error("socket path too long: " + unix_path);
  std::memcpy(address.sun_path, unix_path.c_str(), unix_path.size() + 1);
  ::unlink(unix_path.c_str());
  if (::bind(m_listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 ||
      ::listen(m_listener, 64) != 0)
    throw std::runtime_error("cannot listen on " + unix_path);
  serve(std::move(script));
}

void ScriptedServer::serve(std::function<void(int, const std::string &)> script) {
  m_thread = std::thread([this, script] {
    std::vector<std::thread> handlers;
    while (!m_stopping) {
      pollfd fd{m_listener, POLLIN, 0};
      if (::poll(&fd, 1, 50) <= 0)
        continue;
      int client = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0)
        continue;
      ++m_connections;
      handlers.emplace_back([this, client, script] {
        std::string request;
        char buffer[4096];
        while (request.find("\r\n\r\n") == std::string::npos && !m_stopping) {
          pollfd in{client, POLLIN, 0};
          if (::poll(&in, 1, 50) <= 0)
            continue;
          ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
          if (n <= 0)
            break;
          request.append(buffer, static_cast<std::size_t>(n));
        }
        script(client, request);
        ::close(client);
      });
    }
    for (auto &handler : handlers)
      handler.join();
  });
}

ScriptedServer::~ScriptedServer() {
  m_stopping = true;
  m_thread.join();
  ::close(m_listener);
}

void ScriptedServer::send_all(int socket, const std::string &data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(socket, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0)
      return;
    sent += static_cast<std::size_t>(n);
  }
}

std::string ScriptedServer::http_answer(int status, const std::string &body,
                                        const std::string &extra_headers) {
  return "HTTP/1.1 " + std::to_string(status) + " Scripted\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nContent-Type: application/json\r\n" + extra_headers +
         "\r\n" + body;
}

} // namespace nvd::test
