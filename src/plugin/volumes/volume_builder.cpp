// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/volumes/volume_builder.hpp"

#include "nvd/common/error.hpp"
#include "nvd/common/strings.hpp"
#include "nvd/plugin/volumes/file_copy.hpp"
#include "nvd/plugin/volumes/folder_access.hpp"
#include "nvd/plugin/volumes/volume_folder.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <vector>

namespace nvd {

using volume_detail::errno_text;
using volume_detail::UniqueFd;

namespace {

// 1.0's layout: these three are always there, even empty, as 1.0 made them.
const char *const layout_folders[] = {"bin", "lib", "lib64"};

// Splits on '/', keeping empty parts ("a//b" has three parts).
std::vector<std::string> path_parts(const std::string &path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t slash = path.find('/', start);
    parts.push_back(path.substr(start, slash - start));
    if (slash == std::string::npos)
      return parts;
    start = slash + 1;
  }
}

std::string name_problem(const std::string &name) {
  if (name.empty())
    return "has an empty part";
  if (name == "." || name == "..")
    return "has a \"" + name + "\" part";
  if (name.size() > 255)
    return "has a part longer than 255 characters";
  if (!is_plain_name(name))
    return "has characters other than letters, digits, '_', '.' and '-'";
  return "";
}

} // namespace

std::string volume_entry_problem(const VolumeEntry &entry) {
  if (entry.path.empty())
    return "the path is empty";
  if (entry.path.front() == '/')
    return "the path is absolute (it must be relative to the volume)";
  for (const std::string &part : path_parts(entry.path)) {
    std::string problem = name_problem(part);
    if (!problem.empty())
      return "the path " + problem;
  }
  switch (entry.kind) {
  case VolumeEntry::Kind::file:
    if (entry.source.empty() || entry.source.front() != '/')
      return "the source \"" + printable(entry.source) + "\" is not an absolute path";
    if (entry.source.find('\0') != std::string::npos)
      return "the source \"" + printable(entry.source) + "\" holds a NUL character";
    for (const std::string &part : path_parts(entry.source))
      if (part == "." || part == "..")
        return "the source \"" + printable(entry.source) + "\" has a \"" + part + "\" part";
    return "";
  case VolumeEntry::Kind::symlink: {
    std::string problem = name_problem(entry.source);
    if (!problem.empty())
      return "the symlink's target \"" + printable(entry.source) + "\" " + problem +
             " (it must be a file name in the same folder)";
    return "";
  }
  }
  return "unknown kind of entry";
}

namespace {

class Builder {
public:
  Builder(const VolumePlan &plan, std::string shown_root, int root)
      : m_plan(plan), m_shown_root(std::move(shown_root)) {
    m_folders.emplace("", UniqueFd(::dup(root)));
    if (!m_folders[""].valid())
      fail("", "cannot open the temporary folder: " + errno_text(errno));
  }

  void lay_out(VolumeBuild &result) {
    for (const char *folder : layout_folders)
      folder_fd(folder);
    for (const VolumeEntry &entry : m_plan.entries) {
      std::size_t slash = entry.path.rfind('/');
      std::string parent = slash == std::string::npos ? "" : entry.path.substr(0, slash);
      std::string leaf = slash == std::string::npos ? entry.path : entry.path.substr(slash + 1);
      int folder = folder_fd(parent);
      if (entry.kind == VolumeEntry::Kind::symlink) {
        if (::symlinkat(entry.source.c_str(), folder, leaf.c_str()) != 0)
          fail(entry.path, "cannot make the symlink: " + errno_text(errno));
        ++result.symlinks;
      } else {
        place_file(entry, folder, leaf, result);
      }
    }
    if (result.copies + result.clones > 0)
      sync_folders();
  }

  // Deepest first, the volume's root last: once the rename is durable,
  // everything it names is too. Only needed when files were copied: a
  // volume of hard links and symlinks is metadata alone, which journaling
  // file systems (ext4, XFS, btrfs) write in order, so its entries never
  // land after its rename; a rename lost in a crash only means the volume
  // is built again when next asked for. Each fsync here costs a journal
  // commit, several milliseconds: more than the whole build of links.
  void sync_folders() {
    for (auto it = m_folders.rbegin(); it != m_folders.rend(); ++it)
      volume_detail::sync_fd(it->second.get(), m_shown_root + "/" + it->first);
  }

private:
  [[noreturn]] void fail(const std::string &path, const std::string &what) const {
    throw Error("cannot build the driver volume at " + m_shown_root + ": " +
                (path.empty() ? "" : path + ": ") + what);
  }

