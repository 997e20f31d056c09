// SPDX-License-Identifier: BSD-3-Clause
// The driver's programs as stand-ins: nvidia-smi, nvidia-debugdump,
// nvidia-persistenced, nvidia-cuda-mps-control, nvidia-cuda-mps-server (one
// static program under several names, for it runs in containers with no libc).
// It says plainly that it is a stand-in, which driver version it was installed
// with (the libnvidia-ml.so.<version> beside it) and which GPU device nodes it
// can see, so a test or a demo can show what reached a container.
//
// NVD_STAND_IN_DEV names another folder to look in than /dev (for the tests).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

std::string base_name(const std::string &path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string folder_of(const std::string &path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

std::string own_path() {
  std::vector<char> buffer(4096);
  ssize_t n = readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
  return n > 0 ? std::string(buffer.data(), static_cast<std::size_t>(n)) : std::string();
}

std::vector<std::string> names_in(const std::string &folder) {
  std::vector<std::string> names;
  if (DIR *dir = opendir(folder.c_str())) {
    while (const dirent *entry = readdir(dir))
      names.emplace_back(entry->d_name);
    closedir(dir);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// "535.104.05" for "libnvidia-ml.so.535.104.05"; "" for the SONAME link
// "libnvidia-ml.so.1" and anything else.
std::string driver_version_of(const std::string &name) {
  const std::string prefix = "libnvidia-ml.so.";
  if (name.compare(0, prefix.size(), prefix) != 0)
    return {};
  std::string version = name.substr(prefix.size());
  bool digits_and_dots =
      !version.empty() && version.find_first_not_of("0123456789.") == std::string::npos;
  return digits_and_dots && version.find('.') != std::string::npos ? version : std::string();
}

bool is_gpu_node(const std::string &name) {
  const std::string prefix = "nvidia";
  return name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
         name.find_first_not_of("0123456789", prefix.size()) == std::string::npos;
}

bool is_other_nvidia_node(const std::string &name) {
  return name == "nvidiactl" || name == "nvidia-uvm" || name == "nvidia-uvm-tools" ||
         name == "nvidia-modeset";
}

} // namespace

int main(int, char **argv) {
  const std::string program = base_name(argv[0] != nullptr ? argv[0] : "nvidia-smi");
  std::printf("%s: a stand-in for testing, not NVIDIA's program "
              "(there is no GPU and no NVIDIA driver behind it)\n",
              program.c_str());

  // In the driver volume the libraries sit in ../lib64; in an installed
  // driver tree in ../lib/x86_64-linux-gnu.
  const std::string above_bin = folder_of(folder_of(own_path()));
  std::string version, found_in;
  std::vector<std::string> searched;
  for (const char *relative : {"/lib64", "/lib/x86_64-linux-gnu", "/lib"}) {
    std::string folder = above_bin + relative;
    searched.push_back(folder);
    for (const auto &name : names_in(folder)) {
      std::string candidate = driver_version_of(name);
      if (!candidate.empty()) {
        version = candidate;
        found_in = folder + "/" + name;
        break;
      }
    }
    if (!version.empty())
      break;
  }
  if (version.empty()) {
    std::string where;
    for (const auto &folder : searched)
      where += (where.empty() ? "" : ", ") + folder;
    std::printf("Driver Version: unknown (no libnvidia-ml.so.<version> in %s)\n", where.c_str());
  } else {
    std::printf("Driver Version: %s (from %s)\n", version.c_str(), found_in.c_str());
  }

  const char *dev_override = std::getenv("NVD_STAND_IN_DEV");
  const std::string dev = dev_override != nullptr && *dev_override != '\0' ? dev_override : "/dev";
  std::string gpus, others;
  for (const auto &name : names_in(dev)) {
    if (is_gpu_node(name))
      gpus += " " + dev + "/" + name;
    else if (is_other_nvidia_node(name))
      others += " " + dev + "/" + name;
  }
  std::printf("GPU device nodes:%s\n", gpus.empty() ? " none" : gpus.c_str());
  std::printf("Other NVIDIA nodes:%s\n", others.empty() ? " none" : others.c_str());
  std::fflush(stdout);
  // As NVIDIA's nvidia-smi does when it cannot reach a driver.
  return version.empty() ? 9 : 0;
}
