// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/requirements.hpp"

#include "nvd/common/error.hpp"
#include "nvd/common/strings.hpp"

#include <algorithm>
#include <cctype>

namespace nvd {
namespace {

const char *const operators[] = {">=", "<=", "!=", "=", "<", ">"};

bool compare(int order, const std::string &op) {
  if (op == "=")
    return order == 0;
  if (op == "!=")
    return order != 0;
  if (op == "<")
    return order < 0;
  if (op == "<=")
    return order <= 0;
  if (op == ">")
    return order > 0;
  return order >= 0;
}

// Whether one condition holds; `host_value` is set to what the host has.
bool holds(const Constraint &c, const HostFacts &host, const GpuFacts *gpu, std::string &host_value) {
  if (c.key == "cuda" || c.key == "driver" || c.key == "arch") {
    const Version *have = nullptr;
    Version arch;
    if (c.key == "cuda") {
      have = &host.cuda;
      host_value = "this host's driver supports CUDA " + host.cuda.text;
    } else if (c.key == "driver") {
      have = &host.driver;
      host_value = "this host's driver is " + host.driver.text;
    } else {
      if (gpu == nullptr)
        return true;
      std::optional<Version> parsed = parse_version(gpu->arch);
      host_value = "a GPU of this host has architecture " + (gpu->arch.empty() ? "unknown" : gpu->arch);
      if (!parsed)
        return false;
      arch = *parsed;
      have = &arch;
    }
    return compare(compare_versions(*have, *parse_version(c.value)), c.op);
  }
  // brand
  if (gpu == nullptr)
    return true;
  host_value = "a GPU of this host is of brand " + gpu->brand;
  int order = ascii_lower(gpu->brand) == ascii_lower(c.value) ? 0 : 1;
  if (c.op != "=" && c.op != "!=")
    return false;
  return compare(order, c.op);
}

} // namespace

Requirement parse_requirement(const std::string &variable, std::string_view text) {
  Requirement requirement;
  requirement.variable = variable;
  for (const auto &alternative : split_words(text)) {
    std::vector<Constraint> conjunction;
    for (const auto &item : split_any(alternative, ",")) {
      Constraint c;
      c.text = item;
      std::size_t at = item.find_first_of("=!<>");
      if (at == std::string::npos)
        throw Error(variable + ": invalid constraint \"" + printable(item) +
                    "\" (expected cuda, driver, arch or brand, an operator = != < <= > >=, and a value)");
      c.key = ascii_lower(item.substr(0, at));
      for (const char *op : operators) {
        if (item.compare(at, std::char_traits<char>::length(op), op) == 0) {
          c.op = op;
          break;
        }
      }
      c.value = item.substr(at + c.op.size());
      bool known = c.key == "cuda" || c.key == "driver" || c.key == "arch" || c.key == "brand";
      bool versioned = c.key != "brand";
      bool valid_value = versioned ? parse_version(c.value).has_value()
                                   : !c.value.empty() && c.value.find_first_of("=!<>") == std::string::npos;
      if (!known || c.op.empty() || !valid_value || (!versioned && c.op != "=" && c.op != "!="))
        throw Error(variable + ": invalid constraint \"" + printable(item) +
                    "\" (expected cuda, driver, arch or brand, an operator = != < <= > >=, and a value)");
      conjunction.push_back(c);
    }
    if (!conjunction.empty())
      requirement.alternatives.push_back(conjunction);
  }
  return requirement;
}

std::string brand_from_model(std::string_view model) {
  std::string m = ascii_lower(std::string(model));
  if (m.find("tesla") != std::string::npos)
    return "tesla";
  if (m.find("quadro") != std::string::npos)
    return "quadro";
  if (m.find("titan") != std::string::npos)
    return "titan";
  if (m.find("geforce") != std::string::npos)
    return "geforce";
  if (starts_with(m, "nvidia rtx") || m.find("rtx a") != std::string::npos)
    return "nvidiartx";
  if (starts_with(m, "nvidia"))
    return "nvidia";
  return "unknown";
}

std::string check_requirement(const Requirement &requirement, const HostFacts &host) {
  if (requirement.alternatives.empty())
    return "";
  std::string first_failure;
  for (const auto &conjunction : requirement.alternatives) {
    std::string failure;
    for (const auto &c : conjunction) {
      std::string host_value;
      bool ok = true;
      if (c.key == "arch" || c.key == "brand") {
        // A device condition must hold for every GPU the container gets.
        for (const auto &gpu : host.gpus)
          if (!holds(c, host, &gpu, host_value)) {
            ok = false;
            break;
          }
      } else {
        ok = holds(c, host, nullptr, host_value);
      }
      if (!ok) {
        failure = "unsatisfied condition: " + c.text + " (" + host_value + ")";
        break;
      }
    }
    if (failure.empty())
      return "";
    if (first_failure.empty())
      first_failure = failure;
  }
  return first_failure;
}

} // namespace nvd
