// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/transport/stream_http.hpp"

#include "nvd/common/error.hpp"
#include "nvd/client/transport/http_errors.hpp"
#include "nvd/client/transport/http_wire.hpp"
#include "nvd/common/strings.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace nvd {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}


// Waits until the socket is ready for `events`; false at the deadline.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  while (true) {
    pollfd p{fd, events, 0};
    int ready = ::poll(&p, 1, remaining_ms(deadline));
    if (ready > 0)
      return true;
    if (ready == 0)
      return false;
    if (errno != EINTR)
      return true; // let the read or write report the error
  }
}

int connect_before(int fd, const sockaddr *address, socklen_t length, Clock::time_point deadline) {
  if (::connect(fd, address, length) == 0)
    return 0;
  if (errno != EINPROGRESS)
    return errno;
  if (!wait_for(fd, POLLOUT, deadline))
    return ETIMEDOUT;
  int error = 0;
  socklen_t size = sizeof error;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
  return error;
}

} // namespace

std::vector<LoopbackAddress> loopback_addresses(const std::string &host, int port) {
  std::vector<LoopbackAddress> addresses;
  auto add = [&](const auto &socket_address) {
    LoopbackAddress entry{};
    std::memcpy(&entry.storage, &socket_address, sizeof socket_address);
    entry.length = sizeof socket_address;
    addresses.push_back(entry);
  };
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  v4.sin_port = htons(static_cast<uint16_t>(port));
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  v6.sin6_port = v4.sin_port;

  std::string name = ascii_lower(host);
  if (!name.empty() && name.back() == '.')
    name.pop_back(); // "localhost." is the same name, fully qualified
  if (name == "localhost" || ends_with(name, ".localhost")) {
    v4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    v6.sin6_addr = in6addr_loopback;
    add(v4);
    add(v6);
  } else if (host.find_first_not_of("0123456789abcdefxABCDEFX.") == std::string::npos &&
             ::inet_aton(host.c_str(), &v4.sin_addr) != 0) {
    // Numbers as the resolver reads them (127.1 too), but all of the text:
    // inet_aton itself stops at white space.
    if ((ntohl(v4.sin_addr.s_addr) >> 24) == 127)
      add(v4);
  } else if (::inet_pton(AF_INET6, host.c_str(), &v6.sin6_addr) == 1 && IN6_IS_ADDR_LOOPBACK(&v6.sin6_addr)) {
    add(v6);
  }
  return addresses;
}

bool is_loopback_host(const std::string &host) { return !loopback_addresses(host, 0).empty(); }

StreamOpener tcp_opener(std::string host, int port) {
  std::vector<LoopbackAddress> addresses = loopback_addresses(host, port);
  if (addresses.empty())
    throw Error("not a loopback address: " + printable(host) + " (only this machine is asked without libcurl)");
  return addresses_opener(std::move(addresses));
}

StreamOpener addresses_opener(std::vector<LoopbackAddress> addresses) {
  return [addresses](Clock::time_point deadline) {
    int last_error = ECONNREFUSED;
    bool refused = false; // by one address: the others may be unusable (IPv6 off)
    for (const LoopbackAddress &address : addresses) {
      int fd = ::socket(address.storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_TCP);
      if (fd < 0) {
        last_error = errno;
        continue;
      }
      last_error = connect_before(fd, reinterpret_cast<const sockaddr *>(&address.storage), address.length,
                                  deadline);
      if (last_error == 0) {
        int on = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        return fd;
      }
      ::close(fd);
      if (last_error == ETIMEDOUT)
        break;
      refused = refused || last_error == ECONNREFUSED;
    }
    if (refused && last_error != ETIMEDOUT)
      last_error = ECONNREFUSED;
    if (last_error == ETIMEDOUT)
      throw ConnectTimeout("connecting timed out");
    if (last_error == ECONNREFUSED)
      throw ConnectionRefused(std::strerror(last_error));
    throw Error(std::strerror(last_error));
  };
}

StreamOpener unix_socket_opener(std::string path) {
  return [path](Clock::time_point deadline) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path)
      throw Error("socket path too long: " + path);
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int error = connect_before(fd, reinterpret_cast<sockaddr *>(&address), sizeof address, deadline);
    if (error != 0) {
      ::close(fd);
      if (error == ECONNREFUSED)
        throw ConnectionRefused(std::strerror(error));
      throw Error(std::strerror(error));
    }
    return fd;
  };
}

StreamHttpSession::StreamHttpSession(StreamOpener open, std::chrono::milliseconds timeout,
                                     std::size_t max_body)
    : m_open(std::move(open)), m_timeout(timeout), m_max_body(max_body) {}

StreamHttpSession::~StreamHttpSession() { close_stream(); }

void StreamHttpSession::close_stream() {
  if (m_fd >= 0)
    ::close(m_fd);
  m_fd = -1;
}

HttpResponse StreamHttpSession::get(const std::string &url) {
  HttpUrl parts;
  if (!parse_http_url(url, parts))
    throw Error(url + ": not an http:// URL");
  auto deadline = Clock::now() + m_timeout;
  std::string request = format_get_request(parts);
  auto timed_out = [&]() {
    close_stream();
    return timeout_error(url, m_timeout,
                         "timed out after " + std::to_string(m_timeout.count()) + " milliseconds");
  };

  // A kept connection may have been closed by the server meanwhile: one more
  // try on a fresh connection then.
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = m_fd >= 0;
    if (!reused) {
      try {
        m_fd = m_open(deadline);
      } catch (const ConnectTimeout &) {
        throw timed_out();
      } catch (const ConnectionRefused &refused) {
        throw refused_error(url, refused.what());
      } catch (const Error &error) {
        throw Error(url + ": " + error.what());
      }
    }
    std::string_view pending = request;
    bool sent = true;
    while (!pending.empty()) {
      // A request fits in a fresh socket's buffer: wait only when it does not.
      ssize_t n = ::send(m_fd, pending.data(), pending.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN) {
        if (!wait_for(m_fd, POLLOUT, deadline))
          throw timed_out();
        continue;
      }
      if (n <= 0) {
        sent = false;
        break;
      }
      pending.remove_prefix(static_cast<std::size_t>(n));
    }
    if (!sent && reused) {
      close_stream();
      continue;
    }

    HttpResponseReader reader(m_max_body);
    char buffer[16384];
    bool received_any = false;
    while (sent && reader.state() == HttpResponseReader::State::incomplete) {
      if (!wait_for(m_fd, POLLIN, deadline))
        throw timed_out();
      ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (n <= 0) {
        if (reused && !received_any)
          break; // the server had closed the kept connection
        reader.end_of_stream();
        break;
      }
      received_any = true;
      reader.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
    }
    if ((!sent || !received_any) && reused) {
      close_stream();
      continue;
    }
    if (reader.state() != HttpResponseReader::State::complete) {
      close_stream();
      if (reader.too_large())
        throw too_large_error(url, m_max_body);
      throw broken_answer_error(url, sent ? reader.error() : std::string("cannot send the request"));
    }
    if (!reader.keep_alive())
      close_stream();
    return HttpResponse{reader.status(), reader.body()};
  }
  throw broken_answer_error(url, "the connection closed without an answer");
}

} // namespace nvd
