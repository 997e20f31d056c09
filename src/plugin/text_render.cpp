// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/text_render.hpp"

#include <sstream>

namespace nvd {
namespace {

using nlohmann::json;

// A figure with its unit, or N/A when the host did not report it.
std::string figure(const json &value, const std::string &unit = "") {
  if (value.is_null())
    return "N/A";
  std::string text;
  if (value.is_string())
    text = value.get<std::string>();
  else if (value.is_boolean())
    text = value.get<bool>() ? "Yes" : "No";
  else if (value.is_number_integer() || value.is_number_unsigned())
    text = value.dump();
  else if (value.is_number_float() && value.get<double>() == static_cast<double>(value.get<long long>()))
    text = std::to_string(value.get<long long>());
  else
    text = value.dump();
  return unit.empty() ? text : text + " " + unit;
}

void line(std::ostringstream &out, int indent, const std::string &label, const std::string &value) {
  std::string key = std::string(static_cast<std::size_t>(indent), ' ') + label + ":";
  out << key;
  for (std::size_t column = key.size(); column < 26; ++column)
    out << ' ';
  out << ' ' << value << '\n';
}

} // namespace

std::string p2p_link_name(const json &link) {
  static const char *const names[] = {
      "N/A",           "Cross CPU socket", "Same CPU socket", "Host PCI bridge",
      "Multiple PCI switches", "Single PCI switch", "Same board", "Single NVLink",
      "Two NVLinks",   "Three NVLinks",    "Four NVLinks",    "Five NVLinks",
      "Six NVLinks"};
  if (!link.is_number_integer() && !link.is_number_unsigned())
    return "N/A";
  auto index = link.get<long long>();
  // Past six, NVLinks are counted (7 + n - 1): an H100 has eighteen.
  if (index > 12 && index <= 6 + 64)
    return std::to_string(index - 6) + " NVLinks";
  if (index < 0 || index >= static_cast<long long>(std::size(names)))
    return "N/A";
  return names[index];
}

std::string render_info_text(const GpuInventory &inventory) {
  std::ostringstream out;
  line(out, 0, "Driver version", inventory.driver_version);
  line(out, 0, "Supported CUDA version", inventory.cuda_version);
  for (std::size_t i = 0; i < inventory.devices.size(); ++i) {
    const json &d = inventory.devices[i].info;
    out << "\nDevice #" << i << '\n';
    line(out, 2, "Model", figure(d["Model"]));
    line(out, 2, "UUID", figure(d["UUID"]));
    line(out, 2, "Path", figure(d["Path"]));
    line(out, 2, "Family", figure(d["Family"]));
    line(out, 2, "Arch", figure(d["Arch"]));
    line(out, 2, "Cores", figure(d["Cores"]));
    line(out, 2, "Power", figure(d["Power"], "W"));
    line(out, 2, "CPU Affinity", d["CPUAffinity"].is_null() ? "N/A" : "NUMA node" + figure(d["CPUAffinity"]));
    out << "  PCI\n";
    line(out, 4, "Bus ID", figure(d["PCI"]["BusID"]));
    line(out, 4, "BAR1", figure(d["PCI"]["BAR1"], "MiB"));
    line(out, 4, "Bandwidth", figure(d["PCI"]["Bandwidth"], "MB/s"));
    out << "  Memory\n";
    line(out, 4, "ECC", figure(d["Memory"]["ECC"]));
    line(out, 4, "Global", figure(d["Memory"]["Global"], "MiB"));
    line(out, 4, "Constant", figure(d["Memory"]["Constant"], "KiB"));
    line(out, 4, "Shared", figure(d["Memory"]["Shared"], "KiB"));
    line(out, 4, "L2 Cache", figure(d["Memory"]["L2Cache"], "KiB"));
    line(out, 4, "Bandwidth", figure(d["Memory"]["Bandwidth"], "MB/s"));
    out << "  Clocks\n";
    line(out, 4, "Cores", figure(d["Clocks"]["Cores"], "MHz"));
    line(out, 4, "Memory", figure(d["Clocks"]["Memory"], "MHz"));
    out << "  P2P Available";
    if (d["Topology"].empty()) {
      out << ": None\n";
    } else {
      out << '\n';
      for (const auto &peer : d["Topology"])
        out << "    " << figure(peer["BusID"]) << " - " << p2p_link_name(peer["Link"]) << '\n';
    }
  }
  return out.str();
}

std::string render_status_text(const GpuInventory &inventory) {
  std::ostringstream out;
  for (std::size_t i = 0; i < inventory.devices.size(); ++i) {
    const json &s = inventory.devices[i].status;
    if (i > 0)
      out << '\n';
    out << "Device #" << i << '\n';
    line(out, 2, "Power", figure(s["Power"], "W"));
    line(out, 2, "Temperature", figure(s["Temperature"], "°C"));
    out << "  Utilization\n";
    line(out, 4, "GPU", figure(s["Utilization"]["GPU"], "%"));
    line(out, 4, "Memory", figure(s["Utilization"]["Memory"], "%"));
    line(out, 4, "Encoder", figure(s["Utilization"]["Encoder"], "%"));
    line(out, 4, "Decoder", figure(s["Utilization"]["Decoder"], "%"));
    out << "  Memory\n";
    line(out, 4, "Global", figure(s["Memory"]["GlobalUsed"], "MiB"));
    out << "    ECC Errors\n";
    line(out, 6, "L1 Cache", figure(s["Memory"]["ECCErrors"]["L1Cache"]));
    line(out, 6, "L2 Cache", figure(s["Memory"]["ECCErrors"]["L2Cache"]));
    line(out, 6, "Global", figure(s["Memory"]["ECCErrors"]["Global"]));
    out << "  PCI\n";
    line(out, 4, "BAR1", figure(s["PCI"]["BAR1Used"], "MiB"));
    line(out, 4, "Throughput RX", figure(s["PCI"]["Throughput"]["RX"], "MB/s"));
    line(out, 4, "Throughput TX", figure(s["PCI"]["Throughput"]["TX"], "MB/s"));
    out << "  Clocks\n";
    line(out, 4, "Cores", figure(s["Clocks"]["Cores"], "MHz"));
    line(out, 4, "Memory", figure(s["Clocks"]["Memory"], "MHz"));
    out << "  Processes";
    if (s["Processes"].empty()) {
      out << ": None\n";
    } else {
      out << '\n';
      for (const auto &process : s["Processes"])
        out << "    - PID: " << figure(process["PID"]) << "  Name: " << figure(process["Name"])
            << "  Memory: " << figure(process["MemoryUsed"], "MiB") << '\n';
    }
  }
  return out.str();
}

} // namespace nvd
