// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// The sandbox the real-engine tests run in: a private PID, mount and network
// namespace whose /dev, /run and /proc are its own. A dockerd started inside
// it sees only the stand-in GPU nodes, finds the plugin socket in a private
// /run/docker/plugins, and dies with the namespace: when the test process
// ends, however it ends, the kernel kills every process left in it and drops
// every mount.

#include <optional>
#include <string>
#include <vector>

namespace nvd::test {

// A character device node made in the sandbox's /dev.
struct StandInNode {
  std::string name; // under /dev
  unsigned major;
  unsigned minor;
};

// The stand-in NVIDIA nodes: the control device, UVM and one node per GPU
// minor number.
std::vector<StandInNode> stand_in_nvidia_nodes(const std::vector<unsigned> &gpu_minors);

struct SandboxOptions {
  std::string label;              // names the temporary folder and the cgroup
  std::vector<StandInNode> nodes; // made in /dev
};

// Moves the calling program into a fresh sandbox. Call it first thing in
// main, before any thread exists. The calling process stays outside: it
// forks the process that continues from here inside the namespaces, forwards
// SIGINT/SIGTERM/SIGHUP to it, and once it has ended removes the folder and
// the cgroups, checks that no process or mount of the sandbox is left on the
// host, and exits with its status. It returns only in the sandboxed process,
// or where no sandbox could be made (then sandbox_unavailable() says why).
void enter_sandbox(const SandboxOptions &options);

// Why the sandbox could not be made (not root, no unshare, ...), or nullopt
// inside a working sandbox.
std::optional<std::string> sandbox_unavailable();

// The sandbox's own folder (on the host's file system, removed afterwards).
const std::string &sandbox_dir();

// The cgroup parent that the sandbox's dockerd puts containers under (removed
// afterwards): "/<name>".
std::string sandbox_cgroup_parent();

// Makes a tmpfs at `path` inside the sandbox (a second file system, for the
// volumes folder); unmount_path() undoes it.
void mount_tmpfs(const std::string &path);
void unmount_path(const std::string &path);

// Ends every other process in the sandbox at once (SIGKILL) and reaps them.
void kill_everything_else();

} // namespace nvd::test
