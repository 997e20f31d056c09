// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/client/grammar/command_line.hpp"
#include "nvd/client/image_config.hpp"
#include "nvd/client/settings.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nvd {

// How GPUs are handed to a container.
enum class Backend {
  plugin,  // nvidia-docker-plugin's devices and driver volume (1.0)
  cdi,     // --device nvidia.com/gpu=…
  gpus,    // docker's --gpus
  runtime, // --runtime=nvidia -e NVIDIA_VISIBLE_DEVICES=…
};

std::string backend_name(Backend backend);

// NV_BACKEND: auto (nullopt), plugin, cdi, gpus or runtime. Throws Error.
std::optional<Backend> backend_from(const Environment &env);

// Which GPUs the container gets.
struct GpuSelection {
  enum class Kind { all, none, listed };
  Kind kind = Kind::all;
  std::vector<std::string> ids; // listed: indexes or UUIDs
  std::string origin;           // "NV_GPU", "NVIDIA_VISIBLE_DEVICES", "default"
};

// Whether an image wants GPUs, and what it asks for.
struct GpuRequest {
  bool wanted = false;
  std::string reason;               // why, for NV_DEBUG
  LabelRequest labels;              // the 1.0 labels
  std::vector<std::pair<std::string, std::string>> requirements; // NVIDIA_REQUIRE_* and their values
  bool requirements_disabled = false;
  GpuSelection selection;
};

// Decides from the 1.0 labels, the container's environment and NV_GPU (which
// wins over the image's NVIDIA_VISIBLE_DEVICES). Throws Error for a bad NV_GPU.
GpuRequest gpu_request(const LabelRequest &labels, const std::map<std::string, std::string> &container_env,
                       const Environment &host);

// Whether the command already asks for GPUs itself (--gpus, --runtime=nvidia,
// a nvidia.com/gpu device, -e NVIDIA_VISIBLE_DEVICES): then it gets no second
// set. Returns what it asks with, or "".
std::string command_gpu_request(const CommandLine &line);

// What the daemon offers, from the Engine API's /info.
struct DaemonInfo {
  std::vector<std::string> runtimes;
  std::vector<std::string> cdi_devices; // discovered CDI device names
  std::vector<std::string> cdi_spec_dirs;
};

// Reads GET /info; tolerates fields an older API version lacks. Throws Error.
DaemonInfo parse_daemon_info(std::string_view json_text);

// Docker clients before 25.0 read --device=nvidia.com/gpu=N as a path and refuse it.
inline constexpr int cdi_client_major = 25;

// "" when the docker client whose `--version` printed `version_line` can ask
// for CDI devices; otherwise why not, in words. docker's own line reads
// "Docker version 20.10.24+dfsg1, build 297e128"; any other (podman, a
// wrapper script) is taken to be able to: nvidia-docker cannot know better.
std::string cdi_refusal_for_client(std::string_view version_line);

// The docker arguments of the cdi, gpus and runtime backends.
std::vector<std::string> backend_arguments(Backend backend, const GpuSelection &selection);

} // namespace nvd
