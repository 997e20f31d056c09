// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <string>
#include <string_view>

namespace nvd {

// Where the client writes its messages. Not an iostream: constructing the
// standard streams costs a pass-through ~0.15 ms of locale set-up.
class Output {
public:
  virtual ~Output() = default;
  virtual void write(std::string_view text) = 0;
};

// Writes straight to a file descriptor: nothing is buffered, so nothing is
// lost when the process is replaced by exec.
class FdOutput : public Output {
public:
  explicit FdOutput(int fd) : m_fd(fd) {}
  void write(std::string_view text) override;

private:
  int m_fd;
};

// Collects what is written (tests).
class StringOutput : public Output {
public:
  void write(std::string_view text) override { m_text += text; }
  const std::string &str() const { return m_text; }

private:
  std::string m_text;
};

} // namespace nvd
