// SPDX-License-Identifier: BSD-3-Clause
#include "support/sshd.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace nvd::test {
namespace {

const char *sshd_binary = "/usr/sbin/sshd";

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

bool accepts_connections(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

void keygen(const std::string &path) {
  Completed result = run_program({"/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", path});
  if (result.status != 0)
    throw std::runtime_error("ssh-keygen failed: " + result.err);
}

} // namespace

std::string LoopbackSshd::unavailable_reason() {
  if (::access(sshd_binary, X_OK) != 0)
    return std::string(sshd_binary) + " is missing (Debian package openssh-server)";
  if (::access("/usr/bin/ssh", X_OK) != 0 || ::access("/usr/bin/ssh-keygen", X_OK) != 0)
    return "ssh or ssh-keygen is missing (Debian package openssh-client)";
  return "";
}

LoopbackSshd::LoopbackSshd() {
  passwd *entry = ::getpwuid(::getuid());
  m_user = entry != nullptr ? entry->pw_name : "root";
  keygen(m_dir.file("host_key"));
  keygen(m_dir.file("user_key"));
  keygen(m_dir.file("other_key"));
  write_file(m_dir.file("authorized_keys"), read_file(m_dir.file("user_key.pub")));
  ::chmod(m_dir.file("authorized_keys").c_str(), 0600);
  if (::getuid() == 0)
    ::mkdir("/run/sshd", 0755); // privilege separation needs it when sshd runs as root

  for (int attempt = 0; attempt < 5 && m_port == 0; ++attempt) {
    int port = free_port();
    write_file(m_dir.file("sshd_config"),
               "Port " + std::to_string(port) + "\nListenAddress 127.0.0.1\n" +
                   "HostKey " + m_dir.file("host_key") + "\nAuthorizedKeysFile " +
                   m_dir.file("authorized_keys") + "\nPidFile " + m_dir.file("sshd.pid") +
                   "\nUsePAM no\nStrictModes no\nPasswordAuthentication no\n"
                   "KbdInteractiveAuthentication no\nAllowTcpForwarding yes\n"
                   "PermitRootLogin prohibit-password\nLogLevel ERROR\n");
    m_process = std::make_unique<Process>(
        std::vector<std::string>{sshd_binary, "-D", "-e", "-f", m_dir.file("sshd_config")});
    for (int i = 0; i < 200; ++i) {
      if (accepts_connections(port)) {
        m_port = port;
        break;
      }
      if (m_process->wait(std::chrono::milliseconds(0)) != -1)
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  if (m_port == 0)
    throw std::runtime_error("sshd did not start: " + m_process->stderr_text());
  write_file(m_dir.file("known_hosts"),
             "[127.0.0.1]:" + std::to_string(m_port) + " " + read_file(m_dir.file("host_key.pub")));
  write_file(m_dir.file("empty_known_hosts"), "");
}

std::string LoopbackSshd::ssh_command() const {
  return "/usr/bin/ssh -F /dev/null -o UserKnownHostsFile=" + m_dir.file("known_hosts") +
         " -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -o IdentityAgent=none -i " +
         m_dir.file("user_key");
}

std::string LoopbackSshd::ssh_command_unknown_host() const {
  return "/usr/bin/ssh -F /dev/null -o UserKnownHostsFile=" + m_dir.file("empty_known_hosts") +
         " -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -o IdentityAgent=none -i " +
         m_dir.file("user_key");
}

std::string LoopbackSshd::ssh_command_wrong_key() const {
  return "/usr/bin/ssh -F /dev/null -o UserKnownHostsFile=" + m_dir.file("known_hosts") +
         " -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -o IdentityAgent=none -i " +
         m_dir.file("other_key");
}

std::string LoopbackSshd::nv_host(int plugin_port) const {
  return "ssh://" + m_user + "@127.0.0.1:" + std::to_string(m_port) + ":" +
         std::to_string(plugin_port);
}

} // namespace nvd::test
