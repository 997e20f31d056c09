// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/driver/root_path.hpp"

#include "driver_test_tools.hpp"
#include "elf_image.hpp"
#include "support/errors.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <climits>
#include <cstdlib>

using namespace nvd;
using nvd::test::error_of;
using nvd::test::make_link;

namespace {

// A root folder (its real path, as the driver root edge hands it over) with
// a few files and folders.
class RootPath : public ::testing::Test {
protected:
  void SetUp() override {
    char real[PATH_MAX];
    ASSERT_NE(::realpath(m_dir.path().c_str(), real), nullptr);
    m_root = real;
    nvd::test::make_folders(m_root, {"etc", "usr/lib/x86_64-linux-gnu", "opt/nvidia"});
    nvd::test::write_test_file(file("/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05"), "lib");
    nvd::test::write_test_file(file("/etc/passwd"), "root's own passwd\n", 0644);
  }

  std::string file(const std::string &inside) const { return m_root + inside; }

  std::string resolved(const std::string &path) const {
    const RootedPath result = resolve_in_root(m_root, path);
    EXPECT_EQ(result.host, m_root + result.inside);
    return result.inside;
  }

  nvd::test::TempDir m_dir{"nvd-root"};
  std::string m_root;
};

} // namespace

TEST_F(RootPath, APlainFileIsItself) {
  EXPECT_EQ(resolved("/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05"),
            "/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05");
  EXPECT_EQ(resolved("//usr/./lib//x86_64-linux-gnu/libcuda.so.535.104.05"),
            "/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05");
}

TEST_F(RootPath, TheRootItselfIsSlash) {
  EXPECT_EQ(resolved("/"), "/");
  EXPECT_EQ(resolved("/.."), "/");
}

TEST_F(RootPath, FollowsARelativeLink) {
  make_link("libcuda.so.535.104.05", file("/usr/lib/x86_64-linux-gnu/libcuda.so.1"));
  EXPECT_EQ(resolved("/usr/lib/x86_64-linux-gnu/libcuda.so.1"),
            "/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05");
}

TEST_F(RootPath, AnAbsoluteLinkStartsAgainAtTheRoot) {
  make_link("/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05", file("/opt/nvidia/libcuda.so.1"));
  EXPECT_EQ(resolved("/opt/nvidia/libcuda.so.1"), "/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05");
}

TEST_F(RootPath, ALinkedFolderIsFollowed) {
  make_link("usr/lib", file("/lib"));
  EXPECT_EQ(resolved("/lib/x86_64-linux-gnu/libcuda.so.535.104.05"),
            "/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05");
}

TEST_F(RootPath, DotDotNeverClimbsAboveTheRoot) {
  make_link("/../../../../etc/passwd", file("/opt/nvidia/absolute"));
  make_link("../../../../../../../../etc/passwd", file("/opt/nvidia/relative"));
  EXPECT_EQ(resolved("/opt/nvidia/absolute"), "/etc/passwd");
  EXPECT_EQ(resolved("/opt/nvidia/relative"), "/etc/passwd");
  EXPECT_EQ(resolved("/../../etc/passwd"), "/etc/passwd");
  EXPECT_EQ(nvd::test::read_test_file(resolve_in_root(m_root, "/opt/nvidia/absolute").host),
            "root's own passwd\n");
}

TEST_F(RootPath, ALinkOutOfTheRootToAFileItLacksIsMissing) {
  make_link("/../../../../etc/hostname", file("/opt/nvidia/escape"));
  EXPECT_EQ(error_of([&] { resolve_in_root(m_root, "/opt/nvidia/escape"); }),
            "/opt/nvidia/escape under " + m_root + ": No such file or directory");
}

TEST_F(RootPath, AMissingFileIsAnError) {
  EXPECT_EQ(error_of([&] { resolve_in_root(m_root, "/usr/lib/libnvidia-ml.so.1"); }),
            "/usr/lib/libnvidia-ml.so.1 under " + m_root + ": No such file or directory");
}

TEST_F(RootPath, ADanglingLinkIsAnError) {
  make_link("libcuda.so.470.57.02", file("/opt/nvidia/libcuda.so.1"));
  EXPECT_EQ(error_of([&] { resolve_in_root(m_root, "/opt/nvidia/libcuda.so.1"); }),
            "/opt/nvidia/libcuda.so.1 under " + m_root + ": No such file or directory");
}

TEST_F(RootPath, AFileInTheMiddleIsAnError) {
  EXPECT_EQ(error_of([&] { resolve_in_root(m_root, "/etc/passwd/x"); }),
            "/etc/passwd/x under " + m_root + ": Not a directory");
  EXPECT_EQ(error_of([&] { resolve_in_root(m_root, "/etc/passwd/.."); }),
            "/etc/passwd/.. under " + m_root + ": Not a directory");
}

TEST_F(RootPath, ALinkLoopIsAnError) {
  make_link("b", file("/opt/nvidia/a"));
  make_link("a", file("/opt/nvidia/b"));
  EXPECT_EQ(error_of([&] { resolve_in_root(m_root, "/opt/nvidia/a"); }),
            "/opt/nvidia/a under " + m_root + ": too many levels of symbolic links");
}

TEST_F(RootPath, FortyLinksAreFollowedButNotFortyOne) {
  const std::string target = "/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05";
  make_link(target, file("/opt/nvidia/link0"));
  for (int i = 1; i <= 40; ++i)
    make_link("link" + std::to_string(i - 1), file("/opt/nvidia/link" + std::to_string(i)));
  EXPECT_EQ(resolved("/opt/nvidia/link39"), target);
  EXPECT_EQ(error_of([&] { resolve_in_root(m_root, "/opt/nvidia/link40"); }),
            "/opt/nvidia/link40 under " + m_root + ": too many levels of symbolic links");
}

TEST_F(RootPath, AnEmptyPathIsAnError) {
  EXPECT_EQ(error_of([&] { resolve_in_root(m_root, ""); }), " under " + m_root + ": empty path");
}

TEST(RootPathAtSlash, HostPathsAreThePathsThemselves) {
  const RootedPath passwd = resolve_in_root("/", "/etc/passwd");
  EXPECT_EQ(passwd.inside, "/etc/passwd");
  EXPECT_EQ(passwd.host, "/etc/passwd");
}
