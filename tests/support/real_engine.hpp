// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// A real Docker engine for the tests: a dockerd of their own (its own data,
// exec root, socket, pidfile and configuration, all in one folder), started
// inside the sandbox of real_engine_sandbox.hpp, and the test images imported
// into it from a tarball of Debian's static busybox.

#include "support/process.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nvd::test {

using EnvironmentChanges = std::map<std::string, std::optional<std::string>>;

// A program on PATH (or in /usr/sbin, /sbin), or "" when there is none.
std::string find_program(const std::string &name);

// The docker client that nvidia-docker runs: the first `docker` on PATH.
std::string docker_client();

// The test images (all busybox, /bin/sh and its applets):
// the 1.0 labels (com.nvidia.volumes.needed, com.nvidia.cuda.version),
inline const std::string label_image = "nvd-test/cuda:1.0-labels";
// today's opt-in through the environment (NVIDIA_VISIBLE_DEVICES=all,
// NVIDIA_REQUIRE_CUDA, CUDA_VERSION), as nvidia/cuda images carry it,
inline const std::string env_image = "nvd-test/cuda:env-opt-in";
// and neither.
inline const std::string plain_image = "nvd-test/busybox:plain";
// What the GPU images require (the stand-in driver supports more).
inline const std::string label_image_cuda = "8.0";
inline const std::string env_image_cuda = "11.8.0";

class PrivateDockerd {
public:
  // Starts dockerd with everything under `root` (created if needed) and its
  // containers under `cgroup_parent`; returns at once: wait_until_ready().
  PrivateDockerd(const std::string &root, const std::string &cgroup_parent);
  // Removes every container, stops dockerd (SIGTERM, then SIGKILL).
  ~PrivateDockerd();
  PrivateDockerd(const PrivateDockerd &) = delete;
  PrivateDockerd &operator=(const PrivateDockerd &) = delete;

  // Waits until the engine answers GET /_ping; throws with its log when it
  // exits or does not answer within `timeout`.
  void wait_until_ready(std::chrono::milliseconds timeout = std::chrono::seconds(30));

  std::string socket_path() const { return m_root + "/docker.sock"; }
  std::string docker_host() const { return "unix://" + socket_path(); }
  // What a docker client needs to talk to this engine and nothing else:
  // DOCKER_HOST, a config folder of its own, no context or TLS settings.
  EnvironmentChanges client_environment() const;
  // Runs the docker client against this engine.
  Completed docker(const std::vector<std::string> &args,
                   std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;
  // The engine's log so far (for failure messages).
  std::string log() const;
  // Imports the three test images (label_image, env_image, plain_image) in
  // parallel from a busybox tarball (make_busybox_tarball).
  void import_test_images(const std::string &tarball) const;
  // Stops the engine now (the destructor then has nothing left to do).
  void stop();

private:
  std::string m_root;
  std::unique_ptr<Process> m_process;
};

// Builds a tarball of a busybox root file system (/bin/busybox and a link
// per applet) at `tarball`, using `work_dir` for the tree.
void make_busybox_tarball(const std::string &work_dir, const std::string &tarball);

// One request over a unix socket: the status code, 0 when nothing answered.
int unix_socket_get_status(const std::string &socket_path, const std::string &target);

} // namespace nvd::test
