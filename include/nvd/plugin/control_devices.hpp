// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace nvd {

// The control devices every GPU container gets, in the order they are handed
// out: /dev/nvidiactl, /dev/nvidia-uvm, and /dev/nvidia-uvm-tools where the
// host has it (older drivers and some kernels lack it).
std::vector<std::string> control_devices(const std::function<bool(const std::string &)> &exists);

// CUDA needs /dev/nvidia-uvm, which appears only once the nvidia-uvm module is
// loaded. When it is missing, runs `nvidia-modprobe -u -c=0` (found on PATH,
// then in the driver root's bin folders) as 1.0 did; throws Error when it is
// still missing. Device nodes are always the host's /dev.
void ensure_uvm_device(const std::string &driver_root, std::ostream &log);

} // namespace nvd
