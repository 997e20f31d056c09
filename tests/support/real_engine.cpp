// SPDX-License-Identifier: BSD-3-Clause
#include "support/real_engine.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

namespace nvd::test {
namespace {

namespace fs = std::filesystem;

// "Docker version 20.10.24+dfsg1, build 5d6db84": 20.
int dockerd_major_version(const std::string &dockerd) {
  Completed version = run_program({dockerd, "--version"}, {}, "", std::chrono::seconds(10));
  auto at = version.out.find("version ");
  return at == std::string::npos ? 0 : std::atoi(version.out.c_str() + at + 8);
}

std::string tail(const std::string &text, std::size_t lines) {
  std::size_t at = text.size();
  for (std::size_t seen = 0; at > 0 && seen <= lines;)
    if (text[--at] == '\n')
      ++seen;
  return at == 0 ? text : text.substr(at + 1);
}

const char standard_path[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
// As nvidia/cuda images set them, so the driver volume's programs and
// libraries are found.
const char gpu_path[] =
    "PATH=/usr/local/nvidia/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const char gpu_library_path[] = "LD_LIBRARY_PATH=/usr/local/nvidia/lib:/usr/local/nvidia/lib64";

} // namespace

std::string find_program(const std::string &name) {
  const char *path = std::getenv("PATH");
  std::string directories = std::string(path != nullptr ? path : "") + ":/usr/sbin:/sbin";
  std::stringstream stream(directories);
  for (std::string directory; std::getline(stream, directory, ':');) {
    if (directory.empty())
      continue;
    std::string candidate = directory + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0)
      return candidate;
  }
  return "";
}

std::string docker_client() { return find_program("docker"); }

int unix_socket_get_status(const std::string &socket_path, const std::string &target) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return 0;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof address.sun_path) {
    ::close(fd);
    return 0;
  }
  std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);
  std::string answer;
  if (::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) == 0) {
    std::string request = "GET " + target + " HTTP/1.0\r\nHost: docker\r\n\r\n";
    if (::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buffer[512];
      pollfd ready{fd, POLLIN, 0};
      // The status line is all we need.
      while (answer.find("\r\n") == std::string::npos && ::poll(&ready, 1, 2000) > 0) {
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0)
          break;
        answer.append(buffer, static_cast<std::size_t>(n));
      }
    }
  }
  ::close(fd);
  // "HTTP/1.1 200 OK"
  return answer.size() > 12 && answer.rfind("HTTP/", 0) == 0 ? std::atoi(answer.c_str() + 9) : 0;
}

void make_busybox_tarball(const std::string &work_dir, const std::string &tarball) {
  std::string busybox = "/bin/busybox";
  if (::access(busybox.c_str(), X_OK) != 0)
    throw std::runtime_error("no /bin/busybox: install Debian's busybox-static");
  fs::path root = fs::path(work_dir) / "busybox-root";
  fs::create_directories(root / "bin");
  for (const char *folder : {"etc", "proc", "sys", "dev", "root", "usr/local", "var"})
    fs::create_directories(root / folder);
  fs::create_directories(root / "tmp");
  fs::permissions(root / "tmp", fs::perms::all | fs::perms::sticky_bit);
  fs::copy_file(busybox, root / "bin/busybox", fs::copy_options::overwrite_existing);
  // A static busybox, so the image needs no libc; one link per applet.
  Completed applets = run_program({busybox, "--list"}, {}, "", std::chrono::seconds(10));
  std::stringstream names(applets.out);
  for (std::string name; std::getline(names, name);)
    if (!name.empty() && name != "busybox" && !fs::exists(root / "bin" / name))
      fs::create_symlink("busybox", root / "bin" / name);
  Completed tar = run_program({find_program("tar"), "-C", root.string(), "-cf", tarball, "."}, {},
                              "", std::chrono::seconds(30));
  if (tar.status != 0)
    throw std::runtime_error("tar of the busybox tree failed: " + tar.err);
}

