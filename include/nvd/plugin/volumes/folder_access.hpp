// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// What volume_builder.cpp and volume_folder.cpp share to reach the volumes
// folder without following symlinks. Internal to src/plugin/volumes.

#include <string>
#include <string_view>

namespace nvd::volume_detail {

// Owns one file descriptor; closes it when destroyed.
class UniqueFd {
public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : m_fd(fd) {}
  ~UniqueFd();
  UniqueFd(UniqueFd &&other) noexcept : m_fd(other.release()) {}
  UniqueFd &operator=(UniqueFd &&other) noexcept;
  UniqueFd(const UniqueFd &) = delete;
  UniqueFd &operator=(const UniqueFd &) = delete;

  int get() const { return m_fd; }
  bool valid() const { return m_fd >= 0; }
  int release() {
    int fd = m_fd;
    m_fd = -1;
    return fd;
  }

private:
  int m_fd = -1;
};

// The name of 1.0's volume folder below the volumes folder.
inline constexpr std::string_view driver_folder_name = "nvidia_driver";

// Throws Error unless `version` is dot-separated numbers of a sane length: a
// version names a folder, so this is checked before any path is made of it.
void check_version(const std::string &version);

// Opens <volumes_dir>/nvidia_driver as a folder, never through a symlink.
// `create`: makes the volumes folder (0755, with its parents) and nvidia_driver
// (0755) if missing; otherwise a missing folder gives an invalid UniqueFd.
// Throws Error for anything else (a symlink or a file at nvidia_driver, no permission).
UniqueFd open_driver_folder(const std::string &volumes_dir, bool create);

// Removes `name` below the folder `parent` and everything in it, never
// following a symlink (a symlink is removed itself, not what it points to).
// A missing `name` is not an error. `shown` names it in errors.
void remove_tree_at(int parent, const std::string &name, const std::string &shown);

// Temporary names beside the final folders: ".build-<version>-<pid>-<n>" and
// ".remove-<version>-<pid>-<n>". A leading dot: never a version, never listed.
std::string temporary_name(std::string_view kind, const std::string &version);
bool is_temporary_name(std::string_view name);

// fsync() that ignores file systems which cannot sync a folder (EINVAL).
void sync_fd(int fd, const std::string &shown);

// "what: strerror(error)".
std::string errno_text(int error);

} // namespace nvd::volume_detail
