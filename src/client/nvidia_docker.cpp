// SPDX-License-Identifier: BSD-3-Clause
// nvidia-docker itself: a statically linked front that does the pass-through
// (no dynamic loader, no libc relocations: the cheapest exec there is) and
// hands run/create over to nvidia-docker-gpu, which needs dlopen and NSS.
#include "nvd/client/client_app.hpp"
#include "nvd/common/error.hpp"
#include "nvd/common/program_finder.hpp"

#include <unistd.h>

namespace nvd {

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

int front_main(int argc, char **argv) {
  FdOutput out(1), err(2);
  return report_error(err, [&] {
    Environment env = read_environment();
    std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
    // Looked for only by run and create: the pass-through pays nothing for it.
    auto helper = [] {
      std::string self = self_executable();
      std::optional<std::string> found = find_gpu_helper(self);
      if (!found)
        throw Error("the GPU helper nvidia-docker-gpu is missing beside " + self +
                    " and in ../lib/nvidia-docker: reinstall nvidia-docker");
      return *found;
    };
    ProcessExecutor executor;
    ClientEdges edges{executor, {}, {}, {}, {}, {}, {}, out, err, helper, {}, {}};
    return run_client(args, env, edges);
  });
}

} // namespace nvd

int main(int argc, char **argv) { return nvd::front_main(argc, argv); }
