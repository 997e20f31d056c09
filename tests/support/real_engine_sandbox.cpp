// SPDX-License-Identifier: BSD-3-Clause
#include "support/real_engine_sandbox.hpp"

#include "support/temp_dir.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sstream>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

namespace nvd::test {
namespace {

std::optional<std::string> g_unavailable = std::string("the sandbox was not entered");
std::string g_dir;
std::string g_cgroup_name;
volatile sig_atomic_t g_child = 0;

std::string errno_text() { return std::strerror(errno); }

// Throws the failed step, so the tests can say which one.
void check(bool ok, const std::string &step) {
  if (!ok)
    throw std::runtime_error(step + ": " + errno_text());
}

bool pid_alive(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

// Always /tmp, whatever TMPDIR says: dockerd's and containerd's sockets sit
// a few folders below the sandbox's folder, and a unix socket path has at
// most 107 characters.
std::string temp_base() { return "/tmp"; }

// The cgroup folders of one sandbox: /sys/fs/cgroup/NAME (cgroup v2) and
// /sys/fs/cgroup/CONTROLLER/NAME (v1), each holding one folder per container.
std::vector<std::string> cgroup_folders(const std::string &name) {
  std::vector<std::string> folders;
  std::error_code ignored;
  if (std::filesystem::is_directory("/sys/fs/cgroup/" + name, ignored))
    folders.push_back("/sys/fs/cgroup/" + name);
  for (const auto &entry : std::filesystem::directory_iterator("/sys/fs/cgroup", ignored))
    if (entry.is_directory(ignored) && std::filesystem::is_directory(entry.path() / name, ignored))
      folders.push_back((entry.path() / name).string());
  return folders;
}

// Empty cgroups are removed with rmdir, innermost first (their control files
// go with them). One still in use stays, and is reported by the caller.
void remove_cgroups(const std::string &name) {
  for (const auto &folder : cgroup_folders(name)) {
    std::error_code ignored;
    for (const auto &entry : std::filesystem::directory_iterator(folder, ignored))
      if (entry.is_directory(ignored))
        ::rmdir(entry.path().c_str());
    ::rmdir(folder.c_str());
  }
}

// What an earlier run that was killed outright (SIGKILL: no clean-up) left:
// folders and cgroups named after a process that no longer exists. Its
// namespaces died with it, so its folder holds no mount.
void sweep_stale_leftovers(const std::string &label) {
  std::string prefix = "nvd-" + label + ".";
  std::error_code ignored;
  for (const auto &entry : std::filesystem::directory_iterator(temp_base(), ignored)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0)
      continue;
    pid_t pid = static_cast<pid_t>(std::atoi(name.c_str() + prefix.size()));
    if (pid > 0 && !pid_alive(pid))
      remove_tree(entry.path().string());
  }
  for (const auto &entry : std::filesystem::directory_iterator("/sys/fs/cgroup", ignored)) {
    std::vector<std::filesystem::path> candidates = {entry.path()};
    for (const auto &inner : std::filesystem::directory_iterator(entry.path(), ignored))
      candidates.push_back(inner.path());
    for (const auto &candidate : candidates) {
      std::string name = candidate.filename().string();
      std::string cgroup_prefix = "nvd-" + label + "-";
      if (name.rfind(cgroup_prefix, 0) == 0) {
        pid_t pid = static_cast<pid_t>(std::atoi(name.c_str() + cgroup_prefix.size()));
        if (pid > 0 && !pid_alive(pid))
          remove_cgroups(name);
      }
    }
  }
}

std::vector<std::string> host_nvidia_nodes() {
  std::vector<std::string> names;
  std::error_code ignored;
  for (const auto &entry : std::filesystem::directory_iterator("/dev", ignored))
    if (entry.path().filename().string().rfind("nvidia", 0) == 0)
      names.push_back(entry.path().string());
  return names;
}

// Whatever of the sandbox is still on the host after it ended: processes
// whose command line names its folder, mounts under it, cgroups, device nodes.
std::vector<std::string> leftovers(const std::vector<std::string> &nodes_before) {
  std::vector<std::string> found;
  std::error_code ignored;
  for (const auto &entry : std::filesystem::directory_iterator("/proc", ignored)) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos)
      continue;
    std::ifstream file(entry.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    if (cmdline.find(g_dir) != std::string::npos) {
      for (char &c : cmdline)
        if (c == '\0')
          c = ' ';
      found.push_back("process " + name + ": " + cmdline);
    }
  }
  std::ifstream mountinfo("/proc/self/mountinfo");
  for (std::string line; std::getline(mountinfo, line);)
    if (line.find(g_dir) != std::string::npos)
      found.push_back("mount: " + line);
  for (const auto &folder : cgroup_folders(g_cgroup_name))
    found.push_back("cgroup: " + folder);
  for (const auto &node : host_nvidia_nodes())
    if (std::find(nodes_before.begin(), nodes_before.end(), node) == nodes_before.end())
      found.push_back("device node on the host: " + node);
  std::error_code exists_error;
  if (std::filesystem::exists(g_dir, exists_error))
    found.push_back("folder: " + g_dir);
  return found;
}

extern "C" void forward_signal(int number) {
  if (g_child > 0)
    ::kill(static_cast<pid_t>(g_child), number);
}

// The process outside: waits for the sandboxed one, then cleans up and checks.
[[noreturn]] void supervise(pid_t child, const std::vector<std::string> &nodes_before) {
  g_child = child;
  struct sigaction action {};
  action.sa_handler = forward_signal;
  sigemptyset(&action.sa_mask);
  for (int number : {SIGINT, SIGTERM, SIGHUP})
    ::sigaction(number, &action, nullptr);

  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  // The namespaces are gone with their last process: no mount is left in the
  // folder, so removing it cannot reach anything outside.
  remove_cgroups(g_cgroup_name);
  remove_tree(g_dir);
  std::vector<std::string> left = leftovers(nodes_before);
  for (const auto &item : left)
    std::fprintf(stderr, "real-engine sandbox: left behind on the host: %s\n", item.c_str());
  std::fflush(stderr);
  std::_Exit(left.empty() ? code : (code != 0 ? code : 1));
}

extern "C" void stop_everything(int number, siginfo_t *info, void *) {
  char message[160];
  int size = std::snprintf(message, sizeof message,
                           "real-engine sandbox: %s from pid %d; stopping every process in it\n",
                           strsignal(number), info != nullptr ? info->si_pid : 0);
  ssize_t ignored = ::write(2, message, static_cast<std::size_t>(size));
  (void)ignored;
  // Only as pid 1 of the sandbox's PID namespace is -1 "everyone else in it".
  if (::getpid() == 1)
    ::kill(-1, SIGKILL);
  ::_exit(128 + number);
}

void bind_host_node(const std::string &dev, const std::string &name) {
  std::string target = dev + "/" + name;
  int fd = ::open(target.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
  check(fd >= 0, "create " + target);
  ::close(fd);
  check(::mount(("/dev/" + name).c_str(), target.c_str(), nullptr, MS_BIND, nullptr) == 0,
        "bind /dev/" + name);
}

// A fresh /dev: built in a staging folder, then moved over /dev, so the
// host's /dev is never reachable through any path of the sandbox's folder.
void make_dev(const std::vector<StandInNode> &nodes) {
  std::string dev = g_dir + "/dev";
  check(::mkdir(dev.c_str(), 0755) == 0, "mkdir " + dev);
  check(::mount("nvd-dev", dev.c_str(), "tmpfs", MS_NOSUID, "mode=0755") == 0, "tmpfs on /dev");
  for (const char *name : {"null", "zero", "full", "random", "urandom", "tty"})
    bind_host_node(dev, name);
  check(::mkdir((dev + "/pts").c_str(), 0755) == 0, "mkdir /dev/pts");
  check(::mount("devpts", (dev + "/pts").c_str(), "devpts", MS_NOSUID | MS_NOEXEC,
                "newinstance,ptmxmode=0666,mode=0620") == 0,
        "devpts on /dev/pts");
  check(::symlink("pts/ptmx", (dev + "/ptmx").c_str()) == 0, "symlink /dev/ptmx");
  check(::mkdir((dev + "/shm").c_str(), 01777) == 0, "mkdir /dev/shm");
  check(::mount("shm", (dev + "/shm").c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") == 0,
        "tmpfs on /dev/shm");
  const std::pair<const char *, const char *> links[] = {{"fd", "/proc/self/fd"},
                                                         {"stdin", "/proc/self/fd/0"},
                                                         {"stdout", "/proc/self/fd/1"},
                                                         {"stderr", "/proc/self/fd/2"}};
  for (const auto &[name, target] : links)
    check(::symlink(target, (dev + "/" + name).c_str()) == 0, std::string("symlink /dev/") + name);
  for (const auto &node : nodes) {
    std::string path = dev + "/" + node.name;
    check(::mknod(path.c_str(), S_IFCHR | 0666, makedev(node.major, node.minor)) == 0,
          "mknod /dev/" + node.name);
  }
  check(::mount(dev.c_str(), "/dev", nullptr, MS_MOVE, nullptr) == 0,
        "move the new /dev over /dev");
}

void bring_loopback_up() {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  check(fd >= 0, "socket for lo");
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  bool ok = ::ioctl(fd, SIOCGIFFLAGS, &request) == 0;
  request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
  ok = ok && ::ioctl(fd, SIOCSIFFLAGS, &request) == 0;
  ::close(fd);
  check(ok, "bring lo up");
}

void set_up_inside(const SandboxOptions &options) {
  check(::unshare(CLONE_NEWNS | CLONE_NEWNET) == 0, "unshare(CLONE_NEWNS|CLONE_NEWNET)");
  check(::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0, "make / rprivate");
  check(::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) == 0,
        "mount a new /proc");
  make_dev(options.nodes);
  check(::mount("nvd-run", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") == 0,
        "tmpfs on /run");
  bring_loopback_up();
}

} // namespace

std::vector<StandInNode> stand_in_nvidia_nodes(const std::vector<unsigned> &gpu_minors) {
  std::vector<StandInNode> nodes = {
      {"nvidiactl", 195, 255}, {"nvidia-uvm", 235, 0}, {"nvidia-uvm-tools", 235, 1}};
  for (unsigned minor : gpu_minors)
    nodes.push_back({"nvidia" + std::to_string(minor), 195, minor});
  return nodes;
}

void enter_sandbox(const SandboxOptions &options) {
  if (::geteuid() != 0) {
    g_unavailable = "the real-engine tests need root (they make namespaces, device nodes, mounts "
                    "and a dockerd of their own)";
    return;
  }
  pid_t outer = ::getpid();
  sweep_stale_leftovers(options.label);
  g_cgroup_name = "nvd-" + options.label + "-" + std::to_string(outer);
  g_dir = temp_base() + "/nvd-" + options.label + "." + std::to_string(outer) + "-XXXXXX";
  if (::mkdtemp(g_dir.data()) == nullptr) {
    g_unavailable = "mkdtemp " + g_dir + ": " + errno_text();
    return;
  }
  if (::unshare(CLONE_NEWPID) != 0) {
    g_unavailable = "unshare(CLONE_NEWPID) failed: " + errno_text();
    remove_tree(g_dir);
    return;
  }
  std::vector<std::string> nodes_before = host_nvidia_nodes();
  // The outer process holds the write end for its whole life: the inside
  // sees the end of the pipe once it has gone (its pid is not visible there).
  int outer_alive[2];
  if (::pipe2(outer_alive, O_CLOEXEC) != 0) {
    g_unavailable = "pipe: " + errno_text();
    remove_tree(g_dir);
    return;
  }
  std::fflush(nullptr);
  pid_t child = ::fork();
  if (child < 0) {
    std::fprintf(stderr, "real-engine sandbox: fork: %s\n", std::strerror(errno));
    remove_tree(g_dir);
    std::_Exit(1);
  }
  if (child > 0) {
    ::close(outer_alive[0]);
    supervise(child, nodes_before);
  }

  // Inside: pid 1 of the new PID namespace. It dies with the outer process,
  // also when that went before the request below was made.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  ::close(outer_alive[1]);
  pollfd gone{outer_alive[0], POLLIN, 0};
  if (::poll(&gone, 1, 0) > 0)
    std::_Exit(1);
  ::close(outer_alive[0]);
  struct sigaction action {};
  action.sa_sigaction = stop_everything;
  action.sa_flags = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  for (int number : {SIGINT, SIGTERM, SIGHUP})
    ::sigaction(number, &action, nullptr);
  // Every temporary file of the tests, and of what they start, lands in the
  // sandbox's folder, which the outer process removes whatever happens.
  std::string tmp = g_dir + "/tmp";
  if (::mkdir(tmp.c_str(), 01777) == 0)
    ::setenv("TMPDIR", tmp.c_str(), 1);
  try {
    set_up_inside(options);
    g_unavailable.reset();
  } catch (const std::exception &error) {
    g_unavailable = std::string("the sandbox could not be set up: ") + error.what();
  }
}

std::optional<std::string> sandbox_unavailable() { return g_unavailable; }

const std::string &sandbox_dir() { return g_dir; }

std::string sandbox_cgroup_parent() { return "/" + g_cgroup_name; }

void mount_tmpfs(const std::string &path) {
  if (g_unavailable || ::getpid() != 1)
    throw std::runtime_error("mount_tmpfs is for the inside of the sandbox only");
  check(::mount("nvd-tmpfs", path.c_str(), "tmpfs", 0, "mode=0755") == 0, "tmpfs on " + path);
}

void unmount_path(const std::string &path) {
  if (g_unavailable || ::getpid() != 1)
    throw std::runtime_error("unmount_path is for the inside of the sandbox only");
  check(::umount2(path.c_str(), MNT_DETACH) == 0, "umount " + path);
}

void kill_everything_else() {
  // Only as pid 1 of the sandbox's own PID namespace, where -1 means "every
  // process in this namespace": anywhere else it would mean the whole host.
  if (g_unavailable || ::getpid() != 1)
    return;
  ::kill(-1, SIGKILL);
  while (::waitpid(-1, nullptr, 0) > 0 || errno == EINTR) {
  }
}

} // namespace nvd::test
