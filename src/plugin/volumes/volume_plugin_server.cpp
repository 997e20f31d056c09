// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/volumes/volume_plugin_server.hpp"

#include "nvd/common/error.hpp"
#include "nvd/common/strings.hpp"
#include "nvd/plugin/volumes/plugin_http.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <mutex>
#include <set>
#include <thread>

namespace nvd {

namespace {

// Docker sends a few hundred bytes; nothing of this API needs more.
constexpr std::size_t max_body = 64 * 1024;
// The most a connection holds unanswered: one whole request of the largest
// kind. The parser refuses anything larger first; this bounds the memory
// even if it did not.
constexpr std::size_t max_buffered = max_http_head + max_body + max_chunk_framing;
// More connections than this at once are answered 503 and closed.
constexpr std::size_t max_connections = 64;

using Clock = std::chrono::steady_clock;

// "10 seconds", "300 ms".
std::string duration_text(std::chrono::milliseconds duration) {
  auto ms = duration.count();
  if (ms % 1000 == 0)
    return std::to_string(ms / 1000) + (ms == 1000 ? " second" : " seconds");
  return std::to_string(ms) + " ms";
}

// Milliseconds from now to `deadline` for poll(): 0 once it has passed.
int poll_timeout(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0)
    return 0;
  // Rounded up: a poll that wakes a little early would otherwise spin.
  return static_cast<int>(std::min<std::chrono::milliseconds::rep>(left.count() + 1, 1 << 30));
}

std::string clipped(std::string_view text) {
  constexpr std::size_t limit = 200;
  return text.size() > limit ? printable(text.substr(0, limit)) + "..." : printable(text);
}

std::string utc_stamp() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return stamp;
}

std::string strip_trailing_slashes(std::string path) {
  while (path.size() > 1 && path.back() == '/')
    path.pop_back();
  return path;
}

void make_private_folders(const std::string &path) {
  std::string partial;
  for (const std::string &part : split_any(path, "/")) {
    partial += (partial.empty() && path[0] != '/') ? part : "/" + part;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
      int error = errno;
      throw Error(
          "cannot create the plugin socket folder " + partial + ": " + std::strerror(error) +
          (error == EACCES ? " (run the plugin as root, or choose another folder with -s)" : ""));
    }
  }
}

// Writes all of `data` by `deadline`; false when the client stopped
// reading (or went away) before that.
bool send_all(int fd, std::string_view data, Clock::time_point deadline) {
  while (!data.empty()) {
    ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent >= 0) {
      data.remove_prefix(static_cast<std::size_t>(sent));
      continue;
    }
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return false;
    pollfd wait{fd, POLLOUT, 0};
    int timeout = poll_timeout(deadline);
    if (timeout == 0)
      return false;
    if (::poll(&wait, 1, timeout) < 0 && errno != EINTR)
      return false;
  }
  return true;
}

std::string error_body(const std::string &error) {
  return nlohmann::json{{"Err", error}}.dump(-1, ' ', false,
                                             nlohmann::json::error_handler_t::replace);
}

} // namespace

struct VolumePluginServer::Impl {
  VolumeOperations &operations;
  std::ostream &log;
  PluginServerTimeouts timeouts;
  std::mutex log_mutex;

  int listen_fd = -1;
  std::string socket_path;
  dev_t socket_device = 0;
  ino_t socket_inode = 0;

  int stop_pipe[2] = {-1, -1};
  std::atomic<bool> stopping{false};

  std::mutex connections_mutex;
  std::condition_variable connection_ended;
  std::set<int> connections;

