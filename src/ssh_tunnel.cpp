// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/ssh_tunnel.hpp"

#include "nvd/child_process.hpp"
#include "nvd/error.hpp"
#include "nvd/exec.hpp"
#include "nvd/ssh_command.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <cstddef>
#include <optional>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace nvd {

SshTunnel::SshTunnel(std::vector<std::string> ssh_command, PluginEndpoint endpoint, Environment env,
                     std::chrono::milliseconds timeout)
    : m_command(std::move(ssh_command)), m_endpoint(std::move(endpoint)), m_env(std::move(env)),
      m_timeout(timeout) {
  static int counter = 0;
  m_name = "nvidia-docker-ssh-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
  m_listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  // An abstract name: its first byte is NUL, and the rest is not NUL-terminated.
  std::memcpy(address.sun_path + 1, m_name.data(), m_name.size());
  auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + m_name.size());
  if (m_listener < 0 || ::bind(m_listener, reinterpret_cast<sockaddr *>(&address), length) != 0 ||
      ::listen(m_listener, 8) != 0) {
    int error = errno;
    if (m_listener >= 0)
      ::close(m_listener);
    throw Error(std::string("cannot create the local end of the ssh tunnel: ") + std::strerror(error));
  }
}

SshTunnel::~SshTunnel() {
  finish(true);
  ::close(m_listener);
}

// The connection our HTTP client just made; any other process that connected
// to the socket in the meantime is turned away.
static int accept_own_connection(int listener) {
  for (int attempt = 0; attempt < 64; ++attempt) {
    int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0)
      return -1;
    ucred peer{};
    socklen_t size = sizeof peer;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &size) == 0 && peer.pid == ::getpid())
      return fd;
    ::close(fd);
  }
  return -1;
}

void SshTunnel::attach() {
  finish(true);
  int stream = accept_own_connection(m_listener);
  if (stream < 0)
    throw Error("the ssh tunnel's local socket lost its connection");
  int errors[2];
  if (::pipe2(errors, O_CLOEXEC) != 0) {
    int error = errno;
    ::close(stream);
    throw Error(std::string("cannot create a pipe for ssh: ") + std::strerror(error));
  }
  // Without a terminal ssh could only wait for an answer that never comes.
  int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  bool batch = tty < 0;
  if (tty >= 0)
    ::close(tty);
  std::vector<std::string> argv = ssh_forward_argv(m_command, m_endpoint, batch, m_timeout);
  try {
    std::optional<std::string> found = resolve_program(argv[0], m_env);
    if (!found)
      throw Error("command not found: " + argv[0] + " (install the OpenSSH client, or set NV_SSH)");
    ChildIo io;
    io.stdin_fd = stream;
    io.stdout_fd = stream;
    io.stderr_fd = errors[1];
    m_pid = start_child(*found, argv, environment_strings(m_env), io);
  } catch (const Error &error) {
    for (int fd : {stream, errors[0], errors[1]})
      ::close(fd);
    throw Error(std::string("ssh: ") + error.what());
  }
  ::close(stream);
  ::close(errors[1]);
  m_stderr = errors[0];
  m_said.clear();
}

void SshTunnel::finish(bool force) {
  if (m_pid > 0) {
    if (force)
      ::kill(m_pid, SIGTERM);
    m_status = wait_child(m_pid);
    m_pid = -1;
  }
  if (m_stderr >= 0) {
    // A helper of ssh (a ProxyCommand) may still hold the pipe: read what is
    // there within a short time rather than wait for its end.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    char buffer[4096];
    while (m_said.size() < 65536 && std::chrono::steady_clock::now() < deadline) {
      pollfd fd{m_stderr, POLLIN, 0};
      if (::poll(&fd, 1, 50) <= 0)
        continue;
      ssize_t n = ::read(m_stderr, buffer, sizeof buffer);
      if (n <= 0)
        break;
      m_said.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(m_stderr);
    m_stderr = -1;
  }
}

std::string SshTunnel::diagnose() {
  if (m_pid > 0) {
    // ssh ends by itself after its own failure; still running after a short
    // wait means ssh is fine and the trouble is further on (a slow plugin).
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    int status = 0;
    pid_t done = 0;
    while ((done = ::waitpid(m_pid, &status, WNOHANG)) == 0 &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (done != m_pid) {
      finish(true);
      return "";
    }
    m_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    m_pid = -1;
  }
  finish(false);
  return explain_ssh_failure(m_said, m_status, m_endpoint);
}

} // namespace nvd
