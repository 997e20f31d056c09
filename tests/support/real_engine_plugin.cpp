// SPDX-License-Identifier: BSD-3-Clause
#include "support/real_engine_plugin.hpp"

#include "support/http_get.hpp"

#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <csignal>
#include <filesystem>
#include <netinet/in.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace nvd::test {

const std::vector<StandInGpu> &stand_in_gpus() {
  static const std::vector<StandInGpu> gpus = {
      {0, 2, "GPU-6a1f0c3e-2b4d-4e5f-8a9b-0c1d2e3f4a5b", "00000000:3B:00.0"},
      {1, 0, "GPU-b37d9e21-7c6a-4f80-9e1d-2a3b4c5d6e7f", "00000000:5E:00.0"},
      {2, 5, "GPU-e0c4a7b9-1d2e-4f3a-8b5c-6d7e8f9a0b1c", "00000000:AF:00.0"},
  };
  return gpus;
}

std::vector<unsigned> stand_in_gpu_minors() {
  std::vector<unsigned> minors;
  for (const auto &gpu : stand_in_gpus())
    minors.push_back(gpu.minor);
  return minors;
}

StandInDriver::StandInDriver(const std::string &folder, const std::string &version,
                             const std::string &nvml_library)
    : m_folder(folder) {
  DriverTreeOptions options;
  options.version = version;
  options.nvml_library = nvml_library;
  m_tree = make_driver_tree(folder + "/root", options);
  write_nvml_config(version);
}

void StandInDriver::upgrade(const std::string &new_version) {
  m_tree = upgrade_driver_tree(m_tree, new_version);
  write_nvml_config(new_version);
}

void StandInDriver::write_nvml_config(const std::string &kernel_version) const {
  nlohmann::json devices = nlohmann::json::array();
  for (const auto &gpu : stand_in_gpus())
    devices.push_back({{"UUID", gpu.uuid},
                       {"Name", "Stand-in GPU " + std::to_string(gpu.index)},
                       {"Minor", gpu.minor},
                       {"BusID", gpu.bus_id},
                       {"MemoryMiB", 16384}});
  // CUDA's encoding: 1000 * major + 10 * minor.
  nlohmann::json config = {
      {"KernelVersion", kernel_version}, {"CudaVersion", 12020}, {"Devices", devices}};
  // Written beside and renamed, so a reader never sees half a file.
  std::string path = nvml_config(), partial = path + ".partial";
  write_file(partial, config.dump(2) + "\n");
  std::filesystem::rename(partial, path);
}

int free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  bool bound = fd >= 0 &&
               ::bind(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) == 0 &&
               ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &size) == 0;
  if (fd >= 0)
    ::close(fd);
  if (!bound)
    throw std::runtime_error("no free port on 127.0.0.1");
  return ntohs(address.sin_port);
}

SandboxPlugin::SandboxPlugin(const std::string &binary, const PluginSetup &setup) : m_setup(setup) {
  if (m_setup.port == 0)
    m_setup.port = free_loopback_port();
  std::vector<std::string> argv = {binary,
                                   "--driver-root",
                                   m_setup.driver_root,
                                   "-d",
                                   m_setup.volumes_dir,
                                   "-s",
                                   m_setup.socket_dir,
                                   "-l",
                                   "127.0.0.1:" + std::to_string(m_setup.port)};
  argv.insert(argv.end(), m_setup.extra_args.begin(), m_setup.extra_args.end());
  m_process = std::make_unique<Process>(argv, std::map<std::string, std::optional<std::string>>{
                                                  {"NVD_STAND_IN_NVML", m_setup.nvml_config}});
}

void SandboxPlugin::wait_until_serving(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string socket = plugin_socket(m_setup.socket_dir);
  while (true) {
    struct stat info {};
    bool socket_there = ::stat(socket.c_str(), &info) == 0 && S_ISSOCK(info.st_mode);
    if (socket_there && http_request(base_url() + "/gpu/info/json").status != 0)
      return;
    if (!running())
      throw std::runtime_error("nvidia-docker-plugin exited at start:\n" + log());
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("nvidia-docker-plugin did not serve both its REST API and " +
                               socket + " within " + std::to_string(timeout.count()) + " ms:\n" +
                               log());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

int SandboxPlugin::stop() {
  if (!running())
    return m_process->wait(std::chrono::milliseconds(0));
  m_process->signal(SIGTERM);
  int status = m_process->wait(std::chrono::seconds(10));
  if (status == -1) {
    m_process->signal(SIGKILL);
    m_process->wait(std::chrono::seconds(5));
  }
  return status;
}

void SandboxPlugin::kill_outright() {
  m_process->signal(SIGKILL);
  m_process->wait(std::chrono::seconds(5));
}

} // namespace nvd::test
