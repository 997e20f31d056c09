// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/system/output.hpp"

#include <cerrno>
#include <unistd.h>

namespace nvd {

void FdOutput::write(std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(m_fd, text.data(), text.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return; // a closed stdout or stderr is not worth failing a run for
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

} // namespace nvd
