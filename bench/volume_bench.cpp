// SPDX-License-Identifier: BSD-3-Clause
// Building the driver volume: a driver tree of real size (about 60 files, the
// sizes of a 535 driver's, sparse so that the bench costs no disk), hard
// linked into a fresh volumes folder, N times; and a Mount of the volume once
// it is there, through the plugin API and the store. Target: the build under 50 ms.
// Usage: nvd_bench_volume [builds] [--copy: also onto /dev/shm, by copying]

#include "nvd/plugin/volumes/volume_api.hpp"
#include "nvd/plugin/volumes/volume_builder.hpp"
#include "nvd/plugin/volumes/volume_folder.hpp"
#include "nvd/plugin/volumes/volume_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct DriverFile {
  const char *folder; // bin, lib64 or lib
  const char *name;   // without the version
  const char *soname; // nullptr: no SONAME link
  double megabytes;
};

// The files of a 535 driver's volume, with their sizes.
const DriverFile driver_files[] = {
    {"bin", "nvidia-smi", nullptr, 0.7},
    {"bin", "nvidia-debugdump", nullptr, 0.2},
    {"bin", "nvidia-persistenced", nullptr, 0.06},
    {"bin", "nvidia-cuda-mps-control", nullptr, 0.05},
    {"bin", "nvidia-cuda-mps-server", nullptr, 0.02},
    {"lib64", "libcuda.so", "libcuda.so.1", 29.0},
    {"lib64", "libnvidia-ml.so", "libnvidia-ml.so.1", 1.9},
    {"lib64", "libnvidia-ptxjitcompiler.so", "libnvidia-ptxjitcompiler.so.1", 22.0},
    {"lib64", "libnvidia-nvvm.so", "libnvidia-nvvm.so.4", 61.0},
    {"lib64", "libnvidia-allocator.so", "libnvidia-allocator.so.1", 0.2},
    {"lib64", "libcudadebugger.so", "libcudadebugger.so.1", 10.0},
    {"lib64", "libnvidia-opencl.so", "libnvidia-opencl.so.1", 26.0},
    {"lib64", "libnvidia-cfg.so", "libnvidia-cfg.so.1", 0.3},
    {"lib64", "libnvidia-nscq.so", "libnvidia-nscq.so.2", 6.0},
    {"lib64", "libnvidia-pkcs11.so", "libnvidia-pkcs11.so.1", 0.1},
    {"lib64", "libnvidia-pkcs11-openssl3.so", "libnvidia-pkcs11-openssl3.so.1", 0.1},
    {"lib64", "libvdpau_nvidia.so", "libvdpau_nvidia.so.1", 0.6},
    {"lib64", "libnvidia-encode.so", "libnvidia-encode.so.1", 0.2},
    {"lib64", "libnvcuvid.so", "libnvcuvid.so.1", 10.0},
    {"lib64", "libnvidia-opticalflow.so", "libnvidia-opticalflow.so.1", 0.06},
    {"lib64", "libnvidia-fbc.so", "libnvidia-fbc.so.1", 0.1},
    {"lib64", "libnvidia-eglcore.so", "libnvidia-eglcore.so.1", 30.0},
    {"lib64", "libnvidia-glcore.so", nullptr, 40.0},
    {"lib64", "libnvidia-tls.so", nullptr, 0.02},
    {"lib64", "libnvidia-glsi.so", nullptr, 0.7},
    {"lib64", "libnvidia-rtcore.so", nullptr, 70.0},
    {"lib64", "libnvoptix.so", "libnvoptix.so.1", 90.0},
    {"lib64", "libGLX_nvidia.so", "libGLX_nvidia.so.0", 1.2},
    {"lib64", "libEGL_nvidia.so", "libEGL_nvidia.so.0", 1.3},
    {"lib64", "libGLESv2_nvidia.so", "libGLESv2_nvidia.so.2", 0.1},
    {"lib64", "libGLESv1_CM_nvidia.so", "libGLESv1_CM_nvidia.so.1", 0.07},
    {"lib64", "libnvidia-glvkspirv.so", nullptr, 20.0},
    {"lib64", "libnvidia-gpucomp.so", nullptr, 60.0},
    {"lib", "libcuda.so", "libcuda.so.1", 24.0},
    {"lib", "libnvidia-ml.so", "libnvidia-ml.so.1", 1.8},
    {"lib", "libnvidia-ptxjitcompiler.so", "libnvidia-ptxjitcompiler.so.1", 18.0},
    {"lib", "libnvidia-nvvm.so", "libnvidia-nvvm.so.4", 55.0},
    {"lib", "libnvidia-allocator.so", "libnvidia-allocator.so.1", 0.2},
    {"lib", "libnvidia-opencl.so", "libnvidia-opencl.so.1", 22.0},
    {"lib", "libvdpau_nvidia.so", "libvdpau_nvidia.so.1", 0.5},
    {"lib", "libnvidia-encode.so", "libnvidia-encode.so.1", 0.2},
    {"lib", "libnvcuvid.so", "libnvcuvid.so.1", 8.0},
    {"lib", "libnvidia-opticalflow.so", "libnvidia-opticalflow.so.1", 0.05},
    {"lib", "libnvidia-fbc.so", "libnvidia-fbc.so.1", 0.1},
    {"lib", "libnvidia-eglcore.so", "libnvidia-eglcore.so.1", 28.0},
    {"lib", "libnvidia-glcore.so", nullptr, 38.0},
    {"lib", "libnvidia-tls.so", nullptr, 0.02},
    {"lib", "libnvidia-glsi.so", nullptr, 0.6},
    {"lib", "libGLX_nvidia.so", "libGLX_nvidia.so.0", 1.1},
    {"lib", "libEGL_nvidia.so", "libEGL_nvidia.so.0", 1.2},
    {"lib", "libGLESv2_nvidia.so", "libGLESv2_nvidia.so.2", 0.1},
    {"lib", "libGLESv1_CM_nvidia.so", "libGLESv1_CM_nvidia.so.1", 0.06},
    {"lib", "libnvidia-glvkspirv.so", nullptr, 18.0},
    {"lib", "libnvidia-gpucomp.so", nullptr, 55.0},
    {"lib64", "libnvidia-api.so", "libnvidia-api.so.1", 0.5},
    {"lib64", "libnvidia-vulkan-producer.so", nullptr, 0.1},
    {"lib64", "libnvidia-wayland-client.so", nullptr, 0.05},
    {"lib64", "libnvidia-egl-gbm.so", "libnvidia-egl-gbm.so.1", 0.03},
    {"lib64", "libnvidia-egl-wayland.so", "libnvidia-egl-wayland.so.1", 0.05},
    {"lib64", "libnvidia-ngx.so", "libnvidia-ngx.so.1", 4.0},
};

