// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/control_devices.hpp"

#include "nvd/common/child_process.hpp"
#include "nvd/common/error.hpp"
#include "nvd/common/program_finder.hpp"
#include "nvd/common/strings.hpp"

#include <cstdlib>
#include <sys/stat.h>

namespace nvd {

namespace {
constexpr const char *uvm_device = "/dev/nvidia-uvm";

bool is_character_device(const std::string &path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISCHR(info.st_mode);
}

std::string joined_root(const std::string &driver_root, const std::string &path) {
  if (driver_root.empty() || driver_root == "/")
    return path;
  return (ends_with(driver_root, "/") ? driver_root.substr(0, driver_root.size() - 1) : driver_root) + path;
}
} // namespace

std::vector<std::string> control_devices(const std::function<bool(const std::string &)> &exists) {
  std::vector<std::string> devices = {"/dev/nvidiactl", uvm_device};
  if (exists("/dev/nvidia-uvm-tools"))
    devices.push_back("/dev/nvidia-uvm-tools");
  return devices;
}

void ensure_uvm_device(const std::string &driver_root, std::ostream &log) {
  if (is_character_device(uvm_device))
    return;
  const char *path_variable = std::getenv("PATH");
  std::string search = path_variable != nullptr ? path_variable : "/usr/sbin:/usr/bin:/sbin:/bin";
  for (const char *folder : {"/usr/bin", "/usr/sbin", "/bin", "/sbin"})
    search += ":" + joined_root(driver_root, folder);
  std::optional<std::string> modprobe = find_program("nvidia-modprobe", search, self_executable());
  if (!modprobe)
    throw Error(std::string(uvm_device) +
                " is missing and nvidia-modprobe is not installed (looked on PATH and in the "
                "driver root's bin folders): load the module with `modprobe nvidia-uvm`, or "
                "install nvidia-modprobe, then start the plugin again");
  log << "nvidia-docker-plugin: loading NVIDIA unified memory (" + *modprobe + " -u -c=0)\n"
      << std::flush;
  ChildResult result = run_child(*modprobe, {*modprobe, "-u", "-c=0"}, {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"},
                                 ChildOutput::capture);
  if (!is_character_device(uvm_device)) {
    std::string said = result.err.substr(0, result.err.find('\n'));
    throw Error(std::string(uvm_device) + " is still missing after " + *modprobe + " -u -c=0 (exit " +
                std::to_string(result.status) + (said.empty() ? "" : ": " + printable(said)) +
                "): is the nvidia-uvm kernel module installed for this kernel?");
  }
}

} // namespace nvd
