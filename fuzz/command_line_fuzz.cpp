// SPDX-License-Identifier: BSD-3-Clause
// docker's grammar: arguments are the input split on NUL bytes. Whatever the
// input, parsing ends, and a rewrite keeps every argument, in order, with the
// GPU arguments before the image.
#include "nvd/client/grammar/command_line.hpp"
#include "nvd/client/rewrite.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::vector<std::string> args;
  std::string current;
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      args.push_back(current);
      current.clear();
    } else {
      current += static_cast<char>(data[i]);
    }
  }
  args.push_back(current);

  nvd::ParseResult result = nvd::parse_command_line(args);
  if (result.failure || result.line.image_index == nvd::npos)
    return 0;
  const nvd::CommandLine &line = result.line;
  if (line.image_index >= args.size() || line.options_end > line.image_index ||
      line.command_index >= line.options_end)
    std::abort();
  std::vector<std::string> extra = {"--device=/dev/nvidia0"};
  std::vector<std::string> rewritten = nvd::insert_before_image(line, extra);
  if (rewritten.size() != args.size() + 1 || rewritten[line.options_end] != extra[0])
    std::abort();
  for (size_t i = 0, j = 0; i < args.size(); ++i, ++j) {
    if (j == line.options_end)
      ++j;
    if (rewritten[j] != args[i])
      std::abort();
  }
  return 0;
}
