// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/volumes/file_copy.hpp"

#include "nvd/plugin/volumes/folder_access.hpp"

#include <unistd.h>

#include <cerrno>
#include <vector>

namespace nvd::volume_detail {

ssize_t kernel_copy_range(int in, int out, std::size_t length) {
  return ::copy_file_range(in, nullptr, out, nullptr, length, 0);
}

namespace {

// Why the kernel would not copy at all: read and write instead.
bool kernel_cannot_copy(int error) {
  return error == EXDEV || error == ENOSYS || error == EOPNOTSUPP || error == EINVAL ||
         error == EPERM;
}

std::string size_problem(std::uint64_t copied, std::uint64_t size) {
  return "copied " + std::to_string(copied) + " bytes of a file of " + std::to_string(size) +
         " (it changed while copied, or its file system reports a wrong size)";
}

} // namespace

std::string copy_file_data(int in, int out, std::uint64_t size, const CopyRange &copy_range) {
  std::uint64_t copied = 0;
  // The kernel copies until it reports the end; a 0 before `size` bytes is
  // not trusted as the end: read and write go on from where it stopped
  // (both offsets moved with what it copied), and tell the real end.
  while (copied < size) {
    ssize_t n = copy_range(in, out, std::size_t{1} << 30);
    if (n > 0) {
      copied += static_cast<std::uint64_t>(n);
      continue;
    }
    if (n == 0)
      break;
    int error = errno;
    if (error == EINTR)
      continue;
    if (copied == 0 && kernel_cannot_copy(error))
      break;
    return "cannot copy: " + errno_text(error);
  }
  // Read and write: for what the kernel left, and to see the end of the file
  // (a file grown past `size` is a short copy of what it now is).
  std::vector<char> buffer(std::size_t{1} << 20);
  while (true) {
    ssize_t n = ::read(in, buffer.data(), buffer.size());
    if (n == 0)
      break;
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return "cannot read: " + errno_text(errno);
    }
    for (ssize_t written = 0; written < n;) {
      ssize_t w = ::write(out, buffer.data() + written, static_cast<std::size_t>(n - written));
      if (w < 0) {
        if (errno == EINTR)
          continue;
        return "cannot write the copy: " + errno_text(errno);
      }
      written += w;
    }
    copied += static_cast<std::uint64_t>(n);
  }
  if (copied != size)
    return size_problem(copied, size);
  return "";
}

} // namespace nvd::volume_detail
