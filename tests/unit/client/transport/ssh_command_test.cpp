// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/common/error.hpp"
#include "nvd/client/transport/ssh_command.hpp"

#include "support/args.hpp"
#include "support/errors.hpp"

#include <gtest/gtest.h>

using namespace nvd;
using nvd::test::error_of;
using nvd::test::words;

namespace {
PluginEndpoint remote(const char *value) { return parse_nv_host(value); }
} // namespace

TEST(SshCommand, NvSshIsSplitLikeGitSshCommand) {
  EXPECT_EQ(ssh_command_from({}), std::vector<std::string>{"ssh"});
  EXPECT_EQ(ssh_command_from({{"NV_SSH", "ssh -i /k  -o X=1"}}), words("ssh -i /k -o X=1"));
  EXPECT_EQ(error_of([] { ssh_command_from({{"NV_SSH", "  "}}); }),
            "NV_SSH is set but blank: set it to the ssh command (e.g. NV_SSH='ssh -i ~/.ssh/gpu_key') or unset it");
}

TEST(SshCommand, ForwardArguments) {
  using std::chrono::milliseconds;
  EXPECT_EQ(ssh_forward_argv({"ssh"}, remote("ssh://me@gpu1:2222:3477"), true, milliseconds(10000)),
            words("ssh -o BatchMode=yes -o ConnectTimeout=10 -p 2222 -l me -W localhost:3477 -- gpu1"));
  // Port 22 and no user: left to ~/.ssh/config; a timeout under a second rounds up.
  EXPECT_EQ(ssh_forward_argv({"ssh", "-F", "/c"}, remote("ssh://gpu1"), false, milliseconds(300)),
            words("ssh -F /c -o ConnectTimeout=1 -W localhost:3476 -- gpu1"));
  EXPECT_EQ(ssh_forward_argv({"ssh"}, remote("ssh://[::1]:2200:"), false, milliseconds(2500)),
            words("ssh -o ConnectTimeout=3 -p 2200 -W localhost:3476 -- ::1"));
}

TEST(SshCommand, FailuresAreExplained) {
  PluginEndpoint e = remote("ssh://me@gpu1:2222:3477");
  struct Case {
    const char *said;
    int status;
    std::string explained;
  } cases[] = {
      {"@@@@@@@@@@@\r\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\r\nHost key verification failed.\r\n", 255,
       "the host key of gpu1:2222 has changed (ssh: Host key verification failed); if the change is "
       "expected, remove the old key from known_hosts"},
      {"No ED25519 host key is known for [gpu1]:2222.\r\nHost key verification failed.\r\n", 255,
       "the host key of gpu1:2222 is not known (ssh: Host key verification failed); check it and add it "
       "to known_hosts, e.g. by connecting once with ssh"},
      {"me@gpu1: Permission denied (publickey).\r\n", 255,
       "ssh authentication to gpu1:2222 failed (Permission denied); load your key into ssh-agent, or "
       "name it with NV_SSH='ssh -i KEY'"},
      {"ssh: Could not resolve hostname gpu1: Name or service not known\r\n", 255,
       "cannot resolve gpu1 (ssh: Could not resolve hostname)"},
      {"ssh: connect to host gpu1 port 2222: Connection refused\r\n", 255,
       "the SSH server at gpu1:2222 refused the connection"},
      {"ssh: connect to host gpu1 port 2222: Connection timed out\r\n", 255,
       "no answer from the SSH server at gpu1:2222 (ssh: connection timed out)"},
      {"channel 0: open failed: connect failed: Connection refused\r\nstdio forwarding failed\r\n", 255,
       "connected to gpu1:2222, but nothing listens on the plugin port 3477 on the remote host: is "
       "nvidia-docker-plugin running there?"},
      {"kex_exchange_identification: read: Connection reset by peer\r\n", 255,
       "ssh to gpu1:2222 failed (exit status 255): kex_exchange_identification: read: Connection reset by peer"},
      {"", 0, ""},
  };
  for (const auto &c : cases)
    EXPECT_EQ(explain_ssh_failure(c.said, c.status, e), c.explained) << c.said;
}
