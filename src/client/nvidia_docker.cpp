// SPDX-License-Identifier: BSD-3-Clause
// nvidia-docker itself, linked fully static (no dynamic loader, no libc
// relocations: the cheapest exec there is). It does the pass-through and the
// GPU path for this machine's plugin and daemon, and hands the commands that
// need libcurl or NVML, which a static glibc cannot load, to nvidia-docker-gpu.
#include "nvd/client/client_app.hpp"
#include "nvd/common/error.hpp"
#include "nvd/common/program_finder.hpp"

#include <unistd.h>

namespace {

std::optional<std::string> find_gpu_helper(const std::string &self) {
  std::string folder = self.substr(0, self.rfind('/'));
  // Beside us in a build tree; in <prefix>/lib/nvidia-docker once installed.
  for (const std::string &candidate :
       {folder + "/nvidia-docker-gpu", folder + "/../lib/nvidia-docker/nvidia-docker-gpu"})
    if (::access(candidate.c_str(), X_OK) == 0)
      return candidate;
  return std::nullopt;
}

} // namespace

// The start files' registration of the unwind entries, linked to these (see
// CMakeLists.txt): the unwinder then finds them through the --eh-frame-hdr
// table, as in a dynamic program. Only in the static build.
extern "C" {
void __wrap___register_frame_info(const void *, void *) {}
void *__wrap___deregister_frame_info(const void *) { return nullptr; }
}

int main(int argc, char **argv) {
  nvd::ProgramEdges program;
  program.remote_http = [](std::chrono::milliseconds, std::size_t) -> std::unique_ptr<nvd::HttpGetter> {
    throw nvd::NeedsGpuHelper{"the plugin is asked through libcurl (another host, or NV_USE_LIBCURL)"};
  };
  program.nvml = [](std::string &) -> std::optional<nvd::PluginGpuInfo> {
    throw nvd::NeedsGpuHelper{"the host's versions are read from NVML"};
  };
  // Looked for only when a command needs it: the pass-through pays nothing for it.
  program.gpu_helper = [] {
    std::string self = nvd::self_executable();
    std::optional<std::string> found = find_gpu_helper(self);
    if (!found)
      throw nvd::Error("the GPU helper nvidia-docker-gpu is missing beside " + self +
                       " and in ../lib/nvidia-docker: reinstall nvidia-docker");
    return *found;
  };
  return nvd::program_main(argc, argv, program);
}
