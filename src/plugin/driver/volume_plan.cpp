// SPDX-License-Identifier: BSD-3-Clause
// The pure planner: driver facts in, the driver volume's entries out.
#include "nvd/plugin/driver/volume_plan.hpp"

#include "nvd/common/error.hpp"
#include "nvd/common/gpu_inventory.hpp"
#include "nvd/common/strings.hpp"
#include "nvd/plugin/driver/driver_libraries.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

namespace nvd {

namespace {

// libnvidia-tls of the new (ELF) TLS ABI carries this ABI tag; the classic
// one an older, 2.2.x one.
constexpr ElfAbiTag new_tls_abi_tag{0, 2, 3, 99};

bool is_older(const ElfAbiTag &tag, const ElfAbiTag &than) {
  return std::tie(tag.major, tag.minor, tag.patch) < std::tie(than.major, than.minor, than.patch);
}

std::string abi_text(const ElfAbiTag &tag) {
  return std::to_string(tag.major) + "." + std::to_string(tag.minor) + "." + std::to_string(tag.patch);
}

// A name that is one plain path component: never "", ".", "..", nor a slash.
bool is_safe_name(std::string_view name) { return is_plain_name(name) && name != "." && name != ".."; }

std::string join_path(const std::string &folder, const std::string &name) {
  return (folder.empty() || folder.back() != '/') ? folder + "/" + name : folder + name;
}

std::string describe(const DriverLibraryFile &file) {
  return printable(file.cache_name) + " (" + printable(join_path(file.folder, file.real_name)) + ")";
}

bool needs_nvidia_gl_core(const ElfFacts &elf) {
  return std::any_of(elf.needed.begin(), elf.needed.end(), [](const std::string &needed) {
    const std::string_view stem = library_stem(needed);
    return stem == "libnvidia-glcore" || stem == "libnvidia-eglcore";
  });
}

// Why a candidate stays out of the volume, or nullopt when it goes in.
std::optional<std::string> rejection(const DriverLibrary &library, const DriverLibraryFile &file,
                                     const std::string &version) {
  if (!is_safe_name(file.real_name))
    return "not a plain file name";
  if (!starts_with(file.host_path, "/"))
    return "no absolute path to link from";
  if (!ends_with(file.real_name, "." + version))
    return "not of driver " + version;
  if (driver_library_of(file.real_name) != &library)
    return "its file is not " + std::string(library.stem) + "'s";
  if (!file.elf.soname.empty() && !is_safe_name(file.elf.soname))
    return "its SONAME " + printable(file.elf.soname) + " is not a plain file name";
  if (library.condition == LibraryCondition::nvidia_gl_core && !needs_nvidia_gl_core(file.elf))
    return "not NVIDIA's (it needs neither libnvidia-glcore nor libnvidia-eglcore)";
  if (library.condition == LibraryCondition::new_tls_abi && file.elf.abi_tag &&
      is_older(*file.elf.abi_tag, new_tls_abi_tag))
    return "of the classic TLS ABI (ABI tag " + abi_text(*file.elf.abi_tag) + ")";
  return std::nullopt;
}

// The entries one accepted library file brings: the file and its links.
std::vector<VolumeEntry> entries_of(const DriverLibrary &library, const DriverLibraryFile &file) {
  const std::string folder = file.elf.elf_class == ElfClass::elf64 ? "lib64/" : "lib/";
  std::vector<VolumeEntry> entries{{VolumeEntry::Kind::file, folder + file.real_name, file.host_path}};
  const auto link = [&](const std::string &name) {
    if (!name.empty() && name != file.real_name)
      entries.push_back({VolumeEntry::Kind::symlink, folder + name, file.real_name});
  };
  // Without a SONAME, ld.so finds the file by the name the cache lists it under.
  const std::string &link_name = file.elf.soname.empty() ? file.cache_name : file.elf.soname;
  if (is_safe_name(link_name))
    link(link_name);
  link(std::string(library.extra_link));
  return entries;
}

bool same_entry(const VolumeEntry &a, const VolumeEntry &b) {
  return a.kind == b.kind && a.path == b.path && a.source == b.source;
}

class PlanBuilder {
public:
  // Adds all of `entries`, or none when one of their paths is already taken by
  // something else: the path's holder, else nullopt.
  std::optional<std::string> add(const std::vector<VolumeEntry> &entries) {
    for (const VolumeEntry &entry : entries) {
      const auto taken = m_entries.find(entry.path);
      if (taken != m_entries.end() && !same_entry(taken->second, entry))
        return entry.path + " is taken by " + printable(taken->second.source);
    }
    for (const VolumeEntry &entry : entries)
      m_entries.emplace(entry.path, entry);
    return std::nullopt;
  }

  std::vector<VolumeEntry> entries() const {
    std::vector<VolumeEntry> sorted;
    sorted.reserve(m_entries.size());
    for (const auto &[path, entry] : m_entries)
      sorted.push_back(entry);
    return sorted;
  }

private:
  std::map<std::string, VolumeEntry> m_entries; // by path: sorted and unique
};

std::string cache_file_of(const std::string &driver_root) {
  const std::string root = driver_root.empty() ? "/" : driver_root;
  return join_path(root, "etc/ld.so.cache");
}

} // namespace

VolumePlan plan_driver_volume(const DriverFacts &facts) {
  if (!is_dotted_version(facts.version))
    throw Error("invalid driver version: " + printable(facts.version) +
                " (dot-separated numbers expected, such as 535.104.05)");

  VolumePlan plan;
  plan.version = facts.version;
  plan.skipped = facts.unreadable;
  PlanBuilder builder;
  std::vector<std::string> missing;

  for (const DriverLibrary &library : driver_libraries()) {
    bool listed = false;
    bool has_64_bit = false;
    std::vector<std::string> left_out;
    for (const DriverLibraryFile &file : facts.libraries) {
      if (driver_library_of(file.cache_name) != &library)
        continue;
      listed = true;
      std::optional<std::string> why = rejection(library, file, facts.version);
      if (!why)
        why = builder.add(entries_of(library, file));
      if (why) {
        left_out.push_back(describe(file) + ": " + *why);
        plan.skipped.push_back(left_out.back() + ", left out");
        continue;
      }
      has_64_bit = has_64_bit || file.elf.elf_class == ElfClass::elf64;
    }
    if (!listed)
      plan.skipped.push_back(std::string(library.stem) + ": not shipped by this driver");
    if (library.required && !has_64_bit) {
      std::string line(library.stem);
      if (!left_out.empty())
        line += " (" + join(left_out, "; ") + ")";
      missing.push_back(line);
    }
  }

  if (!missing.empty()) {
    const std::string root = facts.driver_root.empty() ? "/" : facts.driver_root;
    throw Error("no 64-bit " + join(missing, " and ") + " of driver " + facts.version + " in " +
                cache_file_of(root) + ": is the NVIDIA driver installed under " + root +
                ", and was ldconfig run there (" + (root == "/" ? "ldconfig" : "ldconfig -r " + root) + ")?");
  }

  for (std::string_view name : driver_binaries()) {
    const auto found = std::find_if(facts.binaries.begin(), facts.binaries.end(),
                                    [&](const DriverBinaryFile &binary) { return binary.name == name; });
    if (found == facts.binaries.end()) {
      plan.skipped.push_back(std::string(name) + ": not installed");
      continue;
    }
    if (const auto why = builder.add({{VolumeEntry::Kind::file, "bin/" + found->name, found->host_path}}))
      plan.skipped.push_back(found->name + ": " + *why + ", left out");
  }

  plan.entries = builder.entries();
  return plan;
}

} // namespace nvd
