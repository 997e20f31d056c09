// SPDX-License-Identifier: BSD-3-Clause
#include "support/process.hpp"

#include "support/temp_dir.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <poll.h>
#include <pty.h>
#include <unistd.h>

extern char **environ;

namespace nvd::test {

std::string read_file(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

void write_file(const std::string &path, const std::string &text, bool executable) {
  {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << text;
  }
  if (executable)
    chmod(path.c_str(), 0755);
}

// The NULL-terminated array of pointers execve wants (prepared before fork).
static std::vector<char *> c_pointers(const std::vector<std::string> &strings) {
  std::vector<char *> pointers;
  for (const auto &s : strings)
    pointers.push_back(const_cast<char *>(s.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

// The test's own environment with `environment`'s changes, as NAME=VALUE strings.
static std::vector<std::string>
child_environment(const std::map<std::string, std::optional<std::string>> &environment) {
  std::map<std::string, std::string> env;
  for (char **entry = environ; *entry != nullptr; ++entry) {
    std::string item(*entry);
    auto equals = item.find('=');
    if (equals != std::string::npos)
      env[item.substr(0, equals)] = item.substr(equals + 1);
  }
  for (const auto &[name, value] : environment) {
    if (value)
      env[name] = *value;
    else
      env.erase(name);
  }
  std::vector<std::string> strings;
  for (const auto &[name, value] : env)
    strings.push_back(name + "=" + value);
  return strings;
}

Process::Process(const std::vector<std::string> &argv,
                 const std::map<std::string, std::optional<std::string>> &environment,
                 const std::string &stdin_text) {
  m_dir = make_temp_dir("nvd-process");
  m_stdout_path = m_dir + "/stdout";
  m_stderr_path = m_dir + "/stderr";
  std::string stdin_path = m_dir + "/stdin";
  write_file(stdin_path, stdin_text);

  std::vector<std::string> env_strings = child_environment(environment);

  // Everything the child needs is prepared before fork.
  std::vector<char *> c_argv = c_pointers(argv), c_envp = c_pointers(env_strings);

  m_pid = fork();
  if (m_pid < 0)
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (m_pid == 0) {
    int in = open(stdin_path.c_str(), O_RDONLY);
    int out = open(m_stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(m_stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(c_argv[0], c_argv.data(), c_envp.data());
    dprintf(2, "exec %s: %s\n", c_argv[0], std::strerror(errno));
    _exit(127);
  }
}

Process::~Process() {
  if (!m_reaped && m_pid > 0) {
    kill(m_pid, SIGKILL);
    waitpid(m_pid, nullptr, 0);
  }
  remove_tree(m_dir);
}

void Process::signal(int number) {
  if (!m_reaped && m_pid > 0)
    kill(m_pid, number);
}

int Process::wait(std::chrono::milliseconds timeout) {
  if (m_reaped)
    return m_status;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    pid_t done = waitpid(m_pid, &status, WNOHANG);
    if (done == m_pid) {
      m_reaped = true;
      m_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return m_status;
    }
    if (std::chrono::steady_clock::now() > deadline)
      return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string Process::stdout_text() const { return read_file(m_stdout_path); }
std::string Process::stderr_text() const { return read_file(m_stderr_path); }

bool Process::wait_for_stderr(const std::string &needle, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (stderr_text().find(needle) != std::string::npos)
      return true;
    int status = 0;
    if (!m_reaped && waitpid(m_pid, &status, WNOHANG) == m_pid) {
      m_reaped = true;
      m_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (m_reaped)
      return stderr_text().find(needle) != std::string::npos;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

Completed run_in_terminal(const std::vector<std::string> &argv,
                          const std::map<std::string, std::optional<std::string>> &environment,
                          const std::string &cwd, std::chrono::milliseconds timeout) {
  std::vector<std::string> env_strings = child_environment(environment);
  std::vector<char *> c_argv = c_pointers(argv), c_envp = c_pointers(env_strings);

  int master = -1;
  pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0)
    throw std::runtime_error(std::string("forkpty: ") + std::strerror(errno));
  if (pid == 0) {
    if (::chdir(cwd.c_str()) != 0)
      _exit(126);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(c_argv[0], c_argv.data(), c_envp.data());
    _exit(127);
  }
  std::string output;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, 50) > 0) {
      ssize_t n = ::read(master, buffer, sizeof buffer);
      if (n <= 0)
        break; // EIO: the terminal's last process has gone
      output.append(buffer, static_cast<std::size_t>(n));
    }
  }
  ::close(master);
  int status = 0;
  if (std::chrono::steady_clock::now() >= deadline)
    ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return {code, output, ""};
}

Completed run_program(const std::vector<std::string> &argv,
                      const std::map<std::string, std::optional<std::string>> &environment,
                      const std::string &stdin_text, std::chrono::milliseconds timeout) {
  Process process(argv, environment, stdin_text);
  int status = process.wait(timeout);
  if (status == -1) {
    process.signal(SIGKILL);
    status = process.wait();
    return {-1, process.stdout_text(), process.stderr_text() + "\n[killed after timeout]"};
  }
  return {status, process.stdout_text(), process.stderr_text()};
}

} // namespace nvd::test
