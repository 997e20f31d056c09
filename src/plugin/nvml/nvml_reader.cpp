// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/nvml/nvml_reader.hpp"

#include "nvd/common/strings.hpp"
#include "nvd/plugin/nvml/gpu_figures.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

namespace nvd::nvml {
namespace {

using nlohmann::json;

// More GPUs than any host holds: a count beyond it is a broken answer.
constexpr unsigned most_gpus = 1024;

// A text an entry point wrote into a buffer of `size`, cut at its end in any case.
std::string text_of(const char *buffer, std::size_t size) {
  return std::string(buffer, strnlen(buffer, size));
}

class Reader {
public:
  explicit Reader(const NvmlLibrary &nvml) : m_nvml(nvml), m_api(nvml.api()) {}

  // Calls an optional entry point: true when it answered. Absent, unsupported
  // or failing, the figure stays unknown; a version mismatch stops the read.
  template <class Function, class... Args>
  bool ask(const char *name, Function function, Args... args) const {
    if (function == nullptr)
      return false;
    Return code = function(args...);
    if (code == error_lib_rm_version_mismatch)
      m_nvml.fail(name, code);
    return code == success;
  }

  // Calls a required entry point; its failure is an error naming it.
  template <class Function, class... Args>
  void must(const std::string &what, Function function, Args... args) const {
    Return code = function(args...);
    if (code != success)
      m_nvml.fail(what, code);
  }

  std::string driver_version() const {
    char text[driver_version_buffer] = {};
    must("nvmlSystemGetDriverVersion", m_api.driver_version, text, driver_version_buffer);
    return text_of(text, sizeof text);
  }

  std::string cuda_version(const std::string &libcuda) const {
    // The driver's own CUDA version first; _v2 asks whichever libcuda.so.1 the
    // process finds, which under another driver root may be the wrong one.
    int version = 0;
    if ((ask("nvmlSystemGetCudaDriverVersion", m_api.cuda_driver_version, &version) ||
         ask("nvmlSystemGetCudaDriverVersion_v2", m_api.cuda_driver_version_v2, &version)) &&
        version > 0)
      return cuda_version_text(version);
    if (std::optional<int> from_libcuda = libcuda_driver_version(libcuda))
      return cuda_version_text(*from_libcuda);
    throw Error("NVML " + m_nvml.path() +
                " does not tell the CUDA version (no nvmlSystemGetCudaDriverVersion) and " +
                (libcuda.empty() ? std::string("no libcuda was found")
                                 : "libcuda " + libcuda + " does not either") +
                ": is the driver complete? or pass --inventory");
  }

  unsigned device_count() const {
    unsigned count = 0;
    must("nvmlDeviceGetCount_v2", m_api.device_count, &count);
    if (count > most_gpus)
      throw Error("NVML " + m_nvml.path() + ": nvmlDeviceGetCount_v2 reports " +
                  std::to_string(count) + " GPUs, which cannot be right");
    return count;
  }

  Device handle(unsigned index) const {
    Device device = nullptr;
    must("nvmlDeviceGetHandleByIndex_v2 (GPU " + std::to_string(index) + ")",
         m_api.device_by_index, index, &device);
    return device;
  }