const std::string version = "535.104.05";

// A sparse file of the given size with a small header of real bytes.
void make_file(const std::string &path, double megabytes, mode_t mode) {
  fs::create_directories(fs::path(path).parent_path());
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    std::perror(path.c_str());
    std::exit(1);
  }
  const char header[] = "\x7f"
                        "ELF stand-in driver file";
  if (::write(fd, header, sizeof header) < 0 ||
      ::ftruncate(fd, static_cast<off_t>(megabytes * 1024 * 1024)) != 0) {
    std::perror(path.c_str());
    std::exit(1);
  }
  ::close(fd);
}

nvd::VolumePlan make_driver(const std::string &root, double scale) {
  nvd::VolumePlan plan;
  plan.version = version;
  for (const DriverFile &file : driver_files) {
    bool binary = std::string(file.folder) == "bin";
    std::string name = binary ? file.name : std::string(file.name) + "." + version;
    std::string source = root +
                         (binary                                ? "/usr/bin/"
                          : std::string(file.folder) == "lib64" ? "/usr/lib/x86_64-linux-gnu/"
                                                                : "/usr/lib/i386-linux-gnu/") +
                         name;
    make_file(source, file.megabytes * scale, binary ? 0755 : 0644);
    std::string folder = file.folder;
    plan.entries.push_back({nvd::VolumeEntry::Kind::file, folder + "/" + name, source});
    if (file.soname != nullptr)
      plan.entries.push_back({nvd::VolumeEntry::Kind::symlink, folder + "/" + file.soname, name});
    if (std::string(file.name) == "libcuda.so")
      plan.entries.push_back({nvd::VolumeEntry::Kind::symlink, folder + "/libcuda.so", name});
  }
  std::sort(plan.entries.begin(), plan.entries.end(),
            [](const nvd::VolumeEntry &a, const nvd::VolumeEntry &b) { return a.path < b.path; });
  return plan;
}

