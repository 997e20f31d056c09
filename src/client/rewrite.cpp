// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/rewrite.hpp"

#include "nvd/common/error.hpp"

namespace nvd {

std::vector<std::string> insert_before_image(const CommandLine &line,
                                             const std::vector<std::string> &extra) {
  if (line.options_end == npos || line.options_end > line.args.size())
    throw Error("internal error: no place for the GPU arguments in the command");
  std::vector<std::string> args;
  args.reserve(line.args.size() + extra.size());
  auto cut = line.args.begin() + static_cast<std::ptrdiff_t>(line.options_end);
  args.insert(args.end(), line.args.begin(), cut);
  args.insert(args.end(), extra.begin(), extra.end());
  args.insert(args.end(), cut, line.args.end());
  return args;
}

std::vector<std::string> docker_argv(const std::vector<std::string> &docker_command,
                                     const std::vector<std::string> &args) {
  std::vector<std::string> argv = docker_command;
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

} // namespace nvd
