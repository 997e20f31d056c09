// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/common/child_process.hpp"

#include "nvd/common/error.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

namespace nvd {
namespace {

// Captured output beyond this is dropped: we only ever need a little of it.
constexpr std::size_t capture_limit = 8 * 1024 * 1024;

class Fd {
public:
  explicit Fd(int fd = -1) : m_fd(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd &) = delete;
  Fd &operator=(const Fd &) = delete;
  int get() const { return m_fd; }
  void reset() {
    if (m_fd >= 0)
      ::close(m_fd);
    m_fd = -1;
  }

private:
  int m_fd;
};

std::vector<char *> c_strings(const std::vector<std::string> &strings) {
  std::vector<char *> out;
  for (const auto &s : strings)
    out.push_back(const_cast<char *>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

void drain(Fd &out_fd, Fd &err_fd, std::string &out, std::string &err) {
  char buffer[65536];
  while (out_fd.get() >= 0 || err_fd.get() >= 0) {
    pollfd fds[2] = {{out_fd.get(), POLLIN, 0}, {err_fd.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    Fd *owners[2] = {&out_fd, &err_fd};
    std::string *targets[2] = {&out, &err};
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0)
        continue;
      ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0) {
        owners[i]->reset();
        continue;
      }
      if (targets[i]->size() < capture_limit)
        targets[i]->append(buffer, static_cast<std::size_t>(n));
    }
  }
}

} // namespace

pid_t start_child(const std::string &path, const std::vector<std::string> &argv,
                  const std::vector<std::string> &envp, const ChildIo &io) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (io.stdin_fd >= 0)
    posix_spawn_file_actions_adddup2(&actions, io.stdin_fd, 0);
  else
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  if (io.stdout_fd >= 0)
    posix_spawn_file_actions_adddup2(&actions, io.stdout_fd, 1);
  if (io.stderr_fd >= 0)
    posix_spawn_file_actions_adddup2(&actions, io.stderr_fd, 2);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int number : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT})
    sigaddset(&defaults, number);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char *> c_argv = c_strings(argv), c_envp = c_strings(envp);
  pid_t pid = -1;
  // posix_spawn reports failure through its return value, not errno.
  int spawn_error = ::posix_spawn(&pid, path.c_str(), &actions, &attributes, c_argv.data(),
                                  c_envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (spawn_error != 0)
    throw Error("cannot run " + path + ": " + std::strerror(spawn_error));
  return pid;
}

int wait_child(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR)
      throw Error("cannot wait for process " + std::to_string(pid) + ": " + std::strerror(errno));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

ChildResult run_child(const std::string &path, const std::vector<std::string> &argv,
                      const std::vector<std::string> &envp, ChildOutput output) {
  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  bool capture = output == ChildOutput::capture;
  if (capture && (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0)) {
    int error = errno;
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]})
      if (fd >= 0)
        ::close(fd);
    throw Error("cannot run " + path + ": pipe: " + std::strerror(error));
  }
  Fd out_read(out_pipe[0]), out_write(out_pipe[1]), err_read(err_pipe[0]), err_write(err_pipe[1]);

  ChildIo io;
  // Without capture, docker's output goes to our stderr so that stdout stays
  // clean for `CID=$(nvidia-docker run -d …)`.
  io.stdout_fd = capture ? out_write.get() : 2;
  io.stderr_fd = capture ? err_write.get() : -1;
  pid_t pid = start_child(path, argv, envp, io);

  ChildResult result;
  out_write.reset();
  err_write.reset();
  if (capture)
    drain(out_read, err_read, result.out, result.err);
  result.status = wait_child(pid);
  return result;
}

} // namespace nvd