std::string temp_folder(const std::string &base) {
  std::string pattern = base + "/nvd-volume-bench-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    std::perror(pattern.c_str());
    std::exit(1);
  }
  return pattern;
}

struct Figures {
  double median, p90, min;
};

Figures figures(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  return {samples[samples.size() / 2], samples[samples.size() * 9 / 10], samples.front()};
}

void bench_builds(const char *label, const nvd::VolumePlan &plan, const std::string &volumes,
                  int builds) {
  std::vector<double> ms;
  nvd::VolumeBuild last;
  for (int i = 0; i < builds; ++i) {
    nvd::remove_volume(volumes, version);
    auto start = Clock::now();
    last = nvd::build_volume(plan, volumes);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  Figures f = figures(ms);
  std::printf("%-44s median %7.2f ms   p90 %7.2f ms   min %7.2f ms   (%zu hard links, %zu "
              "reflinks, %zu copies, %zu symlinks; %d builds)\n",
              label, f.median, f.p90, f.min, last.hard_links, last.clones, last.copies,
              last.symlinks, builds);
}

} // namespace

int main(int argc, char **argv) {
  int builds = argc > 1 ? std::atoi(argv[1]) : 50;
  bool copy = argc > 2 && std::string(argv[2]) == "--copy";
  if (builds < 1)
    builds = 1;
  const char *tmp = std::getenv("TMPDIR");
  std::string root = temp_folder(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp");
  nvd::VolumePlan plan = make_driver(root + "/driver", 1.0);
  std::size_t files = 0;
  for (const nvd::VolumeEntry &entry : plan.entries)
    files += entry.kind == nvd::VolumeEntry::Kind::file ? 1 : 0;
  std::printf("driver volume of %zu files and %zu symlinks (a 535 driver's sizes, sparse)\n", files,
              plan.entries.size() - files);

  std::string volumes = root + "/volumes";
  bench_builds("build, hard links (target < 50 ms):", plan, volumes, builds);

  // The cost a request pays once the volume is there: Mount through the API and the store.
  {
    nvd::VolumeStore store(
        volumes, [] { return version; }, [&](const std::string &) { return plan; });
    std::vector<double> us;
    const std::string body = "{\"Name\":\"nvidia_driver_" + version + "\",\"ID\":\"c\"}";
    for (int i = 0; i < 2000; ++i) {
      auto start = Clock::now();
      nvd::PluginApiAnswer answer =
          nvd::answer_plugin_request(store, "POST", "/VolumeDriver.Mount", body);
      us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
      if (answer.status != 200 || !answer.error.empty()) {
        std::fprintf(stderr, "Mount failed: %s\n", answer.body.c_str());
        return 1;
      }
    }
    Figures f = figures(us);
    std::printf("%-44s median %7.1f us   p90 %7.1f us   min %7.1f us   (2000 requests)\n",
                "Mount of the built volume (API + store):", f.median, f.p90, f.min);
  }

  if (copy) {
    // On a tmpfs: another file system, so every file is copied. A tenth of
    // the real sizes, so that the bench does not fill the machine's memory.
    nvd::VolumePlan small = make_driver(root + "/small-driver", 0.1);
    std::string shm = temp_folder("/dev/shm");
    bench_builds("build, copies onto /dev/shm (sizes / 10):", small, shm + "/volumes",
                 std::min(builds, 10));
    fs::remove_all(shm);
  }
  fs::remove_all(root);
  return 0;
}
