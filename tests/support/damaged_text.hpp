// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <random>
#include <string>
#include <vector>

namespace nvd::test {

// `count` copies of `text`, each with one to three edits: bytes removed,
// replaced by one of `pieces`, or a stretch repeated. The same seed gives the
// same copies on every machine, so a failure can be replayed.
inline std::vector<std::string> damaged_copies(const std::string &text, unsigned seed, int count,
                                               const std::string &pieces) {
  std::mt19937 random(seed);
  std::vector<std::string> copies;
  for (int round = 0; round < count; ++round) {
    std::string copy = text;
    for (int edit = 0, edits = 1 + static_cast<int>(random() % 3); edit < edits; ++edit) {
      std::size_t at = random() % copy.size();
      switch (random() % 3) {
      case 0:
        copy.erase(at, 1 + random() % 4);
        break;
      case 1:
        copy[at] = pieces[random() % pieces.size()];
        break;
      default:
        copy.insert(at, copy.substr(at, random() % 40));
      }
      if (copy.empty())
        copy = "{";
    }
    copies.push_back(copy);
  }
  return copies;
}

} // namespace nvd::test
