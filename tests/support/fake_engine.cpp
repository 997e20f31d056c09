// SPDX-License-Identifier: BSD-3-Clause
#include "support/fake_engine.hpp"

#include <chrono>
#include <cstring>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace nvd::test {
namespace {

void send_all(int fd, const std::string &data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0)
      return;
    sent += static_cast<std::size_t>(n);
  }
}

std::string reply(int status, const std::string &reason, const std::string &body,
                  const std::string &type = "application/json") {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\nApi-Version: 1.47\r\nOstype: linux\r\nDocker-Experimental: false\r\n"
         "Server: Docker/28.2.2 (linux)\r\nContent-Type: " +
         type + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string error_reply(int status, const std::string &message) {
  return reply(status, "Error", nlohmann::json{{"message", message}}.dump() + "\n");
}

std::string url_decode(const std::string &text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else if (text[i] == '+') {
      out += ' ';
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string query_value(const std::string &query, const std::string &key) {
  std::size_t start = 0;
  while (start <= query.size()) {
    std::size_t end = query.find('&', start);
    if (end == std::string::npos)
      end = query.size();
    std::string pair = query.substr(start, end - start);
    if (pair.rfind(key + "=", 0) == 0)
      return url_decode(pair.substr(key.size() + 1));
    start = end + 1;
  }
  return "";
}

// Reads one request (head and Content-Length or chunked body); false at EOF.
bool read_request(int fd, std::string &buffer, FakeEngine::Request &request,
                  std::map<std::string, std::string> &headers) {
  char chunk[65536];
  auto fill = [&]() {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0)
      return false;
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0)
      return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
    return true;
  };
  std::size_t head_end;
  while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos)
    if (!fill())
      return false;
  std::string head = buffer.substr(0, head_end);
  buffer.erase(0, head_end + 4);
  std::size_t line_end = head.find("\r\n");
  std::string line = head.substr(0, line_end);
  std::size_t space1 = line.find(' '), space2 = line.rfind(' ');
  request.method = line.substr(0, space1);
  std::string target = line.substr(space1 + 1, space2 - space1 - 1);
  std::size_t question = target.find('?');
  request.path = url_decode(target.substr(0, question));
  request.query = question == std::string::npos ? "" : target.substr(question + 1);
  headers.clear();
  std::size_t at = line_end == std::string::npos ? head.size() : line_end + 2;
  while (at < head.size()) {
    std::size_t end = head.find("\r\n", at);
    if (end == std::string::npos)
      end = head.size();
    std::string header = head.substr(at, end - at);
    std::size_t colon = header.find(':');
    if (colon != std::string::npos) {
      std::string name = header.substr(0, colon);
      for (char &c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = header.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      headers[name] = value;
    }
    at = end + 2;
  }
  request.body.clear();
  if (headers.count("content-length")) {
    std::size_t length = std::stoul(headers["content-length"]);
    while (buffer.size() < length)
      if (!fill())
        return false;
    request.body = buffer.substr(0, length);
    buffer.erase(0, length);
  } else if (headers["transfer-encoding"].find("chunked") != std::string::npos) {
    while (true) {
      std::size_t end;
      while ((end = buffer.find("\r\n")) == std::string::npos)
        if (!fill())
          return false;
      std::size_t size = std::stoul(buffer.substr(0, end), nullptr, 16);
      while (buffer.size() < end + 2 + size + 2)
        if (!fill())
          return false;
      request.body += buffer.substr(end + 2, size);
      buffer.erase(0, end + 2 + size + 2);
      if (size == 0)
        break;
    }
  }
  return true;
}

// The API path without its version prefix: "/v1.47/containers/create" -> "/containers/create".
std::string unversioned(const std::string &path) {
  if (path.rfind("/v1.", 0) == 0) {
    std::size_t slash = path.find('/', 1);
    if (slash != std::string::npos)
      return path.substr(slash);
  }
  return path;
}

} // namespace

FakeEngine::FakeEngine(const std::string &socket_path) : m_path(socket_path) {
  m_listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (m_path.size() >= sizeof address.sun_path)
    throw std::runtime_error("socket path too long: " + m_path);
  std::memcpy(address.sun_path, m_path.c_str(), m_path.size() + 1);
  ::unlink(m_path.c_str());
  if (::bind(m_listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 ||
      ::listen(m_listener, 64) != 0)
    throw std::runtime_error("fake engine cannot listen on " + m_path);
  m_thread = std::thread([this] {
    while (!m_stopping) {
      pollfd p{m_listener, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0)
        continue;
      int client = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0)
        continue;
      std::lock_guard<std::mutex> lock(m_mutex);
      m_handlers.emplace_back([this, client] { serve(client); });
    }
  });
}

