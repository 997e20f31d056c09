// SPDX-License-Identifier: BSD-3-Clause
// nvidia-docker-gpu: the GPU path with what a static program cannot load,
// libcurl (a plugin on another host) and NVML. Dynamic; the front,
// nvidia-docker, execs it only for a run or create that needs one of them.
#include "nvd/client/client_app.hpp"
#include "nvd/client/system/nvml_host.hpp"
#include "nvd/client/transport/http_client.hpp"

int main(int argc, char **argv) {
  nvd::ProgramEdges program;
  program.remote_http = [](std::chrono::milliseconds timeout, std::size_t max_body) {
    return std::make_unique<nvd::HttpSession>(timeout, max_body);
  };
  program.nvml = [](std::string &why_not) { return nvd::read_nvml_host(why_not); };
  return nvd::program_main(argc, argv, program);
}
