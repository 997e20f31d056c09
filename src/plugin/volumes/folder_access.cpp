// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/volumes/folder_access.hpp"

#include "nvd/common/error.hpp"
#include "nvd/common/gpu_inventory.hpp"
#include "nvd/common/strings.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

namespace nvd::volume_detail {

UniqueFd::~UniqueFd() {
  if (m_fd >= 0)
    ::close(m_fd);
}

UniqueFd &UniqueFd::operator=(UniqueFd &&other) noexcept {
  if (this != &other) {
    if (m_fd >= 0)
      ::close(m_fd);
    m_fd = other.release();
  }
  return *this;
}

std::string errno_text(int error) { return std::strerror(error); }

void check_version(const std::string &version) {
  // 64 characters: far above any driver's version, far below NAME_MAX.
  if (!is_dotted_version(version) || version.size() > 64)
    throw Error("invalid driver version \"" + printable(version) +
                "\" (expected dot-separated numbers such as 535.104.05)");
}

namespace {

// mkdir -p with 0755 for the volumes folder itself: it is given by the
// administrator (-d), so symlinks on the way to it are followed as usual.
void make_folders(const std::string &path) {
  std::string partial;
  for (const std::string &part : split_any(path, "/")) {
    partial += (partial.empty() && path[0] != '/') ? part : "/" + part;
    if (::mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) {
      int error = errno;
      throw Error("cannot create the volumes folder " + partial + ": " + errno_text(error) +
                  (error == EACCES ? " (run the plugin as root, or choose a folder it may "
                                     "write with -d)"
                                   : ""));
    }
  }
}

std::string explain_open_failure(int parent, const std::string &name, const std::string &shown,
                                 int error) {
  // O_DIRECTORY | O_NOFOLLOW on a symlink gives ENOTDIR or ELOOP: look again.
  struct stat info {};
  if ((error == ENOTDIR || error == ELOOP) &&
      ::fstatat(parent, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(info.st_mode))
    error = ELOOP;
  if (error == ELOOP)
    return shown + " is a symlink: volumes are never reached through a symlink (replace it "
                   "with a folder, or choose another volumes folder with -d)";
  if (error == ENOTDIR)
    return shown + " is not a folder (remove it, or choose another volumes folder with -d)";
  return "cannot open " + shown + ": " + errno_text(error);
}

} // namespace

UniqueFd open_driver_folder(const std::string &volumes_dir, bool create) {
  if (volumes_dir.empty())
    throw Error("no volumes folder given (-d)");
  UniqueFd root(::open(volumes_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid() && errno == ENOENT && create) {
    make_folders(volumes_dir);
    root = UniqueFd(::open(volumes_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  }
  if (!root.valid()) {
    int error = errno;
    if (error == ENOENT)
      return UniqueFd();
    throw Error(error == ENOTDIR
                    ? "the volumes folder " + volumes_dir +
                          " is not a folder (choose another with -d)"
                    : "cannot open the volumes folder " + volumes_dir + ": " + errno_text(error));
  }
  const std::string name(driver_folder_name);
  const std::string shown = volumes_dir + "/" + name;
  auto open_below = [&] {
    return UniqueFd(
        ::openat(root.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  };
  UniqueFd folder = open_below();
  if (!folder.valid() && errno == ENOENT && create) {
    if (::mkdirat(root.get(), name.c_str(), 0755) != 0 && errno != EEXIST) {
      int error = errno;
      throw Error("cannot create " + shown + ": " + errno_text(error));
    }
    folder = open_below();
  }
  if (!folder.valid()) {
    int error = errno;
    if (error == ENOENT)
      return UniqueFd();
    throw Error(explain_open_failure(root.get(), name, shown, error));
  }
  return folder;
}

namespace {

// Volumes are two folders deep; anything far deeper is not ours to walk.
constexpr int max_tree_depth = 16;

void remove_tree(int parent, const std::string &name, const std::string &shown, int depth) {
  UniqueFd folder(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!folder.valid()) {
    int error = errno;
    if (error == ENOENT)
      return;
    // Not a folder (a file, or a symlink: O_NOFOLLOW refuses it): the entry
    // itself goes, never what a symlink points to.
    if (error == ENOTDIR || error == ELOOP) {
      if (::unlinkat(parent, name.c_str(), 0) != 0 && errno != ENOENT)
        throw Error("cannot remove " + shown + ": " + errno_text(errno));
      return;
    }
    throw Error("cannot remove " + shown + ": " + errno_text(error));
  }
  if (depth > max_tree_depth)
    throw Error("cannot remove " + shown + ": folders nested too deep for a volume");

  std::vector<std::pair<std::string, bool>> children; // name, is a folder
  {
    int listing_fd = ::dup(folder.get());
    if (listing_fd < 0)
      throw Error("cannot list " + shown + ": " + errno_text(errno));
    DIR *listing = ::fdopendir(listing_fd);
    if (listing == nullptr) {
      int error = errno;
      ::close(listing_fd);
      throw Error("cannot list " + shown + ": " + errno_text(error));
    }
    while (dirent *entry = ::readdir(listing)) {
      std::string child = entry->d_name;
      if (child == "." || child == "..")
        continue;
      bool is_folder = entry->d_type == DT_DIR;
      if (entry->d_type == DT_UNKNOWN) {
        struct stat info {};
        is_folder = ::fstatat(folder.get(), child.c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0 &&
                    S_ISDIR(info.st_mode);
      }
      children.emplace_back(std::move(child), is_folder);
    }
    ::closedir(listing);
  }
  for (const auto &[child, is_folder] : children) {
    if (is_folder)
      remove_tree(folder.get(), child, shown + "/" + child, depth + 1);
    else if (::unlinkat(folder.get(), child.c_str(), 0) != 0 && errno != ENOENT) {
      // A folder that appeared since the listing: walk it too.
      if (errno == EISDIR)
        remove_tree(folder.get(), child, shown + "/" + child, depth + 1);
      else
        throw Error("cannot remove " + shown + "/" + child + ": " + errno_text(errno));
    }
  }
  if (::unlinkat(parent, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
    throw Error("cannot remove " + shown + ": " + errno_text(errno));
}

constexpr std::string_view temporary_kinds[] = {".build-", ".remove-"};

} // namespace

void remove_tree_at(int parent, const std::string &name, const std::string &shown) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos)
    throw Error("cannot remove " + shown + ": not a name inside the folder");
  remove_tree(parent, name, shown, 0);
}

std::string temporary_name(std::string_view kind, const std::string &version) {
  static std::atomic<unsigned long> counter{0};
  return "." + std::string(kind) + "-" + version + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(++counter);
}

bool is_temporary_name(std::string_view name) {
  for (std::string_view prefix : temporary_kinds)
    if (starts_with(name, prefix) && name.size() > prefix.size())
      return true;
  return false;
}

void sync_fd(int fd, const std::string &shown) {
  if (::fsync(fd) != 0 && errno != EINVAL && errno != EROFS)
    throw Error("cannot sync " + shown + ": " + errno_text(errno));
}

} // namespace nvd::volume_detail
