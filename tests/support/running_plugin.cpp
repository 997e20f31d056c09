// SPDX-License-Identifier: BSD-3-Clause
#include "support/running_plugin.hpp"

#include <algorithm>
#include <chrono>
#include <regex>
#include <stdexcept>
#include <thread>

namespace nvd::test {

namespace {
bool starts_with(const std::string &text, const std::string &prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

std::vector<std::string> plugin_argv(const std::string &binary, const std::string &inventory,
                                     const std::vector<std::string> &extra_args,
                                     const TempDir &state) {
  std::vector<std::string> argv = {binary, "-l", "127.0.0.1:0"};
  if (!inventory.empty())
    argv.insert(argv.end(), {"--inventory", inventory});
  auto given = [&](const char *short_name, const char *long_name) {
    return std::find_if(extra_args.begin(), extra_args.end(), [&](const std::string &arg) {
             return arg == short_name || arg == long_name ||
                    starts_with(arg, std::string(long_name) + "=");
           }) != extra_args.end();
  };
  if (!given("-s", "--socket-dir"))
    argv.insert(argv.end(), {"-s", state.file("plugins")});
  if (!given("-d", "--volumes-dir"))
    argv.insert(argv.end(), {"-d", state.file("volumes")});
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  return argv;
}

} // namespace

RunningPlugin::RunningPlugin(const std::string &binary, const std::string &inventory,
                             const std::vector<std::string> &extra_args)
    : m_process(plugin_argv(binary, inventory, extra_args, m_state)) {
  wait_for_rest();
}

RunningPlugin::RunningPlugin(const PluginLaunch &launch)
    : m_socket_dir(launch.socket_dir.empty() ? m_state.file("plugins") : launch.socket_dir),
      m_volumes_dir(launch.volumes_dir.empty() ? m_state.file("volumes") : launch.volumes_dir),
      m_process(launch.command, launch.environment) {
  wait_for_rest();
}

void RunningPlugin::wait_for_rest() {
  // The whole line, newline included: a partial write would give a wrong port.
  static const std::regex listening("serving the REST API at 127\\.0\\.0\\.1:([0-9]+)\n");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::smatch match;
  std::string text;
  while (!std::regex_search(text = m_process.stderr_text(), match, listening)) {
    if (std::chrono::steady_clock::now() > deadline ||
        m_process.wait(std::chrono::milliseconds(0)) != -1)
      throw std::runtime_error("plugin did not start: " + text);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  m_port = std::stoi(match[1]);
}

int RunningPlugin::request_count() const {
  static const std::regex request("Z [A-Z]+ /");
  auto count_now = [&] {
    std::string text = m_process.stderr_text();
    return static_cast<int>(std::distance(std::sregex_iterator(text.begin(), text.end(), request),
                                          std::sregex_iterator()));
  };
  // The plugin logs a request once it has answered it, so its client may
  // finish first: counted again until the count holds for 50 ms (2 s at most).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  int count = count_now();
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    int again = count_now();
    if (again == count || std::chrono::steady_clock::now() > deadline)
      return again;
    count = again;
  }
}

} // namespace nvd::test