  // What a driver load fixes about one GPU, in the inventory's field names.
  json fixed_facts(unsigned index, Device device, const std::string &sysfs_root) const {
    std::string gpu = " (GPU " + std::to_string(index) + ")";
    char uuid[device_uuid_buffer] = {};
    char name[device_name_buffer] = {};
    unsigned minor = 0;
    PciInfo pci{};
    must("nvmlDeviceGetUUID" + gpu, m_api.device_uuid, device, uuid, device_uuid_buffer);
    must("nvmlDeviceGetMinorNumber" + gpu, m_api.device_minor_number, device, &minor);
    must("nvmlDeviceGetName" + gpu, m_api.device_name, device, name, device_name_buffer);
    must("nvmlDeviceGetPciInfo" + gpu, m_api.device_pci_info, device, &pci);

    json info = json::object();
    std::string bus_id = pci_bus_id(pci.domain, pci.bus, pci.device);
    info["UUID"] = printable(text_of(uuid, sizeof uuid));
    info["Path"] = device_path_for_minor(minor);
    info["Model"] = printable(text_of(name, sizeof name));
    info["PCI"]["BusID"] = bus_id;

    unsigned value = 0;
    if (ask("nvmlDeviceGetPowerManagementLimit", m_api.power_management_limit, device, &value) ||
        ask("nvmlDeviceGetEnforcedPowerLimit", m_api.enforced_power_limit, device, &value))
      info["Power"] = value / 1000; // mW
    if (std::optional<unsigned> node = numa_node(device, bus_id, sysfs_root))
      info["CPUAffinity"] = *node;

    Bar1Memory bar1{};
    if (ask("nvmlDeviceGetBAR1MemoryInfo", m_api.bar1_memory, device, &bar1))
      info["PCI"]["BAR1"] = mebibytes(bar1.total);
    unsigned generation = 0, width = 0;
    if (ask("nvmlDeviceGetMaxPcieLinkGeneration", m_api.max_pcie_generation, device, &generation) &&
        ask("nvmlDeviceGetMaxPcieLinkWidth", m_api.max_pcie_width, device, &width))
      if (std::optional<unsigned> bandwidth = pcie_bandwidth_mbps(generation, width))
        info["PCI"]["Bandwidth"] = *bandwidth;

    unsigned max_sm = 0, max_memory = 0;
    bool has_max_sm = ask("nvmlDeviceGetMaxClockInfo", m_api.max_clock, device, clock_sm, &max_sm);
    bool has_max_memory =
        ask("nvmlDeviceGetMaxClockInfo", m_api.max_clock, device, clock_mem, &max_memory);
    if (has_max_sm)
      info["Clocks"]["Cores"] = max_sm;
    if (has_max_memory)
      info["Clocks"]["Memory"] = max_memory;

    int major = 0, minor_capability = 0;
    bool has_capability = ask("nvmlDeviceGetCudaComputeCapability", m_api.compute_capability,
                              device, &major, &minor_capability);
    if (has_capability) {
      info["Arch"] = std::to_string(major) + "." + std::to_string(minor_capability);
      if (std::optional<std::string> family = gpu_family(major, minor_capability))
        info["Family"] = *family;
    }
    if (ask("nvmlDeviceGetNumGpuCores", m_api.num_gpu_cores, device, &value)) {
      info["Cores"] = value;
    } else if (has_capability) {
      DeviceAttributes attributes{};
      std::optional<unsigned> per_sm = cores_per_multiprocessor(major, minor_capability);
      if (per_sm && ask("nvmlDeviceGetAttributes_v2", m_api.attributes, device, &attributes) &&
          attributes.multiprocessor_count > 0)
        info["Cores"] = attributes.multiprocessor_count * *per_sm;
    }

    int ecc_current = 0, ecc_pending = 0;
    if (ask("nvmlDeviceGetEccMode", m_api.ecc_mode, device, &ecc_current, &ecc_pending))
      info["Memory"]["ECC"] = ecc_current == feature_enabled;
    Memory memory{};
    if (ask("nvmlDeviceGetMemoryInfo", m_api.memory, device, &memory))
      info["Memory"]["Global"] = mebibytes(memory.total);
    if (has_max_memory &&
        ask("nvmlDeviceGetMemoryBusWidth", m_api.memory_bus_width, device, &value) && value > 0)
      info["Memory"]["Bandwidth"] = memory_bandwidth_mbps(value, max_memory);
    return info;
  }

  // NVML's answer, else the kernel's (sysfs), else unknown.
  std::optional<unsigned> numa_node(Device device, const std::string &bus_id,
                                    const std::string &sysfs_root) const {
    unsigned node = 0;
    if (ask("nvmlDeviceGetNumaNodeId", m_api.numa_node, device, &node))
      return node;
    std::optional<std::string> name = sysfs_pci_name(bus_id);
    if (!name)
      return std::nullopt;
    std::ifstream file(sysfs_root + "/bus/pci/devices/" + *name + "/numa_node");
    long from_kernel = -1;
    if (!(file >> from_kernel) || from_kernel < 0 || from_kernel > 65535)
      return std::nullopt; // -1: the kernel knows no node for it
    return static_cast<unsigned>(from_kernel);
  }

  // How many active NVLinks of `device` reach each peer, by the peer's bus id.
  std::map<std::string, unsigned> nvlink_peers(Device device) const {
    std::map<std::string, unsigned> peers;
    if (m_api.nvlink_state == nullptr || m_api.nvlink_remote_pci == nullptr)
      return peers;
    for (unsigned link = 0; link < nvlink_max_links; ++link) {
      int active = 0;
      Return code = m_api.nvlink_state(device, link, &active);
      if (code == error_lib_rm_version_mismatch)
        m_nvml.fail("nvmlDeviceGetNvLinkState", code);
      if (code == error_not_supported && link == 0)
        break; // a GPU without NVLink
      if (code != success || active != feature_enabled)
        continue;
      PciInfo remote{};
      if (ask("nvmlDeviceGetNvLinkRemotePciInfo", m_api.nvlink_remote_pci, device, link, &remote))
        ++peers[pci_bus_id(remote.domain, remote.bus, remote.device)];
    }
    return peers;
  }

