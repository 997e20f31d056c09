// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// Copying a driver file's bytes into a volume, for volume_builder.cpp when
// neither a hard link nor a reflink can be made. Internal to src/plugin/volumes.

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>

namespace nvd::volume_detail {

// One copy_file_range(2) from the current offsets of `in` to `out`: the
// bytes copied, 0 at the end (or where a file system copies nothing), -1
// with errno. A seam: tests give one that misbehaves as some file systems do.
using CopyRange = std::function<ssize_t(int in, int out, std::size_t length)>;
ssize_t kernel_copy_range(int in, int out, std::size_t length);

// Copies all of `in` (a regular file of `size` bytes, at offset 0) to `out`
// (empty, at offset 0): by the kernel where it can, else by read and write,
// also when the kernel copies nothing of a file that is not empty (FUSE,
// NFS, and kernels 5.3 to 5.18 across file systems answer 0 then). Returns
// "" once exactly `size` bytes are copied, else what went wrong: an error,
// or a copy shorter or longer than `size` (the file changed meanwhile, or
// its file system reports a wrong size).
std::string copy_file_data(int in, int out, std::uint64_t size,
                           const CopyRange &copy_range = kernel_copy_range);

} // namespace nvd::volume_detail
