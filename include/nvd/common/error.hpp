// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <stdexcept>
#include <string>

namespace nvd {

// The one error type: thrown where a run must stop, caught once in each main.
// The message is shown to the user as one line; it names the input at fault.
class Error : public std::runtime_error {
public:
  explicit Error(const std::string &message, int exit_code = 1);
  int exit_code() const noexcept { return m_exit_code; }

private:
  int m_exit_code;
};

// Nothing listens at the address asked: for an implicit plugin address, a
// sign that this host hands out GPUs another way (CDI, the nvidia runtime).
class ConnectionRefused : public Error {
public:
  using Error::Error;
};

// A failure that a program we ran has already explained on stderr in its own
// words (docker pull): the run stops with `exit_code` and adds nothing, so
// that the user reads docker's message alone, as with docker itself.
class AlreadyReported : public Error {
public:
  using Error::Error;
};

} // namespace nvd
