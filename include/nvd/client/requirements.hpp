// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/client/cuda_version.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nvd {

// One condition of NVIDIA_REQUIRE_*: "cuda>=12.4", "driver<471", "brand=tesla", "arch=8.0".
struct Constraint {
  std::string key; // cuda, driver, arch, brand
  std::string op;  // = != < <= > >=
  std::string value;
  std::string text; // as written
};

// Space-separated alternatives, each a comma-separated conjunction.
struct Requirement {
  std::string variable; // e.g. NVIDIA_REQUIRE_CUDA
  std::vector<std::vector<Constraint>> alternatives;
};

// Parses a requirement; throws Error naming the variable and the constraint.
Requirement parse_requirement(const std::string &variable, std::string_view text);

// What a host offers, for the check.
struct GpuFacts {
  std::string brand; // lower case: tesla, quadro, geforce, nvidia, nvidiartx, titan, unknown
  std::string arch;  // compute capability, e.g. "8.0"
};
struct HostFacts {
  Version driver;
  Version cuda;
  std::vector<GpuFacts> gpus; // the GPUs the container gets
};

// The brand NVML would report, from a model name ("Tesla V100-SXM2-16GB" -> tesla).
std::string brand_from_model(std::string_view model);

// "" when some alternative holds for every GPU; otherwise the first unmet
// condition and the host's value: "unsatisfied condition: cuda>=12.4 (this
// host's driver supports CUDA 12.2)".
std::string check_requirement(const Requirement &requirement, const HostFacts &host);

} // namespace nvd
