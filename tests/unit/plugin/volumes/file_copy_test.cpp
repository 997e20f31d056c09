// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/volumes/file_copy.hpp"

#include "support/temp_dir.hpp"
#include "unit/plugin/volumes/volume_files.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

using namespace nvd;
using namespace nvd::test;
using nvd::volume_detail::copy_file_data;
using nvd::volume_detail::CopyRange;

namespace {

// A source file and an empty copy beside it, both open at offset 0.
class FileCopy : public ::testing::Test {
protected:
  TempDir temp{"nvd-file-copy"};
  std::string source = temp.file("libcuda.so.535.104.05");
  std::string copy = temp.file("copy");
  std::string content;
  int in = -1;
  int out = -1;
  int calls = 0;

  void make_source(std::size_t size) {
    content.resize(size);
    for (std::size_t i = 0; i < size; ++i)
      content[i] = static_cast<char>('a' + i * 7 % 26);
    write_file(source, content);
    in = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
    out = ::open(copy.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    ASSERT_GE(in, 0);
    ASSERT_GE(out, 0);
  }
  void TearDown() override {
    if (in >= 0)
      ::close(in);
    if (out >= 0)
      ::close(out);
  }
  std::string copy_with(const CopyRange &copy_range) {
    return copy_file_data(in, out, content.size(), [&](int i, int o, std::size_t length) {
      ++calls;
      return copy_range(i, o, length);
    });
  }
};

} // namespace

TEST_F(FileCopy, CopiesByTheKernel) {
  make_source(3 << 20);
  EXPECT_EQ(copy_file_data(in, out, content.size()), "");
  EXPECT_EQ(read_file(copy), content);
}

// Some FUSE and NFS file systems, and kernels 5.3 to 5.18 across file
// systems, copy nothing and answer 0 as if at the end.
TEST_F(FileCopy, ReadsAndWritesWhenTheKernelCopiesNothingOfAFileThatIsNotEmpty) {
  make_source(100000);
  EXPECT_EQ(copy_with([](int, int, std::size_t) -> ssize_t { return 0; }), "");
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(read_file(copy), content);
}

TEST_F(FileCopy, GoesOnByReadAndWriteWhereTheKernelStoppedEarly) {
  make_source(100000);
  EXPECT_EQ(copy_with([&](int i, int o, std::size_t) -> ssize_t {
              return calls == 1 ? volume_detail::kernel_copy_range(i, o, 4096) : 0;
            }),
            "");
  EXPECT_EQ(read_file(copy), content);
}

TEST_F(FileCopy, ReadsAndWritesWhereTheKernelCannotCopy) {
  make_source(5000);
  for (int error : {EXDEV, ENOSYS, EOPNOTSUPP, EINVAL, EPERM}) {
    ASSERT_EQ(::lseek(in, 0, SEEK_SET), 0);
    ASSERT_EQ(::ftruncate(out, 0), 0);
    ASSERT_EQ(::lseek(out, 0, SEEK_SET), 0);
    EXPECT_EQ(copy_with([error](int, int, std::size_t) -> ssize_t {
                errno = error;
                return -1;
              }),
              "");
    EXPECT_EQ(read_file(copy), content) << error;
  }
}

TEST_F(FileCopy, AnErrorOfTheKernelCopyIsTheProblem) {
  make_source(5000);
  EXPECT_EQ(copy_with([](int, int, std::size_t) -> ssize_t {
              errno = ENOSPC;
              return -1;
            }),
            "cannot copy: No space left on device");
}

// The size the source had when it was checked is the size the copy must have.
TEST_F(FileCopy, ACopyShorterOrLongerThanTheFileIsAProblem) {
  make_source(5000);
  EXPECT_EQ(copy_file_data(in, out, 6000),
            "copied 5000 bytes of a file of 6000 (it changed while copied, or its file system "
            "reports a wrong size)");
  ASSERT_EQ(::lseek(in, 0, SEEK_SET), 0);
  EXPECT_EQ(copy_file_data(in, out, 4000),
            "copied 5000 bytes of a file of 4000 (it changed while copied, or its file system "
            "reports a wrong size)");
}

TEST_F(FileCopy, CopiesAnEmptyFile) {
  make_source(0);
  EXPECT_EQ(copy_file_data(in, out, 0), "");
  EXPECT_EQ(read_file(copy), "");
}
