// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/volumes/volume_store.hpp"

#include "nvd/common/error.hpp"
#include "nvd/common/gpu_inventory.hpp"
#include "nvd/common/strings.hpp"
#include "nvd/plugin/volumes/folder_access.hpp"
#include "nvd/plugin/volumes/volume_builder.hpp"
#include "nvd/plugin/volumes/volume_folder.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <filesystem>

namespace nvd {

namespace {

// Docker reports a mountpoint as it is; a relative -d would mean nothing to it.
std::string absolute_folder(const std::string &path) {
  if (path.empty())
    throw Error("no volumes folder given (-d)");
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(path, error);
  if (error)
    throw Error("cannot use the volumes folder " + path + ": " + error.message());
  std::string text = absolute.lexically_normal().string();
  while (text.size() > 1 && text.back() == '/')
    text.pop_back();
  return text;
}

std::size_t total_mounts(const std::map<std::string, std::size_t> &by_id) {
  std::size_t total = 0;
  for (const auto &[id, count] : by_id)
    total += count;
  return total;
}

} // namespace

VolumeStore::VolumeStore(const std::string &volumes_dir, CurrentVersion current_version,
                         PlanFor plan_for, LogLine log_line)
    : m_volumes_dir(absolute_folder(volumes_dir)), m_current_version(std::move(current_version)),
      m_plan_for(std::move(plan_for)), m_log_line(std::move(log_line)) {
  std::size_t removed = remove_leftover_builds(m_volumes_dir);
  if (removed > 0 && m_log_line)
    m_log_line("removed " + std::to_string(removed) + " unfinished volume build" +
               (removed == 1 ? "" : "s") + " in " + volume_mountpoint(m_volumes_dir, ""));
}

std::string VolumeStore::current_version() {
  std::string version = m_current_version();
  // The version names a folder: checked here, whatever the discovery said.
  if (!is_dotted_version(version) || version.size() > 64)
    throw Error("the driver version \"" + printable(version) +
                "\" is not dot-separated numbers: no driver volume can be served");
  return version;
}

void VolumeStore::wait_for_build(std::unique_lock<std::mutex> &lock, const std::string &version) {
  m_build_done.wait(lock, [&] { return m_building.count(version) == 0; });
}

void VolumeStore::ensure_built(std::unique_lock<std::mutex> &lock, const std::string &version) {
  wait_for_build(lock, version);
  if (volume_on_disk(m_volumes_dir, version))
    return;
  // This request builds; others for the same version wait on m_build_done,
  // and requests for other volumes go on meanwhile.
  m_building.insert(version);
  lock.unlock();
  auto start = std::chrono::steady_clock::now();
  try {
    VolumePlan plan = m_plan_for(version);
    if (plan.version != version)
      throw Error("the volume plan for " + version + " is for another version (" +
                  printable(plan.version) + ")");
    VolumeBuild build = build_volume(plan, m_volumes_dir);
    if (m_log_line) {
      for (const std::string &skipped : plan.skipped)
        m_log_line(driver_volume_name(version) + ": " + skipped);
      auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now() - start);
      if (build.built)
        m_log_line("built " + driver_volume_name(version) + " at " + build.mountpoint + ": " +
                   std::to_string(build.hard_links) + " hard links, " +
                   std::to_string(build.clones) + " reflinks, " + std::to_string(build.copies) +
                   " copies, " + std::to_string(build.symlinks) + " symlinks in " +
                   std::to_string(elapsed.count() / 1000) + "." +
                   std::to_string(elapsed.count() % 1000 / 100) + " ms");
    }
  } catch (...) {
    lock.lock();
    m_building.erase(version);
    m_build_done.notify_all();
    throw;
  }
  lock.lock();
  m_building.erase(version);
  m_build_done.notify_all();
}

VolumeReply VolumeStore::serve(std::unique_lock<std::mutex> &lock, const std::string &version) {
  VolumeReply reply;
  // An unknown driver version (a driver upgraded without a reboot cannot be
  // loaded) is no current version: the volumes on disk are still served,
  // and the one of the running kernel module is among them.
  std::string current;
  std::exception_ptr unknown_version;
  try {
    current = current_version();
  } catch (const std::exception &) {
    unknown_version = std::current_exception();
  }
  if (!unknown_version && version == current) {
    ensure_built(lock, version);
  } else {
    wait_for_build(lock, version);
    if (!volume_on_disk(m_volumes_dir, version)) {
      // Perhaps the current version: why it is unknown is the answer.
      if (unknown_version)
        std::rethrow_exception(unknown_version);
      reply.outcome = VolumeOutcome::no_such_volume;
      return reply;
    }
  }
  reply.mountpoint = volume_mountpoint(m_volumes_dir, version);
  return reply;
}

VolumeReply VolumeStore::create(const std::string &version) {
  volume_detail::check_version(version);
  std::unique_lock<std::mutex> lock(m_mutex);
  VolumeReply reply = serve(lock, version);
  // 1.0's word for a Create of a version this host does not have.
  if (reply.outcome == VolumeOutcome::no_such_volume)
    reply.outcome = VolumeOutcome::invalid_version;
  return reply;
}

VolumeReply VolumeStore::mount(const std::string &version, const std::string &mount_id) {
  volume_detail::check_version(version);
  std::unique_lock<std::mutex> lock(m_mutex);
  VolumeReply reply = serve(lock, version);
  if (reply.outcome == VolumeOutcome::ok)
    ++m_mounts[version][mount_id];
  return reply;
}

VolumeReply VolumeStore::unmount(const std::string &version, const std::string &mount_id) {
  volume_detail::check_version(version);
  std::lock_guard<std::mutex> lock(m_mutex);
  auto volume = m_mounts.find(version);
  if (volume != m_mounts.end()) {
    auto id = volume->second.find(mount_id);
    if (id != volume->second.end() && --id->second == 0)
      volume->second.erase(id);
    if (volume->second.empty())
      m_mounts.erase(volume);
  }
  return {};
}

VolumeReply VolumeStore::path(const std::string &version) {
  volume_detail::check_version(version);
  std::unique_lock<std::mutex> lock(m_mutex);
  return serve(lock, version);
}

VolumeReply VolumeStore::remove(const std::string &version) {
  volume_detail::check_version(version);
  std::unique_lock<std::mutex> lock(m_mutex);
  wait_for_build(lock, version);
  VolumeReply reply;
  auto mounted = m_mounts.find(version);
  if (mounted != m_mounts.end()) {
    reply.outcome = VolumeOutcome::in_use;
    reply.mounts = total_mounts(mounted->second);
    return reply;
  }
  bool removed = remove_volume(m_volumes_dir, version);
  if (removed && m_log_line)
    m_log_line("removed " + driver_volume_name(version) + " from " +
               volume_mountpoint(m_volumes_dir, version));
  return reply;
}

std::vector<VolumeListing> VolumeStore::list() {
  std::vector<std::string> versions = volumes_on_disk(m_volumes_dir);
  // The current volume is listed even before its first build: asking for it builds it.
  try {
    std::string current = current_version();
    if (std::find(versions.begin(), versions.end(), current) == versions.end())
      versions.push_back(current);
  } catch (const std::exception &) {
    // No driver version now: the volumes on disk are still there to list.
  }
  std::vector<VolumeListing> listing;
  for (const std::string &version : versions)
    listing.push_back({version, volume_mountpoint(m_volumes_dir, version)});
  return listing;
}

} // namespace nvd