  // The P2P link of each GPU to each other GPU, where the driver tells it.
  void add_topology(json &devices, const std::vector<Device> &handles) const {
    for (std::size_t i = 0; i < handles.size(); ++i) {
      std::map<std::string, unsigned> peers = nvlink_peers(handles[i]);
      json topology = json::array();
      for (std::size_t j = 0; j < handles.size(); ++j) {
        if (i == j)
          continue;
        std::string peer = devices[j]["PCI"]["BusID"].get<std::string>();
        std::optional<int> link;
        auto nvlinks = peers.find(peer);
        int level = 0;
        if (nvlinks != peers.end())
          link = p2p_link_from_nvlinks(nvlinks->second);
        else if (ask("nvmlDeviceGetTopologyCommonAncestor", m_api.topology_common_ancestor,
                     handles[i], handles[j], &level))
          link = p2p_link_from_topology_level(level);
        if (link)
          topology.push_back({{"BusID", peer}, {"Link", *link}});
      }
      // Peers in bus order, the order the inventory lists the GPUs in.
      std::sort(topology.begin(), topology.end(), [](const json &x, const json &y) {
        return x["BusID"].get<std::string>() < y["BusID"].get<std::string>();
      });
      devices[i]["Topology"] = topology;
    }
  }

  json status(Device device) const {
    json out = json::object();
    unsigned value = 0, period = 0;
    if (ask("nvmlDeviceGetPowerUsage", m_api.power_usage, device, &value))
      out["Power"] = value / 1000; // mW
    TemperatureV1 temperature{temperature_v1_version, temperature_gpu, 0};
    if (ask("nvmlDeviceGetTemperature", m_api.temperature, device, temperature_gpu, &value))
      out["Temperature"] = value;
    else if (ask("nvmlDeviceGetTemperatureV", m_api.temperature_v, device, &temperature) &&
             temperature.temperature >= 0)
      out["Temperature"] = temperature.temperature;

    Utilization utilization{};
    if (ask("nvmlDeviceGetUtilizationRates", m_api.utilization, device, &utilization)) {
      out["Utilization"]["GPU"] = utilization.gpu;
      out["Utilization"]["Memory"] = utilization.memory;
    }
    if (ask("nvmlDeviceGetEncoderUtilization", m_api.encoder_utilization, device, &value, &period))
      out["Utilization"]["Encoder"] = value;
    if (ask("nvmlDeviceGetDecoderUtilization", m_api.decoder_utilization, device, &value, &period))
      out["Utilization"]["Decoder"] = value;

    Memory memory{};
    if (ask("nvmlDeviceGetMemoryInfo", m_api.memory, device, &memory))
      out["Memory"]["GlobalUsed"] = mebibytes(memory.used);
    static const std::pair<const char *, int> locations[] = {
        {"L1Cache", memory_location_l1_cache},
        {"L2Cache", memory_location_l2_cache},
        {"Global", memory_location_device_memory}};
    for (const auto &[field, location] : locations) {
      unsigned long long count = 0;
      if (ask("nvmlDeviceGetMemoryErrorCounter", m_api.memory_error_counter, device,
              memory_error_uncorrected, volatile_ecc, location, &count))
        out["Memory"]["ECCErrors"][field] = count;
    }

    if (ask("nvmlDeviceGetClockInfo", m_api.clock, device, clock_sm, &value))
      out["Clocks"]["Cores"] = value;
    if (ask("nvmlDeviceGetClockInfo", m_api.clock, device, clock_mem, &value))
      out["Clocks"]["Memory"] = value;

    Bar1Memory bar1{};
    if (ask("nvmlDeviceGetBAR1MemoryInfo", m_api.bar1_memory, device, &bar1))
      out["PCI"]["BAR1Used"] = mebibytes(bar1.used);
    if (ask("nvmlDeviceGetPcieThroughput", m_api.pcie_throughput, device, pcie_util_rx_bytes,
            &value))
      out["PCI"]["Throughput"]["RX"] = value / 1000; // KB/s
    if (ask("nvmlDeviceGetPcieThroughput", m_api.pcie_throughput, device, pcie_util_tx_bytes,
            &value))
      out["PCI"]["Throughput"]["TX"] = value / 1000;

    out["Processes"] = processes(device);
    return out;
  }