PrivateDockerd::PrivateDockerd(const std::string &root, const std::string &cgroup_parent)
    : m_root(root) {
  std::string dockerd = find_program("dockerd");
  if (dockerd.empty())
    throw std::runtime_error("no dockerd on PATH (Debian: apt-get install docker.io)");
  fs::create_directories(m_root + "/docker-config");
  // Containers under a cgroup of this sandbox's own (removed afterwards);
  // cgroupfs, because systemd's driver would talk to the host's systemd.
  std::string config = "{\n  \"cgroup-parent\": \"" + cgroup_parent +
                       "\",\n  \"exec-opts\": [\"native.cgroupdriver=cgroupfs\"]";
  // dockerd before 23 writes a trust key to /etc/docker/key.json unless told
  // another place (a daemon.json key only; later versions have no trust key).
  if (int major = dockerd_major_version(dockerd); major > 0 && major < 23)
    config += ",\n  \"deprecated-key-path\": \"" + m_root + "/key.json\"";
  write_file(m_root + "/daemon.json", config + "\n}\n");
  std::vector<std::string> argv = {dockerd,
                                   "--data-root=" + m_root + "/data",
                                   "--exec-root=" + m_root + "/exec",
                                   "--host=" + docker_host(),
                                   "--pidfile=" + m_root + "/docker.pid",
                                   "--config-file=" + m_root + "/daemon.json",
                                   "--storage-driver=vfs",
                                   "--bridge=none",
                                   "--iptables=false",
                                   "--ip-forward=false",
                                   "--ip-masq=false"};
  m_process = std::make_unique<Process>(
      argv, EnvironmentChanges{{"DOCKER_CONFIG", m_root + "/docker-config"}});
}

PrivateDockerd::~PrivateDockerd() {
  try {
    stop();
  } catch (...) {
    // The sandbox's end kills whatever is left.
  }
}

void PrivateDockerd::wait_until_ready(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (unix_socket_get_status(socket_path(), "/_ping") != 200) {
    if (m_process->wait(std::chrono::milliseconds(0)) != -1)
      throw std::runtime_error("dockerd exited at start:\n" + tail(log(), 15));
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("dockerd did not answer within " + std::to_string(timeout.count()) +
                               " ms:\n" + tail(log(), 15));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

EnvironmentChanges PrivateDockerd::client_environment() const {
  return {{"DOCKER_HOST", docker_host()},     {"DOCKER_CONFIG", m_root + "/docker-config"},
          {"DOCKER_CONTEXT", std::nullopt},   {"DOCKER_TLS_VERIFY", std::nullopt},
          {"DOCKER_CERT_PATH", std::nullopt}, {"DOCKER_CLI_HINTS", "false"}};
}

Completed PrivateDockerd::docker(const std::vector<std::string> &args,
                                 std::chrono::milliseconds timeout) const {
  std::vector<std::string> argv = {docker_client()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, client_environment(), "", timeout);
}

std::string PrivateDockerd::log() const { return m_process ? m_process->stderr_text() : ""; }

void PrivateDockerd::import_test_images(const std::string &tarball) const {
  const std::vector<std::pair<std::string, std::vector<std::string>>> images = {
      {label_image,
       {"LABEL com.nvidia.volumes.needed=nvidia_driver",
        "LABEL com.nvidia.cuda.version=" + label_image_cuda, std::string("ENV ") + gpu_path,
        std::string("ENV ") + gpu_library_path}},
      {env_image,
       {"ENV NVIDIA_VISIBLE_DEVICES=all", "ENV NVIDIA_REQUIRE_CUDA=cuda>=11.0",
        "ENV CUDA_VERSION=" + env_image_cuda, std::string("ENV ") + gpu_path,
        std::string("ENV ") + gpu_library_path}},
      {plain_image, {std::string("ENV ") + standard_path}},
  };
  std::vector<std::unique_ptr<Process>> imports;
  for (const auto &[name, changes] : images) {
    std::vector<std::string> argv = {docker_client(), "import"};
    for (const auto &change : changes)
      argv.insert(argv.end(), {"--change", change});
    argv.insert(argv.end(), {tarball, name});
    imports.push_back(std::make_unique<Process>(argv, client_environment()));
  }
  for (std::size_t i = 0; i < imports.size(); ++i)
    if (imports[i]->wait(std::chrono::seconds(60)) != 0)
      throw std::runtime_error("docker import of " + images[i].first +
                               " failed: " + imports[i]->stderr_text());
}

void PrivateDockerd::stop() {
  if (!m_process || m_process->wait(std::chrono::milliseconds(0)) != -1)
    return;
  Completed containers = docker({"ps", "--all", "--quiet"}, std::chrono::seconds(20));
  std::vector<std::string> remove = {"rm", "--force", "--volumes"};
  std::stringstream ids(containers.out);
  for (std::string id; ids >> id;)
    remove.push_back(id);
  if (remove.size() > 3)
    docker(remove, std::chrono::seconds(30));
  m_process->signal(SIGTERM);
  if (m_process->wait(std::chrono::seconds(15)) == -1) {
    m_process->signal(SIGKILL);
    m_process->wait(std::chrono::seconds(5));
  }
}

} // namespace nvd::test