  Impl(VolumeOperations &o, std::ostream &l, PluginServerTimeouts t)
      : operations(o), log(l), timeouts(t) {
    if (::pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
      throw Error(std::string("cannot create the plugin server's stop pipe: ") +
                  std::strerror(errno));
  }

  ~Impl() {
    close_socket();
    for (int fd : stop_pipe)
      if (fd >= 0)
        ::close(fd);
  }

  void write_log(std::string_view method, std::string_view path, const PluginApiAnswer &answer,
                 std::chrono::steady_clock::time_point start) {
    auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start);
    std::string line = utc_stamp() + " " + (method.empty() ? "-" : clipped(method)) + " " +
                       (path.empty() ? "-" : clipped(path)) + " " +
                       (answer.volume.empty() ? "-" : answer.volume) + " " +
                       std::to_string(answer.status) + " " + std::to_string(elapsed.count()) +
                       "us " + (answer.error.empty() ? "ok" : "error: " + answer.error);
    std::lock_guard<std::mutex> lock(log_mutex);
    log << line << std::endl;
  }

  // Closes the listening socket and removes its file, unless another
  // program has put its own socket at that path since.
  void close_socket() {
    if (listen_fd < 0)
      return;
    ::close(listen_fd);
    listen_fd = -1;
    struct stat info {};
    if (::lstat(socket_path.c_str(), &info) == 0 && S_ISSOCK(info.st_mode) &&
        info.st_dev == socket_device && info.st_ino == socket_inode)
      ::unlink(socket_path.c_str());
  }

  bool send_answer(int fd, std::string_view answer) {
    return send_all(fd, answer, Clock::now() + timeouts.send);
  }

  // Serves one connection until it ends. Each request has one deadline from
  // its first byte, and a kept-alive connection one between requests: a read
  // never extends either. The buffer is parsed again only when what came can
  // change the parse (HttpParse::wanted), so a trickled request costs O(n).
  void handle_connection(int fd) {
    std::string buffer;
    HttpParse parse;
    bool parse_stale = true; // bytes came that may change `parse`
    bool sent_continue = false;
    bool in_request = false; // some of a request has come
    Clock::time_point deadline = Clock::now() + timeouts.idle;
    while (true) {
      if (!in_request && !buffer.empty()) {
        in_request = true;
        deadline = Clock::now() + timeouts.request;
      }
      if (parse_stale) {
        parse = parse_http_request(buffer, max_body);
        parse_stale = false;
      }
      if (parse.state == HttpParseState::complete) {
        auto start = Clock::now();
        const HttpRequest &request = parse.request;
        std::string_view path = request.target;
        path = path.substr(0, path.find('?'));
        PluginApiAnswer answer = answer_or_failure(request.method, path, request.body);
        bool keep_alive = request.keep_alive && !stopping;
        bool sent = send_answer(
            fd, render_http_response(answer.status, answer.content_type, answer.body, keep_alive));
        write_log(request.method, path, answer, start);
        if (!sent || !keep_alive)
          return;
        buffer.erase(0, parse.consumed);
        parse_stale = true;
        sent_continue = false;
        // The next request's bytes may have come with this one: its deadline
        // starts now, like an idle wait's.
        in_request = false;
        deadline = Clock::now() + timeouts.idle;
        continue;
      }
      if (parse.state == HttpParseState::bad) {
        answer_bad_request(fd, parse.status, parse.problem);
        return;
      }
      if (buffer.size() > max_buffered) {
        answer_bad_request(fd, 413,
                           "the request is larger than " + std::to_string(max_buffered) + " bytes");
        return;
      }
      if (parse.head_complete && parse.request.expects_continue && !sent_continue) {
        if (!send_answer(fd, "HTTP/1.1 100 Continue\r\n\r\n"))
          return;
        sent_continue = true;
      }
      // Checked before each wait, so that a client which always has a byte
      // ready still meets its deadline.
      int timeout = poll_timeout(deadline);
      pollfd wait{fd, POLLIN, 0};
      int ready = timeout == 0 ? 0 : ::poll(&wait, 1, timeout);
      if (ready < 0 && errno == EINTR)
        continue;
      if (ready == 0 && in_request)
        answer_bad_request(fd, 408,
                           "the request was not completed within " +
                               duration_text(timeouts.request));
      if (ready <= 0)
        return;
      char chunk[16 * 1024];
      ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        return;
      std::string_view fresh(chunk, static_cast<std::size_t>(got));
      buffer.append(fresh);
      parse_stale = buffer.size() >= parse.wanted ||
                    (parse.line_wanted && fresh.find('\n') != std::string_view::npos);
    }
  }

