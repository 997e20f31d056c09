// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/nvml/gpu_figures.hpp"

#include "nvd/plugin/nvml/nvml_abi.hpp"

#include <cctype>
#include <cstdio>

namespace nvd::nvml {

std::optional<std::string> gpu_family(int major, int minor) {
  switch (major) {
  case 1:
    return "Tesla";
  case 2:
    return "Fermi";
  case 3:
    return "Kepler";
  case 5:
    return "Maxwell";
  case 6:
    return "Pascal";
  case 7:
    return minor < 5 ? "Volta" : "Turing";
  case 8:
    return minor == 9 ? "Ada" : "Ampere";
  case 9:
    return "Hopper";
  case 10: // data centre (10.x), Thor (11.0) and workstation/consumer (12.x) parts
  case 11:
  case 12:
    return "Blackwell";
  default:
    return std::nullopt;
  }
}

std::optional<unsigned> cores_per_multiprocessor(int major, int minor) {
  switch (major) {
  case 1:
    return 8;
  case 2:
    return minor == 0 ? 32 : 48;
  case 3:
    return 192;
  case 5:
    return 128;
  case 6:
    return minor == 0 ? 64 : 128;
  case 7:
    return 64;
  case 8:
    return minor == 0 ? 64 : 128;
  case 9:
  case 10:
  case 11:
  case 12:
    return 128;
  default:
    return std::nullopt;
  }
}

std::optional<unsigned> pcie_bandwidth_mbps(unsigned generation, unsigned width) {
  // Usable MB/s per lane after line encoding (8b/10b, then 128b/130b, then FLIT).
  static const unsigned per_lane[] = {0, 250, 500, 985, 1969, 3938, 7563};
  if (generation == 0 || generation >= sizeof per_lane / sizeof per_lane[0] || width == 0)
    return std::nullopt;
  return per_lane[generation] * width;
}

unsigned long long memory_bandwidth_mbps(unsigned bus_width_bits, unsigned memory_clock_mhz) {
  return 2ull * bus_width_bits * memory_clock_mhz / 8;
}

std::optional<int> p2p_link_from_topology_level(int level) {
  switch (level) {
  case topology_system:
    return 1; // across CPU sockets
  case topology_node:
    return 2; // same CPU socket
  case topology_hostbridge:
    return 3;
  case topology_multiple:
    return 4;
  case topology_single:
    return 5;
  case topology_internal:
    return 6; // same board
  default:
    return std::nullopt;
  }
}

int p2p_link_from_nvlinks(unsigned count) { return 6 + static_cast<int>(count); }

std::string cuda_version_text(int version) {
  return std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 10);
}

std::string pci_bus_id(unsigned domain, unsigned bus, unsigned device) {
  char text[32];
  std::snprintf(text, sizeof text, "%08X:%02X:%02X.0", domain, bus & 0xffu, device & 0xffu);
  return text;
}

std::optional<std::string> sysfs_pci_name(const std::string &bus_id) {
  // NVML's form: eight hex digits of domain, then "BB:DD.F"; sysfs writes at
  // least four digits of domain, in lower case.
  if (bus_id.size() != 16 || bus_id[8] != ':' || bus_id[11] != ':' || bus_id[14] != '.')
    return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < bus_id.size(); ++i) {
    char c = bus_id[i];
    bool separator = i == 8 || i == 11 || i == 14;
    if (!separator && !std::isxdigit(static_cast<unsigned char>(c)))
      return std::nullopt;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (out.compare(0, 4, "0000") == 0)
    out.erase(0, 4);
  return out;
}

unsigned long long mebibytes(unsigned long long bytes) { return bytes / (1024ull * 1024ull); }

std::string device_path_for_minor(unsigned minor) { return "/dev/nvidia" + std::to_string(minor); }

} // namespace nvd::nvml
