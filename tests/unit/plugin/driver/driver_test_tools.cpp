// SPDX-License-Identifier: BSD-3-Clause
#include "driver_test_tools.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace nvd::test {

void put32(std::string &bytes, std::uint32_t value) {
  for (int i = 0; i < 4; ++i)
    bytes += static_cast<char>((value >> (8 * i)) & 0xff);
}

namespace {

void put64(std::string &bytes, std::uint64_t value) {
  put32(bytes, static_cast<std::uint32_t>(value));
  put32(bytes, static_cast<std::uint32_t>(value >> 32));
}

} // namespace

Strings strings_of(const std::vector<CacheRow> &rows) {
  Strings strings;
  for (const CacheRow &row : rows) {
    const auto name = static_cast<std::uint32_t>(strings.table.size());
    strings.table += row.name + '\0';
    const auto path = static_cast<std::uint32_t>(strings.table.size());
    strings.table += row.path + '\0';
    strings.offsets.emplace_back(name, path);
  }
  return strings;
}

std::string new_cache(const std::vector<CacheRow> &rows, std::uint8_t endian) {
  const Strings strings = strings_of(rows);
  const auto base = static_cast<std::uint32_t>(48 + 24 * rows.size());
  std::string bytes = "glibc-ld.so.cache1.1";
  put32(bytes, static_cast<std::uint32_t>(rows.size()));
  put32(bytes, static_cast<std::uint32_t>(strings.table.size()));
  bytes += static_cast<char>(endian);
  bytes += std::string(3, '\0');
  put32(bytes, 0); // no extension directory
  bytes += std::string(12, '\0');
  for (std::size_t i = 0; i < rows.size(); ++i) {
    put32(bytes, static_cast<std::uint32_t>(rows[i].flags));
    put32(bytes, base + strings.offsets[i].first);
    put32(bytes, base + strings.offsets[i].second);
    put32(bytes, 0);
    put64(bytes, rows[i].hwcap);
  }
  return bytes + strings.table;
}

std::string ldconfig_program() {
  for (const char *path : {"/sbin/ldconfig", "/usr/sbin/ldconfig"})
    if (::access(path, X_OK) == 0)
      return path;
  return "";
}

std::string command_output(const std::string &command) {
  std::string output;
  FILE *pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "cannot run " << command << ": " << std::strerror(errno);
    return output;
  }
  char buffer[4096];
  size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
    output.append(buffer, got);
  const int status = ::pclose(pipe);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << command << " failed:\n" << output;
  return output;
}

void run_ldconfig(const std::string &root, const std::string &arguments) {
  const std::string ldconfig = ldconfig_program();
  ASSERT_FALSE(ldconfig.empty()) << "no ldconfig on this machine";
  command_output(ldconfig + " -r '" + root + "' " + arguments + " 2>&1");
}

std::string read_test_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

void make_folders(const std::string &root, const std::vector<std::string> &folders) {
  for (const std::string &folder : folders) {
    std::string path = root;
    std::stringstream parts(folder);
    std::string part;
    while (std::getline(parts, part, '/')) {
      path += "/" + part;
      if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
        ADD_FAILURE() << "cannot create " << path << ": " << std::strerror(errno);
    }
  }
}

void make_link(const std::string &target, const std::string &path) {
  ::unlink(path.c_str());
  EXPECT_EQ(::symlink(target.c_str(), path.c_str()), 0)
      << "cannot link " << path << " to " << target << ": " << std::strerror(errno);
}

} // namespace nvd::test
