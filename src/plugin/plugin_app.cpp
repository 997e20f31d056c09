// SPDX-License-Identifier: BSD-3-Clause
// nvidia-docker-plugin's wiring: GPU discovery (NVML from the driver root, or
// an inventory file), the driver volumes and Docker's volume plugin API on a
// unix socket, and the REST API; 1.0's start-up steps as log lines.
#include "nvd/plugin/plugin_app.hpp"

#include "nvd/common/error.hpp"
#include "nvd/common/gpu_inventory.hpp"
#include "nvd/common/strings.hpp"
#include "nvd/plugin/control_devices.hpp"
#include "nvd/plugin/driver/driver_root.hpp"
#include "nvd/plugin/driver/volume_plan.hpp"
#include "nvd/plugin/inventory_file_discovery.hpp"
#include "nvd/plugin/nvml/nvml_discovery.hpp"
#include "nvd/plugin/plugin_server.hpp"
#include "nvd/plugin/volumes/volume_plugin_server.hpp"
#include "nvd/plugin/volumes/volume_store.hpp"
#include "nvd/version.hpp"

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <pthread.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <thread>

namespace nvd {
namespace {

struct PluginOptions {
  std::string listen = "localhost:3476";
  std::string volumes_dir = "/var/lib/nvidia-docker/volumes";
  std::string socket_dir = "/run/docker/plugins";
  std::string driver_root = "/";
  std::string inventory;
};

void print_error(const std::string &message) {
  std::cerr << "nvidia-docker-plugin | Error: " << message << std::endl;
}

// One line, one write: whoever reads the log never sees half of a line, and
// the server threads' request lines never cut into it.
void log_line(const std::string &line) {
  static std::mutex log_mutex;
  std::lock_guard<std::mutex> lock(log_mutex);
  std::cerr << ("nvidia-docker-plugin: " + line + "\n") << std::flush;
}

std::string root_file(const std::string &driver_root, const std::string &path) {
  std::string root = driver_root;
  while (root.size() > 1 && root.back() == '/')
    root.pop_back();
  return root == "/" ? path : root + path;
}

// Changes when the driver installed under the root changes: the real file
// behind libnvidia-ml.so.1 (its version is in its name) and its inode. A stat
// of the ld cache for every request; the cache is read again only when
// ldconfig replaced it, so that installing other packages reloads nothing.
class DriverFingerprint {
public:
  explicit DriverFingerprint(std::string driver_root) : m_root(std::move(driver_root)) {}

  std::string operator()() {
    std::string cache = cache_stamp();
    std::lock_guard<std::mutex> lock(m_mutex);
    if (cache != m_cache_stamp) {
      m_cache_stamp = cache;
      m_fingerprint = nvml_stamp();
    }
    return m_fingerprint;
  }

private:
  static std::string stamp(const struct stat &info) {
    return std::to_string(info.st_dev) + ":" + std::to_string(info.st_ino) + ":" +
           std::to_string(info.st_size) + ":" + std::to_string(info.st_mtim.tv_sec) + "." +
           std::to_string(info.st_mtim.tv_nsec);
  }

  std::string cache_stamp() const {
    struct stat info {};
    std::string cache = root_file(m_root, "/etc/ld.so.cache");
    if (::stat(cache.c_str(), &info) != 0)
      return std::string("no cache: ") + std::strerror(errno);
    return stamp(info);
  }

  std::string nvml_stamp() const {
    try {
      std::string library = find_driver_library(m_root, "libnvidia-ml.so.1");
      struct stat info {};
      if (::stat(library.c_str(), &info) != 0)
        return library + ": " + std::strerror(errno);
      return library + " " + stamp(info);
    } catch (const Error &error) {
      return error.what();
    }
  }

