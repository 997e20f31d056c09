// SPDX-License-Identifier: BSD-3-Clause
#include "support/stand_in_host.hpp"

#include "nvd/common/error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

// This build's stand-in NVMLs: NVD_STAND_IN_NVML_{FULL,MINIMAL,INCOMPLETE}
// are set on this file by tests/integration/plugin/nvml/tests.cmake.
#ifndef NVD_STAND_IN_NVML_FULL
#error "NVD_STAND_IN_NVML_FULL must name the stand-in libnvidia-ml.so.1"
#endif

namespace nvd::test {

namespace fs = std::filesystem;

namespace {

// Programs run by absolute path: the plugin's PATH holds only the host's bin folder.
std::string system_program(const char *name) {
  for (const char *folder : {"/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/"}) {
    std::string path = std::string(folder) + name;
    if (::access(path.c_str(), X_OK) == 0)
      return path;
  }
  return "";
}

std::string single_quoted(const std::string &text) {
  std::string quoted = "'";
  for (char c : text)
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// The files of the host's /dev a process may need, bound into the stand-in /dev.
const char *const passed_through_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};

} // namespace

std::optional<std::string> stand_in_host_unavailable() {
  static const std::optional<std::string> reason = []() -> std::optional<std::string> {
    if (::geteuid() != 0)
      return "needs root (mount namespaces, mknod, ldconfig -r)";
    for (const char *program : {"unshare", "mount", "sh", "mknod"})
      if (system_program(program).empty())
        return std::string(program) + " not found in /usr/bin, /bin, /usr/sbin or /sbin";
    TempDir probe("nvd-namespace-probe");
    Completed tried = run_program({system_program("unshare"), "-m", system_program("mount"), "-t",
                                   "tmpfs", "nvd-probe", probe.path()},
                                  {}, "", std::chrono::seconds(10));
    if (tried.status != 0)
      return "`unshare -m` with a tmpfs mount failed here: " +
             tried.err.substr(0, tried.err.find('\n'));
    return std::nullopt;
  }();
  return reason;
}

std::string stand_in_nvml_library(StandInNvml kind) {
  switch (kind) {
  case StandInNvml::full:
    return NVD_STAND_IN_NVML_FULL;
  case StandInNvml::minimal:
    return NVD_STAND_IN_NVML_MINIMAL;
  case StandInNvml::incomplete:
    return NVD_STAND_IN_NVML_INCOMPLETE;
  }
  return NVD_STAND_IN_NVML_FULL;
}

nlohmann::json stand_in_gpus(int count) {
  if (count < 0 || count > 64)
    throw std::invalid_argument("stand_in_gpus: 0 to 64 GPUs");
  nlohmann::json devices = nlohmann::json::array();
  for (int i = 0; i < count; ++i) {
    char uuid[64], bus[32];
    std::snprintf(uuid, sizeof uuid, "GPU-%02x000000-0000-4000-8000-0000000000%02x", i + 0xa0, i);
    std::snprintf(bus, sizeof bus, "00000000:%02X:00.0", 0x1a + 0x10 * i);
    devices.push_back({
        {"UUID", uuid},
        {"Minor", 2 * (count - i) + 1},
        {"Name", "Tesla V100-SXM2-16GB"},
        {"BusID", bus},
        {"ComputeCapability", {7, 0}},
        {"Cores", 5120},
        {"Multiprocessors", 80},
        {"PowerLimitWatts", 300},
        {"EnforcedPowerLimitWatts", 300},
        {"PowerWatts", 40 + i},
        {"TemperatureC", 30 + i},
        {"NumaNode", i < count / 2 ? 0 : 1},
        {"Bar1MiB", 16384},
        {"Bar1UsedMiB", 2},
        {"PcieMaxGeneration", 3},
        {"PcieMaxWidth", 16},
        {"PcieRxKBps", 12000},
        {"PcieTxKBps", 3000},
        {"MemoryMiB", 16160},
        {"MemoryUsedMiB", 1024},
        {"MemoryBusWidthBits", 4096},
        {"EccEnabled", true},
        {"EccErrors", {{"L1Cache", 0}, {"L2Cache", 0}, {"Global", 0}}},
        {"MaxClocksMHz", {{"SM", 1530}, {"Memory", 877}}},
        {"ClocksMHz", {{"SM", 135}, {"Memory", 877}}},
        {"Utilization", {{"GPU", 10}, {"Memory", 5}, {"Encoder", 1}, {"Decoder", 2}}},
        {"Processes", nlohmann::json::array()},
    });
  }
  nlohmann::json topology = nlohmann::json::array();
  for (int i = 0; i + 1 < count; i += 2)
    topology.push_back({{"GPUs", {i, i + 1}}, {"Level", 10}});
  return {{"CudaVersion", 12020}, {"Topology", topology}, {"Devices", devices}};
}

StandInHost::StandInHost(std::string plugin_binary, const nlohmann::json &nvml_config,
                         StandInHostOptions options)
    : m_plugin(std::move(plugin_binary)) {
  m_driver_root = m_state.file("driver");
  m_dev = m_state.file("dev");
  m_bin = m_state.file("bin");
  m_volumes = m_state.file("volumes");
  m_sockets = m_state.file("plugins");
  m_config_path = m_state.file("nvml.json");
  for (const std::string &folder : {m_dev, m_bin})
    fs::create_directories(folder);
  for (const char *node : passed_through_nodes)
    write_file(m_dev + "/" + node, ""); // mount points of the host's nodes
  set_nvml_config(nvml_config);

  if (options.empty_driver_root) {
    fs::create_directories(m_driver_root);
    m_driver.root = m_driver_root;
    m_driver.options = options.driver;
  } else {
    options.driver.nvml_library = stand_in_nvml_library(options.nvml);
    m_driver = make_driver_tree(m_driver_root, options.driver);
  }

  if (options.nvidiactl)
    make_node("nvidiactl", 195, 255);
  if (options.uvm)
    make_node("nvidia-uvm", 235, 0);
  if (options.uvm_tools)
    make_node("nvidia-uvm-tools", 235, 1);
  for (const auto &device : nvml_config.value("Devices", nlohmann::json::array()))
    if (device.contains("Minor") && device["Minor"].is_number_unsigned())
      make_node("nvidia" + std::to_string(device["Minor"].get<unsigned>()), 195,
                device["Minor"].get<unsigned>());
}

void StandInHost::set_nvml_config(const nlohmann::json &config) {
  // A name of its own each time: the stand-in notices a change by the file's
  // identity, which a rename within the same second must change too.
  static int serial = 0;
  std::string next = m_config_path + ".next-" + std::to_string(++serial);
  write_file(next, config.dump(2));
  if (std::rename(next.c_str(), m_config_path.c_str()) != 0)
    throw std::runtime_error("cannot replace " + m_config_path + ": " + std::strerror(errno));
  m_config = config;
}

const DriverTree &StandInHost::upgrade_driver(const std::string &version) {
  m_driver = upgrade_driver_tree(m_driver, version);
  return m_driver;
}

void StandInHost::make_node(const std::string &name, unsigned major, unsigned minor) {
  std::string path = m_dev + "/" + name;
  ::unlink(path.c_str());
  if (::mknod(path.c_str(), S_IFCHR | 0666, makedev(major, minor)) != 0)
    throw std::runtime_error("mknod " + path + ": " + std::strerror(errno));
}

void StandInHost::remove_node(const std::string &name) {
  std::string path = m_dev + "/" + name;
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    throw std::runtime_error("unlink " + path + ": " + std::strerror(errno));
}

bool StandInHost::has_node(const std::string &name) const {
  struct stat info {};
  return ::lstat((m_dev + "/" + name).c_str(), &info) == 0 && S_ISCHR(info.st_mode);
}

std::string StandInHost::volume_dir(const std::string &version) const {
  return m_volumes + "/nvidia_driver/" + version;
}

std::string StandInHost::volume_name(const std::string &version) const {
  return "nvidia_driver_" + (version.empty() ? driver_version() : version);
}

std::vector<std::string> StandInHost::command(const PluginStart &start) const {
  // In the new namespace (private propagation: nothing reaches the host):
  // the host's null & co bound into the stand-in /dev, that folder mounted
  // over /dev, the tmpfs folders made; then the plugin, in this same process.
  const std::string mount = system_program("mount");
  std::string script = "set -e\n";
  for (const char *node : passed_through_nodes)
    script += mount + " --bind /dev/" + node + " " + single_quoted(m_dev + "/" + node) + "\n";
  script += mount + " --bind " + single_quoted(m_dev) + " /dev\n";
  for (const std::string &folder : start.tmpfs)
    script += system_program("mkdir") + " -p " + single_quoted(folder) + "\n" + mount +
              " -t tmpfs -o mode=0755 nvd-stand-in " + single_quoted(folder) + "\n";
  script += "exec \"$@\"\n";

  std::vector<std::string> argv = {system_program("unshare"),
                                   "-m",
                                   system_program("sh"),
                                   "-c",
                                   script,
                                   "stand-in-host",
                                   m_plugin,
                                   "-l",
                                   "127.0.0.1:0",
                                   "--driver-root",
                                   m_driver_root};
  // Always this host's folders: a test never reaches the host's /run/docker or /var/lib.
  argv.insert(argv.end(), {"-d", m_volumes, "-s", m_sockets});
  argv.insert(argv.end(), start.args.begin(), start.args.end());
  return argv;
}

std::map<std::string, std::optional<std::string>>
StandInHost::environment(const PluginStart &start) const {
  std::map<std::string, std::optional<std::string>> environment = {
      {"NVD_STAND_IN_NVML", m_config_path},
      {"PATH", m_bin},
      {"NVD_STAND_IN_CUDA", std::nullopt},
  };
  for (const auto &[name, value] : start.environment)
    environment[name] = value;
  return environment;
}

std::unique_ptr<RunningPlugin> StandInHost::start(const PluginStart &start) const {
  PluginLaunch launch;
  launch.command = command(start);
  launch.environment = environment(start);
  launch.volumes_dir = m_volumes;
  launch.socket_dir = m_sockets;
  return std::make_unique<RunningPlugin>(launch);
}

std::unique_ptr<RunningPlugin> StandInHost::start(const std::vector<std::string> &args) const {
  PluginStart plugin_start;
  plugin_start.args = args;
  return start(plugin_start);
}

Completed StandInHost::run_to_exit(const PluginStart &start,
                                   std::chrono::milliseconds timeout) const {
  return run_program(command(start), environment(start), "", timeout);
}

std::string StandInHost::plugin_view(const RunningPlugin &plugin, const std::string &path) {
  return "/proc/" + std::to_string(plugin.pid()) + "/root" + path;
}

SocketAnswer socket_exchange(const std::string &socket_path, const std::string &bytes,
                             std::chrono::milliseconds timeout) {
  SocketAnswer answer;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof address.sun_path) {
    answer.error = "socket path too long: " + socket_path;
    return answer;
  }
  std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
    answer.error = "connect " + socket_path + ": " + std::strerror(errno);
    if (fd >= 0)
      ::close(fd);
    return answer;
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto left_ms = [&] {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::max<long long>(0, left.count()));
  };
  // Sent while reading: a server that answers early (413) and closes must
  // not leave this side blocked on a full socket.
  std::size_t sent = 0;
  bool reading_done = false;
  while (!reading_done) {
    pollfd wait{fd, static_cast<short>(POLLIN | (sent < bytes.size() ? POLLOUT : 0)), 0};
    int ready = ::poll(&wait, 1, left_ms());
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready <= 0) {
      answer.error = "no end of the answer within " + std::to_string(timeout.count()) + " ms";
      break;
    }
    if ((wait.revents & POLLOUT) != 0 && sent < bytes.size()) {
      ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0)
        sent += static_cast<std::size_t>(n);
      else if (n < 0 && errno != EAGAIN && errno != EINTR)
        sent = bytes.size(); // the server has closed its side; read what it said
    }
    if ((wait.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      char buffer[16 * 1024];
      ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n > 0)
        answer.raw.append(buffer, static_cast<std::size_t>(n));
      else if (n == 0 || (errno != EAGAIN && errno != EINTR))
        reading_done = true;
    }
  }
  ::close(fd);

  // The first answer: status line, headers, a Content-Length body.
  std::size_t head_end = answer.raw.find("\r\n\r\n");
  if (answer.raw.compare(0, 9, "HTTP/1.1 ") != 0 || head_end == std::string::npos) {
    if (answer.error.empty())
      answer.error = "no HTTP answer: " + answer.raw.substr(0, 200);
    return answer;
  }
  answer.status = std::atoi(answer.raw.c_str() + 9);
  std::string head = answer.raw.substr(0, head_end);
  std::size_t length = std::string::npos;
  std::size_t line = head.find("\r\n");
  while (line != std::string::npos) {
    std::size_t next = head.find("\r\n", line + 2);
    std::string header =
        head.substr(line + 2, next == std::string::npos ? std::string::npos : next - line - 2);
    std::string name = header.substr(0, header.find(':'));
    for (char &c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value =
        header.find(':') == std::string::npos ? "" : header.substr(header.find(':') + 1);
    value.erase(0, value.find_first_not_of(' '));
    if (name == "content-type")
      answer.content_type = value;
    if (name == "content-length")
      length = std::stoul(value);
    line = next;
  }
  answer.body = answer.raw.substr(head_end + 4, length);
  if (length != std::string::npos && answer.body.size() < length)
    answer.error = "the answer ended after " + std::to_string(answer.body.size()) + " of " +
                   std::to_string(length) + " body bytes";
  return answer;
}

SocketAnswer plugin_call(const std::string &socket_path, const std::string &path,
                         const std::string &body) {
  std::string request = "POST " + path +
                        " HTTP/1.1\r\nHost: plugin\r\nUser-Agent: Go-http-client/1.1\r\n"
                        "Accept: application/vnd.docker.plugins.v1.2+json\r\n"
                        "Content-Type: application/vnd.docker.plugins.v1.2+json\r\n"
                        "Connection: close\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n\r\n" + body;
  return socket_exchange(socket_path, request);
}

} // namespace nvd::test
