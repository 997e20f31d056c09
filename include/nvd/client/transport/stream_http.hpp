// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/client/transport/http_client.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <sys/socket.h>
#include <vector>

namespace nvd {

// Opens a connected byte stream (a socket) before `deadline`, or throws Error
// saying why, e.g. "connection refused".
using StreamOpener = std::function<int(std::chrono::steady_clock::time_point deadline)>;

// HTTP GET over streams we open ourselves: a TCP connection to this machine, a
// unix socket, or an ssh tunnel. For these, loading libcurl would cost more
// than the whole request (about 5 ms). Keeps the connection for the next
// request when the server allows it.
class StreamHttpSession : public HttpGetter {
public:
  StreamHttpSession(StreamOpener open, std::chrono::milliseconds timeout, std::size_t max_body);
  ~StreamHttpSession() override;
  HttpResponse get(const std::string &url) override;

private:
  void close_stream();

  StreamOpener m_open;
  std::chrono::milliseconds m_timeout;
  std::size_t m_max_body;
  int m_fd = -1;
};

// A socket address of this machine.
struct LoopbackAddress {
  sockaddr_storage storage;
  socklen_t length;
};

// The addresses of a loopback host, found without the name service (no
// /etc/hosts, nsswitch.conf or DNS is read, and a static binary may call it):
// "localhost" and names under .localhost are 127.0.0.1 then ::1 (RFC 6761),
// numbers in 127.0.0.0/8 and ::1 are themselves. Empty for any other host.
std::vector<LoopbackAddress> loopback_addresses(const std::string &host, int port);

// Opens a TCP connection to a loopback host:port (its addresses in turn).
// Throws Error for a host that is not loopback.
StreamOpener tcp_opener(std::string host, int port);
// The same for addresses given: refused by one of them is "refused"
// (ConnectionRefused), whatever the others say (::1 where IPv6 is off).
StreamOpener addresses_opener(std::vector<LoopbackAddress> addresses);
// Opens a connection to the unix socket at `path`.
StreamOpener unix_socket_opener(std::string path);

// True for the hosts loopback_addresses knows.
bool is_loopback_host(const std::string &host);

} // namespace nvd