  void answer_bad_request(int fd, int status, const std::string &problem) {
    PluginApiAnswer answer;
    answer.status = status;
    answer.error = "bad HTTP request: " + problem;
    answer.body = error_body(answer.error);
    send_answer(fd, render_http_response(status, answer.content_type, answer.body, false));
    write_log("", "", answer, Clock::now());
  }

  // answer_plugin_request() answers every std::exception; anything else an
  // operation throws is answered here.
  PluginApiAnswer answer_or_failure(std::string_view method, std::string_view path,
                                    std::string_view body) {
    try {
      return answer_plugin_request(operations, method, path, body);
    } catch (...) {
      PluginApiAnswer failed;
      failed.status = 500;
      failed.error = "the volume plugin failed: an unexpected error";
      failed.body = error_body(failed.error);
      return failed;
    }
  }

  // A connection thread's whole life: whatever it throws (bad_alloc) ends
  // the connection, never the plugin. Nothing more is sent then: part of an
  // answer may have been.
  void run_connection(int fd) {
    try {
      handle_connection(fd);
    } catch (...) {
      try {
        PluginApiAnswer failed;
        failed.status = 500;
        failed.error = "connection closed: the volume plugin failed while serving it";
        write_log("", "", failed, Clock::now());
      } catch (...) {
        // Out of memory even for a log line: the closed connection says enough.
      }
    }
    end_connection(fd);
  }

  void end_connection(int fd) {
    std::lock_guard<std::mutex> lock(connections_mutex);
    connections.erase(fd);
    ::close(fd);
    connection_ended.notify_all();
  }

  // Answers 503 at once (no wait for a client that does not read: the
  // answer fits the socket's buffer, or it goes without).
  void answer_busy(int fd) {
    try {
      PluginApiAnswer busy;
      busy.status = 503;
      busy.error =
          "too many connections at once (" + std::to_string(max_connections) + "): try again";
      send_all(fd, render_http_response(503, busy.content_type, error_body(busy.error), false),
               Clock::now());
      write_log("", "", busy, Clock::now());
    } catch (...) {
      // Out of memory: the closed connection says enough.
    }
  }

  // Never throws: the accepting thread goes on whatever happens to one connection.
  void start_connection(int fd) {
    {
      std::lock_guard<std::mutex> lock(connections_mutex);
      bool taken = false;
      if (connections.size() < max_connections) {
        try {
          taken = connections.insert(fd).second;
        } catch (...) {
          taken = false;
        }
      }
      if (!taken) {
        answer_busy(fd);
        ::close(fd);
        return;
      }
    }
    try {
      std::thread([this, fd] { run_connection(fd); }).detach();
    } catch (...) {
      end_connection(fd);
    }
  }
};

VolumePluginServer::VolumePluginServer(VolumeOperations &operations, std::ostream &log,
                                       PluginServerTimeouts timeouts)
    : m_impl(std::make_unique<Impl>(operations, log, timeouts)) {}

VolumePluginServer::~VolumePluginServer() = default;

