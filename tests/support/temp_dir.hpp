// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <string>

namespace nvd::test {

// A fresh folder under $TMPDIR (or /tmp).
std::string make_temp_dir(const std::string &prefix);
// Removes a folder and everything in it.
void remove_tree(const std::string &path);

// A temporary folder removed with the object.
class TempDir {
public:
  explicit TempDir(const std::string &prefix = "nvd-test") : m_path(make_temp_dir(prefix)) {}
  ~TempDir() { remove_tree(m_path); }
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  const std::string &path() const { return m_path; }
  std::string file(const std::string &name) const { return m_path + "/" + name; }

private:
  std::string m_path;
};

} // namespace nvd::test
