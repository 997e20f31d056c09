// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/client/host_address.hpp"
#include "nvd/client/settings.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace nvd {

// NV_SSH split on white space (as GIT_SSH_COMMAND); "ssh" when unset.
// Throws Error when set but blank.
std::vector<std::string> ssh_command_from(const Environment &env);

// The ssh invocation that turns its stdin/stdout into a stream to the plugin
// port on the remote host's loopback (`ssh -W localhost:PORT`). `batch_mode`:
// no terminal to prompt on, so ssh must fail rather than wait.
std::vector<std::string> ssh_forward_argv(const std::vector<std::string> &ssh_command,
                                          const PluginEndpoint &endpoint, bool batch_mode,
                                          std::chrono::milliseconds timeout);

// What went wrong, from ssh's stderr and exit status, as a sentence with what
// to do; "" when ssh said nothing that explains a failure.
std::string explain_ssh_failure(std::string_view ssh_stderr, int exit_status,
                                const PluginEndpoint &endpoint);

} // namespace nvd