  // The folder at `relative` inside the volume, made (0755) on first use,
  // opened from its parent with O_NOFOLLOW.
  int folder_fd(const std::string &relative) {
    auto found = m_folders.find(relative);
    if (found != m_folders.end())
      return found->second.get();
    std::size_t slash = relative.rfind('/');
    int parent = folder_fd(slash == std::string::npos ? "" : relative.substr(0, slash));
    std::string leaf = slash == std::string::npos ? relative : relative.substr(slash + 1);
    if (::mkdirat(parent, leaf.c_str(), 0755) != 0)
      fail(relative, "cannot make the folder: " + errno_text(errno));
    UniqueFd fd(::openat(parent, leaf.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid())
      fail(relative, "cannot open the folder: " + errno_text(errno));
    int raw = fd.get();
    m_folders.emplace(relative, std::move(fd));
    return raw;
  }

  // The source, opened: a symlink gives its file (never a copy of the link,
  // whose relative target would dangle here). O_NONBLOCK: a FIFO or a
  // device planted as a driver file never blocks the build (every Mount
  // waits on it); anything but a regular file is refused by the fstat of
  // the very descriptor that is then linked or copied.
  UniqueFd open_source(const VolumeEntry &entry, struct stat &info) const {
    const std::string shown = printable(entry.source);
    // Refused before it is opened: opening a device can do things.
    if (::stat(entry.source.c_str(), &info) != 0)
      fail(entry.path, "cannot read " + shown + ": " + errno_text(errno));
    if (!S_ISREG(info.st_mode))
      fail(entry.path, shown + " is not a regular file");
    UniqueFd in(::open(entry.source.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (!in.valid())
      fail(entry.path, "cannot read " + shown + ": " + errno_text(errno));
    // The path may name something else by now.
    if (::fstat(in.get(), &info) != 0)
      fail(entry.path, "cannot read " + shown + ": " + errno_text(errno));
    if (!S_ISREG(info.st_mode))
      fail(entry.path, shown + " is not a regular file");
    return in;
  }

  // A hard link of the open file `in` at `leaf`: 0, or the errno. From the
  // descriptor (AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc/self/fd does
  // without), so the file linked is the file checked; by the path only where
  // neither can be, and then checked to be the same file.
  int link_source(const VolumeEntry &entry, int in, const struct stat &info, int folder,
                  const std::string &leaf) const {
    if (::linkat(in, "", folder, leaf.c_str(), AT_EMPTY_PATH) == 0)
      return 0;
    if (errno != ENOENT)
      return errno;
    const std::string by_descriptor = "/proc/self/fd/" + std::to_string(in);
    if (::linkat(AT_FDCWD, by_descriptor.c_str(), folder, leaf.c_str(), AT_SYMLINK_FOLLOW) == 0)
      return 0;
    if (errno != ENOENT)
      return errno;
    if (::linkat(AT_FDCWD, entry.source.c_str(), folder, leaf.c_str(), AT_SYMLINK_FOLLOW) != 0)
      return errno;
    struct stat linked {};
    if (::fstatat(folder, leaf.c_str(), &linked, AT_SYMLINK_NOFOLLOW) != 0 ||
        linked.st_dev != info.st_dev || linked.st_ino != info.st_ino) {
      ::unlinkat(folder, leaf.c_str(), 0);
      fail(entry.path, printable(entry.source) + " was replaced while the volume was built: "
                                                 "ask for the volume again");
    }
    return 0;
  }

  void place_file(const VolumeEntry &entry, int folder, const std::string &leaf,
                  VolumeBuild &result) {
    struct stat info {};
    UniqueFd in = open_source(entry, info);
    if (!m_cross_device) {
      int error = link_source(entry, in.get(), info, folder, leaf);
      if (error == 0) {
        ++result.hard_links;
        return;
      }
      // EXDEV: the volumes folder is on another file system (1.0 failed
      // there with "invalid cross-device link"), so every file will be.
      // EPERM: fs.protected_hardlinks forbids linking a file we do not own.
      // EMLINK: the source has too many links already.
      if (error == EXDEV)
        m_cross_device = true;
      else if (error != EPERM && error != EMLINK)
        fail(entry.path, "cannot link " + printable(entry.source) + ": " + errno_text(error));
    }
    copy_file(entry, in.get(), info, folder, leaf, result);
  }

  void copy_file(const VolumeEntry &entry, int in, const struct stat &info, int folder,
                 const std::string &leaf, VolumeBuild &result) {
    UniqueFd out(
        ::openat(folder, leaf.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!out.valid())
      fail(entry.path, "cannot create the copy: " + errno_text(errno));
    // A reflink shares the blocks (btrfs, XFS; across mounts of one file
    // system too, where hard links get EXDEV); else the kernel copies.
    if (::ioctl(out.get(), FICLONE, in) == 0) {
      ++result.clones;
    } else {
      std::string problem =
          volume_detail::copy_file_data(in, out.get(), static_cast<std::uint64_t>(info.st_size));
      if (!problem.empty())
        fail(entry.path, printable(entry.source) + ": " + problem);
      ++result.copies;
    }
    // The permission bits of the source; never set-user-ID or set-group-ID
    // bits on a file this process made.
    if (::fchmod(out.get(), info.st_mode & 0777) != 0)
      fail(entry.path, "cannot set the copy's mode: " + errno_text(errno));
    // A copy's data must be on disk before the rename makes the volume look complete.
    volume_detail::sync_fd(out.get(), m_shown_root + "/" + entry.path);
  }

  const VolumePlan &m_plan;
  std::string m_shown_root;
  std::map<std::string, UniqueFd> m_folders; // by path inside the volume
  bool m_cross_device = false;
};

void check_plan(const VolumePlan &plan) {
  volume_detail::check_version(plan.version);
  const std::string volume = "nvidia_driver_" + plan.version;
  std::set<std::string> files;
  std::set<std::string> folders(std::begin(layout_folders), std::end(layout_folders));
  for (const VolumeEntry &entry : plan.entries) {
    std::string problem = volume_entry_problem(entry);
    if (!problem.empty())
      throw Error("cannot build " + volume + ": entry \"" + printable(entry.path) +
                  "\": " + problem);
    if (!files.insert(entry.path).second)
      throw Error("cannot build " + volume + ": entry \"" + entry.path + "\" appears twice");
    for (std::size_t slash = entry.path.find('/'); slash != std::string::npos;
         slash = entry.path.find('/', slash + 1))
      folders.insert(entry.path.substr(0, slash));
  }
  for (const std::string &file : files)
    if (folders.count(file) != 0)
      throw Error("cannot build " + volume + ": entry \"" + file +
                  "\" is both a file and a folder of the volume");
}

} // namespace

VolumeBuild build_volume(const VolumePlan &plan, const std::string &volumes_dir) {
  // The whole plan is checked before anything is made.
  check_plan(plan);
  VolumeBuild result;
  result.mountpoint = volume_mountpoint(volumes_dir, plan.version);
  UniqueFd drivers = volume_detail::open_driver_folder(volumes_dir, true);
  const std::string drivers_shown = volume_mountpoint(volumes_dir, "");

  struct stat existing {};
  if (::fstatat(drivers.get(), plan.version.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISDIR(existing.st_mode))
      return result;
    throw Error("cannot build the driver volume at " + result.mountpoint +
                ": something that is not a folder (a file or a symlink) is there; remove it");
  }

  const std::string temporary = volume_detail::temporary_name("build", plan.version);
  const std::string temporary_shown = drivers_shown + temporary;
  if (::mkdirat(drivers.get(), temporary.c_str(), 0755) != 0)
    throw Error("cannot build the driver volume at " + result.mountpoint + ": cannot make " +
                temporary_shown + ": " + errno_text(errno));
  try {
    UniqueFd root(::openat(drivers.get(), temporary.c_str(),
                           O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!root.valid())
      throw Error("cannot build the driver volume at " + result.mountpoint + ": cannot open " +
                  temporary_shown + ": " + errno_text(errno));
    Builder(plan, result.mountpoint, root.get()).lay_out(result);

    // RENAME_NOREPLACE: a volume that appeared meanwhile (another process
    // built it) is kept, and ours dropped.
    int renamed = ::renameat2(drivers.get(), temporary.c_str(), drivers.get(), plan.version.c_str(),
                              RENAME_NOREPLACE);
    if (renamed != 0 && errno == EINVAL) // a file system without RENAME_NOREPLACE
      renamed = ::renameat(drivers.get(), temporary.c_str(), drivers.get(), plan.version.c_str());
    if (renamed != 0) {
      int error = errno;
      if (error == EEXIST || error == ENOTEMPTY) {
        volume_detail::remove_tree_at(drivers.get(), temporary, temporary_shown);
        result = VolumeBuild{result.mountpoint};
        return result;
      }
      throw Error("cannot build the driver volume at " + result.mountpoint +
                  ": cannot rename it into place: " + errno_text(error));
    }
    if (result.copies + result.clones > 0)
      volume_detail::sync_fd(drivers.get(), drivers_shown);
  } catch (...) {
    try {
      volume_detail::remove_tree_at(drivers.get(), temporary, temporary_shown);
    } catch (const Error &) {
      // The first failure is the one to report; remove_leftover_builds()
      // takes what remains at the next start.
    }
    throw;
  }
  result.built = true;
  return result;
}

} // namespace nvd