FakeEngine::~FakeEngine() {
  m_stopping = true;
  m_thread.join();
  std::vector<std::thread> handlers;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    handlers.swap(m_handlers);
  }
  for (auto &handler : handlers)
    handler.join();
  ::close(m_listener);
  ::unlink(m_path.c_str());
}

std::string FakeEngine::normalize(std::string reference) {
  // The client names Docker Hub images in full when it pulls.
  for (const char *hub : {"docker.io/library/", "docker.io/"})
    if (reference.rfind(hub, 0) == 0) {
      reference.erase(0, std::strlen(hub));
      break;
    }
  std::size_t slash = reference.rfind('/');
  std::size_t colon = reference.rfind(':');
  if (reference.find('@') == std::string::npos && (colon == std::string::npos || (slash != std::string::npos && colon < slash)))
    reference += ":latest";
  return reference;
}

void FakeEngine::add_image(const std::string &reference, const nlohmann::json &config) {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_images[normalize(reference)] = config;
}

void FakeEngine::add_registry_image(const std::string &reference, const nlohmann::json &config) {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_registry[normalize(reference)] = config;
}

void FakeEngine::every_image(const nlohmann::json &config) {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_every_image = config;
}

void FakeEngine::set_info(const nlohmann::json &info) {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_info = info;
}

std::vector<FakeEngine::Request> FakeEngine::requests() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_requests;
}

std::vector<nlohmann::json> FakeEngine::creates() const {
  std::vector<nlohmann::json> bodies;
  for (const auto &request : requests())
    if (request.method == "POST" && unversioned(request.path) == "/containers/create")
      bodies.push_back(nlohmann::json::parse(request.body, nullptr, false));
  return bodies;
}

void FakeEngine::serve(int client) {
  std::string buffer;
  std::map<std::string, std::string> headers;
  Request request;
  while (!m_stopping && read_request(client, buffer, request, headers)) {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_requests.push_back(request);
    }
    bool hijacked = false;
    if (!answer(client, request, hijacked) || hijacked)
      break;
  }
  ::close(client);
}

