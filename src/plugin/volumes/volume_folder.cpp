// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/volumes/volume_folder.hpp"

#include "nvd/common/error.hpp"
#include "nvd/common/gpu_inventory.hpp"
#include "nvd/common/strings.hpp"
#include "nvd/plugin/volumes/folder_access.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace nvd {

using volume_detail::UniqueFd;

namespace {

std::string without_trailing_slashes(std::string path) {
  while (path.size() > 1 && path.back() == '/')
    path.pop_back();
  return path;
}

// Numeric order of dotted versions: "9.1" < "10.0" < "10.0.1".
bool version_less(const std::string &a, const std::string &b) {
  std::vector<std::string> left = split_any(a, "."), right = split_any(b, ".");
  for (std::size_t i = 0; i < left.size() && i < right.size(); ++i) {
    std::string x = left[i], y = right[i];
    x.erase(0, std::min(x.find_first_not_of('0'), x.size()));
    y.erase(0, std::min(y.find_first_not_of('0'), y.size()));
    if (x.size() != y.size())
      return x.size() < y.size();
    if (x != y)
      return x < y;
  }
  if (left.size() != right.size())
    return left.size() < right.size();
  return a < b; // "01" and "1": any fixed order
}

enum class Found { nothing, folder, other };

Found look_up(int folder, const std::string &name, const std::string &shown) {
  struct stat info {};
  if (::fstatat(folder, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) {
    int error = errno;
    if (error == ENOENT)
      return Found::nothing;
    throw Error("cannot look at " + shown + ": " + volume_detail::errno_text(error));
  }
  return S_ISDIR(info.st_mode) ? Found::folder : Found::other;
}

std::vector<std::string> folder_names(int folder, const std::string &shown) {
  int listing_fd = ::dup(folder);
  DIR *listing = listing_fd < 0 ? nullptr : ::fdopendir(listing_fd);
  if (listing == nullptr) {
    int error = errno;
    if (listing_fd >= 0)
      ::close(listing_fd);
    throw Error("cannot list " + shown + ": " + volume_detail::errno_text(error));
  }
  std::vector<std::string> names;
  while (dirent *entry = ::readdir(listing)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..")
      names.push_back(std::move(name));
  }
  ::closedir(listing);
  return names;
}

} // namespace

std::string volume_mountpoint(const std::string &volumes_dir, const std::string &version) {
  std::string base = without_trailing_slashes(volumes_dir);
  return (base == "/" ? "" : base) + "/" + std::string(volume_detail::driver_folder_name) + "/" +
         version;
}

bool volume_on_disk(const std::string &volumes_dir, const std::string &version) {
  volume_detail::check_version(version);
  UniqueFd drivers = volume_detail::open_driver_folder(volumes_dir, false);
  if (!drivers.valid())
    return false;
  // A symlink or a file where a volume should be is no volume: never served.
  return look_up(drivers.get(), version, volume_mountpoint(volumes_dir, version)) == Found::folder;
}

std::vector<std::string> volumes_on_disk(const std::string &volumes_dir) {
  UniqueFd drivers = volume_detail::open_driver_folder(volumes_dir, false);
  if (!drivers.valid())
    return {};
  std::string shown = volume_mountpoint(volumes_dir, "");
  shown.pop_back();
  std::vector<std::string> versions;
  for (std::string &name : folder_names(drivers.get(), shown))
    if (is_dotted_version(name) && name.size() <= 64 &&
        look_up(drivers.get(), name, shown + "/" + name) == Found::folder)
      versions.push_back(std::move(name));
  std::sort(versions.begin(), versions.end(), version_less);
  return versions;
}

bool remove_volume(const std::string &volumes_dir, const std::string &version) {
  volume_detail::check_version(version);
  UniqueFd drivers = volume_detail::open_driver_folder(volumes_dir, false);
  if (!drivers.valid())
    return false;
  const std::string shown = volume_mountpoint(volumes_dir, version);
  switch (look_up(drivers.get(), version, shown)) {
  case Found::nothing:
    return false;
  case Found::other:
    throw Error(shown + " is not a volume folder (a file or a symlink): left alone; remove it "
                        "by hand if it is not needed");
  case Found::folder:
    break;
  }
  // Renamed aside first: a half-removed volume must not look like a volume.
  std::string aside = volume_detail::temporary_name("remove", version);
  if (::renameat(drivers.get(), version.c_str(), drivers.get(), aside.c_str()) != 0) {
    int error = errno;
    if (error == ENOENT)
      return false;
    throw Error("cannot remove " + shown + ": " + volume_detail::errno_text(error));
  }
  volume_detail::sync_fd(drivers.get(), volume_mountpoint(volumes_dir, ""));
  volume_detail::remove_tree_at(drivers.get(), aside, volume_mountpoint(volumes_dir, aside));
  return true;
}

std::size_t remove_leftover_builds(const std::string &volumes_dir) {
  UniqueFd drivers = volume_detail::open_driver_folder(volumes_dir, true);
  std::string shown = volume_mountpoint(volumes_dir, "");
  shown.pop_back();
  std::size_t removed = 0;
  for (const std::string &name : folder_names(drivers.get(), shown)) {
    if (!volume_detail::is_temporary_name(name))
      continue;
    volume_detail::remove_tree_at(drivers.get(), name, shown + "/" + name);
    ++removed;
  }
  return removed;
}

} // namespace nvd
