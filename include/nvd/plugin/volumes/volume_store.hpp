// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/plugin/driver/volume_plan.hpp"
#include "nvd/plugin/volumes/volume_api.hpp"

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>

namespace nvd {

// The driver volumes of this host, on disk under a volumes folder: the
// VolumeOperations behind the plugin API. Thread-safe. Requests for the
// current driver version build its volume when it is missing (once: other
// requests for it wait for that build); volumes of earlier drivers stay
// served while on disk. While the driver version cannot be told (current_version
// throws: a driver upgraded without a reboot), every volume on disk is still
// served, and a version not on disk is answered with that error. Only the
// volumes folder is ever written or removed.
class VolumeStore : public VolumeOperations {
public:
  using CurrentVersion = std::function<std::string()>;
  using PlanFor = std::function<VolumePlan(const std::string &version)>;
  using LogLine = std::function<void(const std::string &line)>;

  // `volumes_dir`: the -d folder (made absolute; created 0755 if missing).
  // `current_version`: the driver version now (it changes on upgrades).
  // `plan_for`: what goes in the volume of a version. `log_line`: one line per
  // build and per skipped file of its plan (may be empty). Removes the
  // leftovers of interrupted builds. Throws Error.
  VolumeStore(const std::string &volumes_dir, CurrentVersion current_version, PlanFor plan_for,
              LogLine log_line = {});

  const std::string &volumes_dir() const { return m_volumes_dir; }

  std::string current_version() override;
  VolumeReply create(const std::string &version) override;
  VolumeReply remove(const std::string &version) override;
  VolumeReply mount(const std::string &version, const std::string &mount_id) override;
  VolumeReply unmount(const std::string &version, const std::string &mount_id) override;
  VolumeReply path(const std::string &version) override;
  std::vector<VolumeListing> list() override;

private:
  // Makes sure the volume of `version` is on disk; call with m_mutex held.
  void ensure_built(std::unique_lock<std::mutex> &lock, const std::string &version);
  // Waits until no build of `version` runs; call with m_mutex held.
  void wait_for_build(std::unique_lock<std::mutex> &lock, const std::string &version);
  // ok with the mountpoint when the volume can be served, else
  // no_such_volume; the error of current_version() for a version not on disk
  // while the current one is unknown.
  VolumeReply serve(std::unique_lock<std::mutex> &lock, const std::string &version);

  std::string m_volumes_dir;
  CurrentVersion m_current_version;
  PlanFor m_plan_for;
  LogLine m_log_line;

  std::mutex m_mutex;
  std::condition_variable m_build_done;
  std::set<std::string> m_building;
  // version -> mount ID -> how many times mounted under that ID
  std::map<std::string, std::map<std::string, std::size_t>> m_mounts;
};

} // namespace nvd
