// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/container_env.hpp"

#include "nvd/common/error.hpp"
#include "nvd/common/strings.hpp"

namespace nvd {
namespace {

void apply(std::map<std::string, std::string> &env, const std::string &entry, const Environment &host) {
  std::size_t equals = entry.find('=');
  if (equals != std::string::npos) {
    env[entry.substr(0, equals)] = entry.substr(equals + 1);
    return;
  }
  auto it = host.find(entry);
  if (it != host.end())
    env[entry] = it->second;
}

} // namespace

std::vector<std::string> parse_env_file(std::string_view text, const std::string &file,
                                        const Environment &host) {
  std::vector<std::string> entries;
  std::size_t number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos)
      end = text.size();
    std::string line(text.substr(start, end - start));
    start = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    line.erase(0, line.find_first_not_of(" \t"));
    if (line.empty() || line[0] == '#')
      continue;
    std::size_t equals = line.find('=');
    std::string name = line.substr(0, equals);
    if (name.empty() || name.find_first_of(" \t") != std::string::npos)
      throw Error("--env-file " + file + ": line " + std::to_string(number) +
                  ": variable \"" + printable(name) + "\" has white space or is empty");
    if (equals != std::string::npos) {
      entries.push_back(line);
    } else if (host.count(name)) {
      entries.push_back(name + "=" + host.at(name));
    }
  }
  return entries;
}

std::map<std::string, std::string> container_environment(
    const std::vector<std::string> &image_env, const CommandLine &line, const Environment &host,
    const std::function<std::optional<std::string>(const std::string &path)> &read_file) {
  std::map<std::string, std::string> env;
  for (const auto &entry : image_env)
    apply(env, entry, {});
  // docker reads every --env-file first, then the -e values, in order.
  for (const auto &use : line.container_flags) {
    if (use.name != "env-file" || !use.value)
      continue;
    std::optional<std::string> text = read_file ? read_file(*use.value) : std::nullopt;
    if (!text)
      throw Error("--env-file " + printable(*use.value) + ": cannot read it");
    for (const auto &entry : parse_env_file(*text, *use.value, host))
      apply(env, entry, host);
  }
  for (const auto &use : line.container_flags)
    if (use.name == "env" && use.value)
      apply(env, *use.value, host);
  return env;
}

} // namespace nvd