  // Compute and graphics processes on the GPU, each once.
  json processes(Device device) const {
    std::vector<ProcessInfoV2> all;
    running("nvmlDeviceGetComputeRunningProcesses", m_api.compute_processes_v3,
            m_api.compute_processes_v2, m_api.compute_processes_v1, device, all);
    running("nvmlDeviceGetGraphicsRunningProcesses", m_api.graphics_processes_v3,
            m_api.graphics_processes_v2, m_api.graphics_processes_v1, device, all);
    json out = json::array();
    std::set<unsigned> seen;
    for (const ProcessInfoV2 &process : all) {
      if (!seen.insert(process.pid).second)
        continue;
      json entry = {{"PID", process.pid}};
      char name[process_name_buffer] = {};
      if (ask("nvmlSystemGetProcessName", m_api.process_name, process.pid, name,
              process_name_buffer))
        entry["Name"] = printable(text_of(name, sizeof name));
      if (process.used_gpu_memory != value_not_available)
        entry["MemoryUsed"] = mebibytes(process.used_gpu_memory);
      out.push_back(entry);
    }
    return out;
  }

  // The newest of the three entry points the library has.
  void running(const char *name, ProcessesV2Fn v3, ProcessesV2Fn v2, ProcessesV1Fn v1,
               Device device, std::vector<ProcessInfoV2> &out) const {
    std::vector<ProcessInfoV2> list;
    if (v3 != nullptr || v2 != nullptr) {
      if (list_of(name, v3 != nullptr ? v3 : v2, device, list))
        out.insert(out.end(), list.begin(), list.end());
      return;
    }
    std::vector<ProcessInfoV1> old;
    if (list_of(name, v1, device, old))
      for (const ProcessInfoV1 &process : old)
        out.push_back({process.pid, process.used_gpu_memory, 0, 0});
  }

  // Asks for a list, growing the buffer as NVML says (processes may start meanwhile).
  template <class Info>
  bool list_of(const char *name, Return (*function)(Device, unsigned *, Info *), Device device,
               std::vector<Info> &out) const {
    if (function == nullptr)
      return false;
    out.assign(32, Info{});
    for (int attempt = 0; attempt < 4; ++attempt) {
      unsigned count = static_cast<unsigned>(out.size());
      Return code = function(device, &count, out.data());
      if (code == success) {
        out.resize(std::min<std::size_t>(count, out.size()));
        return true;
      }
      if (code == error_lib_rm_version_mismatch)
        m_nvml.fail(name, code);
      if (code != error_insufficient_size || count <= out.size() || count > 65536)
        return false;
      out.assign(count + 8, Info{});
    }
    return false;
  }

private:
  const NvmlLibrary &m_nvml;
  const Api &m_api;
};

std::string source_of(const NvmlLibrary &nvml) { return "read from NVML " + nvml.path(); }

} // namespace

DiscoveredGpus read_gpus(const NvmlLibrary &nvml, const ReaderSources &sources) {
  Reader reader(nvml);
  json document = {{"Version",
                    {{"Driver", reader.driver_version()},
                     {"CUDA", reader.cuda_version(sources.libcuda)}}},
                   {"Devices", json::array()}};
  std::vector<Device> handles;
  std::vector<std::string> left_out;
  unsigned count = reader.device_count();
  for (unsigned index = 0; index < count; ++index) {
    try {
      Device device = reader.handle(index);
      document["Devices"].push_back(reader.fixed_facts(index, device, sources.sysfs_root));
      handles.push_back(device);
    } catch (const VersionMismatch &) {
      throw; // the whole driver, not this GPU
    } catch (const Error &error) {
      left_out.push_back(std::string("GPU ") + std::to_string(index) + " left out: " + error.what());
    }
  }
  reader.add_topology(document["Devices"], handles);

  DiscoveredGpus found;
  found.left_out = std::move(left_out);
  found.inventory = parse_inventory(document, source_of(nvml));
  // The inventory lists devices in bus order: each keeps its own handle.
  std::map<std::string, Device> by_uuid;
  for (std::size_t i = 0; i < handles.size(); ++i)
    by_uuid[document["Devices"][i]["UUID"].get<std::string>()] = handles[i];
  for (const GpuDevice &device : found.inventory.devices)
    found.handles.push_back(by_uuid.at(device.uuid));
  return found;
}

nlohmann::json read_status(const NvmlLibrary &nvml, Device device) {
  return Reader(nvml).status(device);
}

GpuInventory with_statuses(const GpuInventory &base, const std::vector<nlohmann::json> &statuses,
                           const std::string &source) {
  json devices = json::array();
  for (std::size_t i = 0; i < base.devices.size(); ++i) {
    json device = base.devices[i].info;
    if (i < statuses.size())
      device["Status"] = statuses[i];
    devices.push_back(device);
  }
  json document = {{"Version", {{"Driver", base.driver_version}, {"CUDA", base.cuda_version}}},
                   {"ControlDevices", base.control_devices},
                   {"Devices", devices}};
  return parse_inventory(document, source);
}

} // namespace nvd::nvml