  std::string m_root;
  std::mutex m_mutex;
  std::string m_cache_stamp;
  std::string m_fingerprint;
};

// Where NVML and libcuda are, through the driver root's own ld cache; found
// again at every (re)load, so that an upgraded driver is loaded from its files.
// The version of the loaded nvidia kernel module, "" when unknown (no module,
// or no sysfs here): the libraries of that version are the ones that work.
std::string kernel_module_version() {
  std::ifstream file("/sys/module/nvidia/version");
  std::string version;
  std::getline(file, version);
  return is_dotted_version(version) ? version : "";
}

NvmlPaths locate_nvml(const std::string &driver_root) {
  NvmlPaths paths;
  paths.driver_root = driver_root;
  // A stale libnvidia-ml left by another installer may come first in the
  // cache: the file of the running module's version wins when there is one.
  std::string module_version = kernel_module_version();
  try {
    paths.nvml = find_driver_library(driver_root, "libnvidia-ml.so.1", module_version);
  } catch (const Error &) {
    // Left empty: discovery says NVML is not found under the driver root.
  }
  // Without the module's word, NVML's own version (its file is named
  // libnvidia-ml.so.<version>): never the libcuda of an older driver.
  const std::string nvml_prefix = "libnvidia-ml.so.";
  std::string nvml_name = paths.nvml.substr(paths.nvml.rfind('/') + 1);
  if (module_version.empty() && starts_with(nvml_name, nvml_prefix) &&
      is_dotted_version(nvml_name.substr(nvml_prefix.size())))
    module_version = nvml_name.substr(nvml_prefix.size());
  try {
    paths.libcuda = find_driver_library(driver_root, "libcuda.so.1", module_version);
  } catch (const Error &) {
    // Only needed by drivers whose NVML does not tell the CUDA version.
  }
  return paths;
}

std::unique_ptr<GpuDiscovery> make_discovery(const PluginOptions &options) {
  if (!options.inventory.empty()) {
    auto discovery = std::make_unique<InventoryFileDiscovery>(options.inventory);
    log_line(std::to_string(discovery->snapshot()->devices.size()) + " GPU(s) described by " +
             options.inventory);
    return discovery;
  }
  const std::string root = options.driver_root;
  NvmlDiscoveryOptions nvml_options;
  nvml_options.log = log_line;
  nvml_options.control_devices = [] {
    return control_devices([](const std::string &path) {
      struct stat info {};
      return ::stat(path.c_str(), &info) == 0 && S_ISCHR(info.st_mode);
    });
  };
  auto fingerprint = std::make_shared<DriverFingerprint>(root);
  auto discovery = std::make_unique<NvmlDiscovery>([root] { return locate_nvml(root); },
                                                   [fingerprint] { return (*fingerprint)(); },
                                                   std::move(nvml_options));
  // After NVML, so that a host without a driver hears about the driver; the
  // control devices are asked at every load, so a late uvm-tools is seen.
  ensure_uvm_device(root, std::cerr);
  return discovery;
}

// One plugin per volumes folder: a second one would remove the first one's
// builds in progress as leftovers. The lock (on the folder itself, no file
// of ours) lasts as long as the process.
void lock_volumes_folder(const std::string &volumes_dir) {
  std::string path = starts_with(volumes_dir, "/") ? "" : ".";
  for (const std::string &part : split_any(volumes_dir, "/")) {
    path += "/" + part;
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
      throw Error("cannot create the volumes folder " + volumes_dir + ": " + std::strerror(errno));
  }
  int folder = ::open(volumes_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (folder < 0)
    throw Error("cannot open the volumes folder " + volumes_dir + ": " + std::strerror(errno));
  if (::flock(folder, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    ::close(folder);
    throw Error(error == EWOULDBLOCK
                    ? "another nvidia-docker-plugin uses the volumes folder " + volumes_dir +
                          ": stop it, or give this one another -d"
                    : "cannot lock the volumes folder " + volumes_dir + ": " + std::strerror(error));
  }
  // Kept open on purpose: closing it would release the lock.
}

// The driver volumes: the current version is the one discovery reports now;
// its files are read from the driver root only when a volume is built.
std::unique_ptr<VolumeStore> make_volume_store(const PluginOptions &options,
                                               const GpuDiscovery &discovery) {
  const std::string root = options.driver_root;
  log_line("provisioning volumes at " + options.volumes_dir);
  lock_volumes_folder(options.volumes_dir);
  auto store = std::make_unique<VolumeStore>(
      options.volumes_dir, [&discovery] { return discovery.snapshot()->driver_version; },
      [root](const std::string &version) { return plan_driver_volume(read_driver_facts(root, version)); },
      log_line);
  // Built now, so that the first container does not wait for it; with NVML,
  // a driver whose files cannot make a volume is an error to fix before
  // serving. An inventory only simulates GPUs: its volume may well be absent.
  try {
    store->create(store->current_version());
  } catch (const Error &error) {
    if (options.inventory.empty())
      throw;
    log_line(std::string("no driver volume yet (") + error.what() + ")");
  }
  return store;
}

void parse_options(CLI::App &app, PluginOptions &options, bool &show_version) {
  app.add_option("-l,--listen", options.listen,
                 "Address of the REST API: HOST:PORT, [IPV6]:PORT, or :PORT for every interface")
      ->capture_default_str();
  app.add_option("-d,--volumes-dir", options.volumes_dir,
                 "Folder of the driver volumes (nvidia_driver/<version>/{bin,lib,lib64})")
      ->capture_default_str();
  app.add_option("-s,--socket-dir", options.socket_dir,
                 "Folder of the Docker volume plugin socket (nvidia-docker.sock)")
      ->capture_default_str();
  app.add_option("--driver-root", options.driver_root,
                 "Where the NVIDIA driver is installed: its etc/ld.so.cache, libraries and "
                 "binaries (e.g. /run/nvidia/driver for a containerised driver)")
      ->capture_default_str()
      ->check(CLI::ExistingDirectory);
  app.add_option("--inventory", options.inventory,
                 "JSON description of the host's GPUs instead of NVML (see docs/inventory.md)")
      ->check(CLI::ExistingFile);
  app.add_flag("-v,--version", show_version, "Print the version and exit");
}

std::string shown_host(const std::string &host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

} // namespace

int plugin_main(int argc, char **argv) {
  PluginOptions options;
  CLI::App app{"nvidia-docker-plugin: discovers the host's GPUs, serves the NVIDIA driver "
               "volume to dockerd and the GPU REST API used by nvidia-docker",
               "nvidia-docker-plugin"};
  bool show_version = false;
  parse_options(app, options, show_version);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::ParseError &error) {
    print_error(std::string(error.what()) + " (see nvidia-docker-plugin --help)");
    return 1;
  }
  if (show_version) {
    std::cout << "nvidia-docker-plugin " << version << std::endl;
    return 0;
  }

  try {
    // Signals are taken by one thread with sigwait(), so the server threads
    // (which inherit this mask) never run a handler.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    ListenAddress address = parse_listen_address(options.listen);
    log_line(std::string("version ") + version + (options.inventory.empty()
                                                      ? ", driver root " + options.driver_root
                                                      : ", GPUs from " + options.inventory));
    std::unique_ptr<GpuDiscovery> discovery = make_discovery(options);

    PluginServer rest(*discovery, std::cerr);
    int port = rest.bind(address); // a busy address fails before anything is built
    std::unique_ptr<VolumeStore> store;
    std::unique_ptr<VolumePluginServer> volumes;
    try {
      store = make_volume_store(options, *discovery);
      volumes = std::make_unique<VolumePluginServer>(*store, std::cerr);
      log_line("serving the volume plugin API at " + volumes->bind(options.socket_dir));
    } catch (const Error &error) {
      // dockerd needs the volume driver on a GPU host. An inventory only
      // describes GPUs (a simulation, a demo as an ordinary user): REST alone.
      if (options.inventory.empty())
        throw;
      volumes.reset();
      log_line(std::string("not serving the volume plugin API: ") + error.what());
    }
    log_line("serving the REST API at " + shown_host(address.host) + ":" + std::to_string(port));

    // Either server ending ends both: dockerd without the volume API cannot
    // start GPU containers, nvidia-docker without REST cannot ask for GPUs.
    std::atomic<bool> finished{false};
    std::string failure;
    std::thread volume_thread([&] {
      if (!volumes)
        return;
      try {
        volumes->serve();
      } catch (const std::exception &error) {
        failure = std::string("the volume plugin API stopped: ") + error.what();
      }
      rest.stop();
    });
    std::thread signal_waiter([&] {
      int signal_number = 0;
      sigwait(&stop_signals, &signal_number);
      if (!finished)
        log_line(std::string("received ") + strsignal(signal_number) + ", stopping");
      if (volumes)
        volumes->stop();
      rest.stop();
    });
    bool rest_served = rest.serve();
    finished = true;
    if (volumes)
      volumes->stop();
    volume_thread.join();
    pthread_kill(signal_waiter.native_handle(), SIGTERM); // wakes it if no signal came
    signal_waiter.join();
    if (!rest_served && failure.empty())
      failure = "serving the REST API on " + options.listen + " failed";
    if (!failure.empty())
      throw Error(failure);
    log_line("stopped");
    return 0;
  } catch (const Error &error) {
    print_error(error.what());
    return error.exit_code();
  } catch (const std::exception &error) {
    print_error(std::string("unexpected failure: ") + error.what());
    return 1;
  }
}

} // namespace nvd
