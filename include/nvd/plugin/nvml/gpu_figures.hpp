// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <optional>
#include <string>

// The pure rules that turn NVML's raw answers into the figures the plugin
// serves (units as in docs/inventory.md). No I/O.
namespace nvd::nvml {

// The architecture family of a compute capability ("Volta" for 7.0); none when unknown.
std::optional<std::string> gpu_family(int major, int minor);

// CUDA cores in one streaming multiprocessor of that compute capability.
std::optional<unsigned> cores_per_multiprocessor(int major, int minor);

// The PCIe bandwidth of a link in MB/s, one direction: generation × lane count.
std::optional<unsigned> pcie_bandwidth_mbps(unsigned generation, unsigned width);

// Memory bandwidth in MB/s from the bus width (bits) and the memory clock (MHz),
// two transfers per clock.
unsigned long long memory_bandwidth_mbps(unsigned bus_width_bits, unsigned memory_clock_mhz);

// The P2P link type of docs/inventory.md for two GPUs whose closest common
// ancestor is `level` (nvmlGpuTopologyLevel_t); none for an unknown level.
std::optional<int> p2p_link_from_topology_level(int level);

// The P2P link type for `count` NVLinks between two GPUs (count > 0): 7 for one.
int p2p_link_from_nvlinks(unsigned count);

// "12.2" for the CUDA driver version number 12020.
std::string cuda_version_text(int version);

// The bus id as NVML writes it: "00000000:3B:00.0".
std::string pci_bus_id(unsigned domain, unsigned bus, unsigned device);

// The name of the device under /sys/bus/pci/devices ("0000:3b:00.0") for a bus
// id as NVML writes it; none when it is not one.
std::optional<std::string> sysfs_pci_name(const std::string &bus_id);

// Whole MiB in a number of bytes.
unsigned long long mebibytes(unsigned long long bytes);

// The device node of the GPU with that minor number: /dev/nvidia<minor>.
std::string device_path_for_minor(unsigned minor);

} // namespace nvd::nvml
