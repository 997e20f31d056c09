// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/transport/ssh_command.hpp"

#include "nvd/common/error.hpp"
#include "nvd/common/strings.hpp"

namespace nvd {

std::vector<std::string> ssh_command_from(const Environment &env) {
  auto it = env.find("NV_SSH");
  if (it == env.end())
    return {"ssh"};
  std::vector<std::string> words = split_words(it->second);
  if (words.empty())
    throw Error("NV_SSH is set but blank: set it to the ssh command (e.g. NV_SSH='ssh -i "
                "~/.ssh/gpu_key') or unset it");
  return words;
}

std::vector<std::string> ssh_forward_argv(const std::vector<std::string> &ssh_command,
                                          const PluginEndpoint &endpoint, bool batch_mode,
                                          std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = ssh_command;
  if (batch_mode) {
    argv.emplace_back("-o");
    argv.emplace_back("BatchMode=yes");
  }
  long seconds = static_cast<long>((timeout.count() + 999) / 1000);
  argv.emplace_back("-o");
  argv.push_back("ConnectTimeout=" + std::to_string(seconds < 1 ? 1 : seconds));
  if (endpoint.ssh_port != default_ssh_port) {
    // Left out for 22, so that a Port in ~/.ssh/config still applies.
    argv.emplace_back("-p");
    argv.push_back(std::to_string(endpoint.ssh_port));
  }
  if (!endpoint.user.empty()) {
    argv.emplace_back("-l");
    argv.push_back(endpoint.user);
  }
  argv.emplace_back("-W");
  argv.push_back("localhost:" + std::to_string(endpoint.plugin_port));
  argv.emplace_back("--");
  argv.push_back(endpoint.host);
  return argv;
}

std::string explain_ssh_failure(std::string_view ssh_stderr, int exit_status,
                                const PluginEndpoint &endpoint) {
  auto said = [&](std::string_view text) { return ssh_stderr.find(text) != std::string_view::npos; };
  std::string where = endpoint.host + ":" + std::to_string(endpoint.ssh_port);
  std::string port = std::to_string(endpoint.plugin_port);
  if (said("REMOTE HOST IDENTIFICATION HAS CHANGED"))
    return "the host key of " + where + " has changed (ssh: Host key verification failed); if "
           "the change is expected, remove the old key from known_hosts";
  if (said("Host key verification failed"))
    return "the host key of " + where + " is not known (ssh: Host key verification failed); "
           "check it and add it to known_hosts, e.g. by connecting once with ssh";
  if (said("Permission denied"))
    return "ssh authentication to " + where + " failed (Permission denied); load your key "
           "into ssh-agent, or name it with NV_SSH='ssh -i KEY'";
  if (said("Could not resolve hostname"))
    return "cannot resolve " + endpoint.host + " (ssh: Could not resolve hostname)";
  if (said("Connection refused") && said("connect to host"))
    return "the SSH server at " + where + " refused the connection";
  if (said("timed out"))
    return "no answer from the SSH server at " + where + " (ssh: connection timed out)";
  if (said("open failed") || said("connect failed") || said("forwarding failed"))
    return "connected to " + where + ", but nothing listens on the plugin port " + port +
           " on the remote host: is nvidia-docker-plugin running there?";
  if (exit_status != 0) {
    std::string last;
    for (const auto &line : split_any(ssh_stderr, "\r\n"))
      last = line;
    return "ssh to " + where + " failed (exit status " + std::to_string(exit_status) + ")" +
           (last.empty() ? "" : ": " + printable(last));
  }
  return "";
}

} // namespace nvd
