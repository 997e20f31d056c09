// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// The part of NVML's C ABI the plugin uses, declared from NVML's documented API
// so that no NVML header is needed to build: the library is found at run time.
// Layouts are fixed by the ABI; the sizes are checked below.

namespace nvd::nvml {

using Return = int; // nvmlReturn_t

// nvmlReturn_t values.
constexpr Return success = 0;
constexpr Return error_uninitialized = 1;
constexpr Return error_invalid_argument = 2;
constexpr Return error_not_supported = 3;
constexpr Return error_no_permission = 4;
constexpr Return error_not_found = 6;
constexpr Return error_insufficient_size = 7;
constexpr Return error_driver_not_loaded = 9;
constexpr Return error_library_not_found = 12;
constexpr Return error_function_not_found = 13;
constexpr Return error_gpu_is_lost = 15;
constexpr Return error_lib_rm_version_mismatch = 18;
constexpr Return error_unknown = 999;

struct DeviceHandle; // nvmlDevice_t points at an opaque driver object
using Device = DeviceHandle *;

// Buffer sizes NVML documents as large enough.
constexpr unsigned device_uuid_buffer = 96;
constexpr unsigned device_name_buffer = 96;
constexpr unsigned driver_version_buffer = 80;
constexpr unsigned process_name_buffer = 256;
constexpr unsigned nvlink_max_links = 36;

struct PciInfo { // nvmlPciInfo_t, filled by nvmlDeviceGetPciInfo_v2/_v3
  char bus_id_legacy[16];
  unsigned domain;
  unsigned bus;
  unsigned device;
  unsigned pci_device_id;
  unsigned pci_subsystem_id;
  char bus_id[32];
};

struct Memory { // nvmlMemory_t, bytes
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};

struct Bar1Memory { // nvmlBAR1Memory_t, bytes
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};

struct Utilization { // nvmlUtilization_t, percent
  unsigned gpu;
  unsigned memory;
};

struct ProcessInfoV1 { // nvmlProcessInfo_v1_t: the unversioned *RunningProcesses
  unsigned pid;
  unsigned long long used_gpu_memory;
};

struct ProcessInfoV2 { // nvmlProcessInfo_v2_t, also taken by the _v3 entry points
  unsigned pid;
  unsigned long long used_gpu_memory;
  unsigned gpu_instance_id;
  unsigned compute_instance_id;
};

struct DeviceAttributes { // nvmlDeviceAttributes_t (nvmlDeviceGetAttributes_v2)
  unsigned multiprocessor_count;
  unsigned shared_copy_engine_count;
  unsigned shared_decoder_count;
  unsigned shared_encoder_count;
  unsigned shared_jpeg_count;
  unsigned shared_ofa_count;
  unsigned gpu_instance_slice_count;
  unsigned compute_instance_slice_count;
  unsigned long long memory_size_mib;
};

struct TemperatureV1 { // nvmlTemperature_v1_t (nvmlDeviceGetTemperatureV)
  unsigned version;
  int sensor_type;
  int temperature;
};
// NVML_STRUCT_VERSION(Temperature, 1): the size, with the version in the top byte.
constexpr unsigned temperature_v1_version = unsigned{sizeof(TemperatureV1)} | (1u << 24);

// usedGpuMemory when the driver cannot tell (NVML_VALUE_NOT_AVAILABLE).
constexpr unsigned long long value_not_available = ~0ull;

// Enumerations passed by value (all int-sized in the ABI).
constexpr int clock_sm = 1;  // NVML_CLOCK_SM
constexpr int clock_mem = 2; // NVML_CLOCK_MEM
constexpr int temperature_gpu = 0;
constexpr int pcie_util_tx_bytes = 0;
constexpr int pcie_util_rx_bytes = 1;
constexpr int memory_error_uncorrected = 1;
constexpr int volatile_ecc = 0;
constexpr int memory_location_l1_cache = 0;
constexpr int memory_location_l2_cache = 1;
constexpr int memory_location_device_memory = 2;
constexpr int feature_enabled = 1;

// nvmlGpuTopologyLevel_t: the closest common ancestor of two GPUs.
constexpr int topology_internal = 0;
constexpr int topology_single = 10;
constexpr int topology_multiple = 20;
constexpr int topology_hostbridge = 30;
constexpr int topology_node = 40;
constexpr int topology_system = 50;

static_assert(sizeof(PciInfo) == 68, "nvmlPciInfo_t is 68 bytes");
static_assert(sizeof(Memory) == 24, "nvmlMemory_t is 24 bytes");
static_assert(sizeof(Bar1Memory) == 24, "nvmlBAR1Memory_t is 24 bytes");
static_assert(sizeof(Utilization) == 8, "nvmlUtilization_t is 8 bytes");
static_assert(sizeof(ProcessInfoV1) == 16, "nvmlProcessInfo_v1_t is 16 bytes");
static_assert(sizeof(ProcessInfoV2) == 24, "nvmlProcessInfo_v2_t is 24 bytes");
static_assert(sizeof(DeviceAttributes) == 40, "nvmlDeviceAttributes_t is 40 bytes");
static_assert(sizeof(TemperatureV1) == 12, "nvmlTemperature_v1_t is 12 bytes");

// The entry points, by their C signatures.
using InitFn = Return (*)();
using ShutdownFn = Return (*)();
using ErrorStringFn = const char *(*)(Return);
using TextFn = Return (*)(char *, unsigned);                      // system text queries
using IntFn = Return (*)(int *);                                  // CUDA driver version
using CountFn = Return (*)(unsigned *);                           // device count
using HandleByIndexFn = Return (*)(unsigned, Device *);           // handle of an index
using DeviceTextFn = Return (*)(Device, char *, unsigned);        // UUID, name
using DeviceUintFn = Return (*)(Device, unsigned *);              // minor, power, cores, ...
using DeviceClockFn = Return (*)(Device, int, unsigned *);        // clock, temperature, PCIe
using DevicePciFn = Return (*)(Device, PciInfo *);
using DeviceMemoryFn = Return (*)(Device, Memory *);
using DeviceBar1Fn = Return (*)(Device, Bar1Memory *);
using DeviceUtilizationFn = Return (*)(Device, Utilization *);
using DeviceCodecFn = Return (*)(Device, unsigned *, unsigned *); // utilisation, sampling period
using DeviceCapabilityFn = Return (*)(Device, int *, int *);
using DeviceEccModeFn = Return (*)(Device, int *, int *);         // current, pending
using DeviceErrorCounterFn = Return (*)(Device, int, int, int, unsigned long long *);
using DeviceAttributesFn = Return (*)(Device, DeviceAttributes *);
using DeviceTemperatureVFn = Return (*)(Device, TemperatureV1 *);
using ProcessesV1Fn = Return (*)(Device, unsigned *, ProcessInfoV1 *);
using ProcessesV2Fn = Return (*)(Device, unsigned *, ProcessInfoV2 *);
using ProcessNameFn = Return (*)(unsigned, char *, unsigned);
using TopologyFn = Return (*)(Device, Device, int *);
using NvLinkStateFn = Return (*)(Device, unsigned, int *);
using NvLinkRemotePciFn = Return (*)(Device, unsigned, PciInfo *);

// libcuda's cuDriverGetVersion (CUresult, 0 on success).
using CudaDriverGetVersionFn = int (*)(int *);

} // namespace nvd::nvml