std::string VolumePluginServer::bind(const std::string &socket_dir) {
  Impl &impl = *m_impl;
  if (impl.listen_fd >= 0)
    throw Error("the plugin socket is already bound at " + impl.socket_path);
  if (socket_dir.empty())
    throw Error("no plugin socket folder given (-s)");
  const std::string folder = strip_trailing_slashes(socket_dir);
  const std::string path = (folder == "/" ? "" : folder) + "/" + plugin_socket_name;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path)
    throw Error("the plugin socket path " + path + " is too long (" + std::to_string(path.size()) +
                " bytes; a unix socket path holds at most " +
                std::to_string(sizeof address.sun_path - 1) + "): choose a shorter folder with -s");
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);

  make_private_folders(folder);
  struct stat info {};
  if (::stat(folder.c_str(), &info) != 0 || !S_ISDIR(info.st_mode))
    throw Error("the plugin socket folder " + folder + " is not a folder (choose another with -s)");
  auto address_ptr = [&] { return reinterpret_cast<const sockaddr *>(&address); };

  if (::lstat(path.c_str(), &info) == 0) {
    if (!S_ISSOCK(info.st_mode))
      throw Error(path + " exists and is not a socket: remove it, or choose another folder "
                         "with -s");
    // A socket nobody listens on is what a plugin that was killed leaves.
    int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe < 0)
      throw Error(std::string("cannot create a unix socket: ") + std::strerror(errno));
    int connected = ::connect(probe, address_ptr(), sizeof address);
    int error = errno;
    ::close(probe);
    if (connected == 0)
      throw Error("another program is serving " + path +
                  " (is nvidia-docker-plugin already running? stop it first)");
    if (error != ECONNREFUSED && error != ENOENT)
      throw Error("cannot replace the socket " + path + ": " + std::strerror(error));
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
      throw Error("cannot replace the stale socket " + path + ": " + std::strerror(errno));
  }

  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    throw Error(std::string("cannot create a unix socket: ") + std::strerror(errno));
  if (::bind(fd, address_ptr(), sizeof address) != 0 || ::listen(fd, SOMAXCONN) != 0) {
    int error = errno;
    ::close(fd);
    throw Error("cannot listen on " + path + ": " + std::strerror(error) +
                (error == EADDRINUSE ? " (another plugin started at the same moment?)" : ""));
  }
  if (::lstat(path.c_str(), &info) != 0) {
    int error = errno;
    ::close(fd);
    throw Error("cannot listen on " + path + ": " + std::strerror(error));
  }
  impl.listen_fd = fd;
  impl.socket_path = path;
  impl.socket_device = info.st_dev;
  impl.socket_inode = info.st_ino;
  return path;
}

void VolumePluginServer::serve() {
  Impl &impl = *m_impl;
  if (impl.listen_fd < 0)
    throw Error("the plugin socket is not bound: nothing to serve");
  int failure = 0;
  while (!impl.stopping) {
    pollfd waits[2] = {{impl.listen_fd, POLLIN, 0}, {impl.stop_pipe[0], POLLIN, 0}};
    int ready = ::poll(waits, 2, -1);
    if (ready < 0) {
      if (errno == EINTR)
        continue;
      if (errno == ENOMEM) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      failure = errno;
      break;
    }
    if ((waits[1].revents & POLLIN) != 0 || impl.stopping)
      break;
    if ((waits[0].revents & POLLIN) == 0)
      continue;
    int fd = ::accept4(impl.listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      // Out of descriptors: wait a little rather than spin on the same error.
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    impl.start_connection(fd);
  }
  // New requests stop; the ones in progress finish and are answered.
  std::unique_lock<std::mutex> lock(impl.connections_mutex);
  for (int fd : impl.connections)
    ::shutdown(fd, SHUT_RD);
  impl.connection_ended.wait(lock, [&] { return impl.connections.empty(); });
  lock.unlock();
  std::string path = impl.socket_path;
  impl.close_socket();
  if (failure != 0)
    throw Error("the plugin socket " + path + " stopped serving: " + std::strerror(failure));
}

void VolumePluginServer::stop() {
  m_impl->stopping = true;
  char byte = 1;
  // A full pipe already holds a wake-up: nothing is lost by ignoring EAGAIN.
  [[maybe_unused]] ssize_t written = ::write(m_impl->stop_pipe[1], &byte, 1);
}

} // namespace nvd
