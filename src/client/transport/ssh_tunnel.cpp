// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/transport/ssh_tunnel.hpp"

#include "nvd/common/child_process.hpp"
#include "nvd/common/error.hpp"
#include "nvd/client/system/exec.hpp"
#include "nvd/client/transport/ssh_command.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <optional>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace nvd {

SshTunnel::SshTunnel(std::vector<std::string> ssh_command, PluginEndpoint endpoint, Environment env,
                     std::chrono::milliseconds timeout)
    : m_command(std::move(ssh_command)), m_endpoint(std::move(endpoint)), m_env(std::move(env)),
      m_timeout(timeout) {}

SshTunnel::~SshTunnel() { finish(true); }

int SshTunnel::open() {
  finish(true);
  int pair[2], errors[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
    throw Error(std::string("cannot create a socket pair for ssh: ") + std::strerror(errno));
  if (::pipe2(errors, O_CLOEXEC) != 0) {
    int error = errno;
    ::close(pair[0]);
    ::close(pair[1]);
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
    io.stdin_fd = pair[1];
    io.stdout_fd = pair[1];
    io.stderr_fd = errors[1];
    m_pid = start_child(*found, argv, environment_strings(m_env), io);
  } catch (const Error &error) {
    for (int fd : {pair[0], pair[1], errors[0], errors[1]})
      ::close(fd);
    throw Error(std::string("ssh: ") + error.what());
  }
  ::close(pair[1]);
  ::close(errors[1]);
  m_stderr = errors[0];
  m_said.clear();
  ::fcntl(pair[0], F_SETFL, ::fcntl(pair[0], F_GETFL) | O_NONBLOCK);
  return pair[0];
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