bool FakeEngine::answer(int client, const Request &request, bool &hijacked) {
  std::string path = unversioned(request.path);
  if (path == "/_ping") {
    send_all(client, reply(200, "OK", request.method == "HEAD" ? "" : "OK", "text/plain"));
    return true;
  }
  if (path == "/info") {
    nlohmann::json info;
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      info = m_info;
    }
    info["OSType"] = "linux";
    info["ServerVersion"] = "28.2.2";
    send_all(client, reply(200, "OK", info.dump()));
    return true;
  }
  if (path == "/version") {
    send_all(client, reply(200, "OK", R"({"Version":"28.2.2","ApiVersion":"1.47","MinAPIVersion":"1.24","Os":"linux","Arch":"amd64"})"));
    return true;
  }
  if (path.rfind("/images/", 0) == 0 && path.size() > 13 && path.compare(path.size() - 5, 5, "/json") == 0) {
    std::string name = normalize(path.substr(8, path.size() - 13));
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_every_image)
      m_images[name] = *m_every_image;
    auto it = m_images.find(name);
    if (it == m_images.end()) {
      send_all(client, error_reply(404, "No such image: " + name));
      return true;
    }
    nlohmann::json inspect = {{"Id", "sha256:" + std::string(64, 'a')}, {"RepoTags", {name}},
                              {"Config", it->second}, {"Os", "linux"}, {"Architecture", "amd64"}};
    send_all(client, reply(200, "OK", inspect.dump()));
    return true;
  }
  if (path == "/images/create" && request.method == "POST") {
    std::string name = query_value(request.query, "fromImage");
    std::string tag = query_value(request.query, "tag");
    std::string reference = normalize(tag.empty() ? name : name + ":" + tag);
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_every_image)
      m_registry[reference] = *m_every_image;
    auto it = m_registry.find(reference);
    if (it == m_registry.end()) {
      send_all(client, error_reply(404, "pull access denied for " + name +
                                            ", repository does not exist or may require 'docker login'"));
      return true;
    }
    m_images[reference] = it->second;
    std::string repository = reference.substr(0, reference.rfind(':'));
    send_all(client, reply(200, "OK",
                           "{\"status\":\"Pulling from " + repository + "\",\"id\":\"" + tag + "\"}\n"
                           "{\"status\":\"Status: Downloaded newer image for " + reference + "\"}\n"));
    return true;
  }
  if (path == "/containers/create" && request.method == "POST") {
    nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
    if (m_refuse_creates) {
      send_all(client, error_reply(500, "fake engine: create recorded"));
      return true;
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    std::string image = body.is_object() ? body.value("Image", "") : "";
    if (m_images.find(normalize(image)) == m_images.end()) {
      send_all(client, error_reply(404, "No such image: " + normalize(image)));
      return true;
    }
    char id[65];
    std::snprintf(id, sizeof id, "%064d", m_next_id++);
    Container container;
    container.create = body;
    if (body.contains("Cmd") && body["Cmd"].is_array() && body["Cmd"].size() == 2 && body["Cmd"][0] == "exit")
      container.exit_code = std::stoi(body["Cmd"][1].get<std::string>());
    m_containers[id] = container;
    send_all(client, reply(201, "Created", nlohmann::json{{"Id", id}, {"Warnings", nlohmann::json::array()}}.dump()));
    return true;
  }
  if (path.rfind("/containers/", 0) == 0) {
    std::string rest = path.substr(12);
    std::string id = rest.substr(0, rest.find('/'));
    std::string action = rest.find('/') == std::string::npos ? "" : rest.substr(rest.find('/') + 1);
    Container container;
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      auto it = m_containers.find(id);
      if (it == m_containers.end()) {
        send_all(client, error_reply(404, "No such container: " + id));
        return true;
      }
      if (action == "start")
        it->second.started = true;
      container = it->second;
    }
    if (action == "start") {
      send_all(client, "HTTP/1.1 204 No Content\r\nApi-Version: 1.47\r\n\r\n");
      return true;
    }
    if (action == "attach") {
      // Hijacked: the raw stream, in docker's multiplexed frames (no TTY).
      send_all(client, "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\n"
                       "Connection: Upgrade\r\nUpgrade: tcp\r\nApi-Version: 1.47\r\n\r\n");
      // Wait for the start, then write the output and close.
      for (int i = 0; i < 500; ++i) {
        {
          std::lock_guard<std::mutex> lock(m_mutex);
          if (m_containers[id].started)
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      std::string text = "hello from the fake engine\n";
      std::string frame = std::string("\x01\x00\x00\x00", 4);
      frame += static_cast<char>((text.size() >> 24) & 0xff);
      frame += static_cast<char>((text.size() >> 16) & 0xff);
      frame += static_cast<char>((text.size() >> 8) & 0xff);
      frame += static_cast<char>(text.size() & 0xff);
      send_all(client, frame + text);
      ::shutdown(client, SHUT_WR);
      hijacked = true;
      return true;
    }
    if (action == "wait") {
      // As the daemon does: the headers at once (the client waits for them
      // before it starts the container), the status when the container ends.
      std::string body = nlohmann::json{{"StatusCode", container.exit_code}, {"Error", nullptr}}.dump() + "\n";
      std::string head = reply(200, "OK", body);
      send_all(client, head.substr(0, head.size() - body.size()));
      for (int i = 0; i < 500; ++i) {
        {
          std::lock_guard<std::mutex> lock(m_mutex);
          if (m_containers[id].started)
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20)); // after the output
      send_all(client, body);
      return true;
    }
    if (action == "json") {
      nlohmann::json inspect = {{"Id", id}, {"State", {{"Running", false}, {"ExitCode", container.exit_code}}}};
      send_all(client, reply(200, "OK", inspect.dump()));
      return true;
    }
    if (request.method == "DELETE" && action.empty()) {
      send_all(client, "HTTP/1.1 204 No Content\r\nApi-Version: 1.47\r\n\r\n");
      return true;
    }
    if (action == "resize" || action == "kill") {
      send_all(client, reply(200, "OK", ""));
      return true;
    }
  }
  send_all(client, error_reply(404, "page not found: " + request.method + " " + request.path));
  return true;
}

} // namespace nvd::test
