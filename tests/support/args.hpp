// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <sstream>
#include <string>
#include <vector>

namespace nvd::test {

// "run -it img" -> {"run", "-it", "img"}: argv written as a string, for
// arguments without spaces (use explicit vectors for the others).
inline std::vector<std::string> words(const std::string &text) {
  std::vector<std::string> out;
  std::istringstream stream(text);
  for (std::string word; stream >> word;)
    out.push_back(word);
  return out;
}

} // namespace nvd::test
