// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/client/plugin_answer.hpp"

#include <optional>
#include <string>

namespace nvd {

// The toolkit's name for an NVML brand number ("tesla", "geforcertx"…).
std::string nvml_brand_name(int brand);

// "12.2" from NVML's CUDA driver version number (12020).
std::string nvml_cuda_version(int version);

// This machine's driver, CUDA version and GPUs, read through NVML
// (libnvidia-ml.so.1, loaded with dlopen only when called). nullopt, with
// `why_not` set, when NVML is not there or fails.
std::optional<PluginGpuInfo> read_nvml_host(std::string &why_not);

} // namespace nvd
