// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "support/shell_words.hpp"

#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace nvd::test {

// One line of tests/data/run-corpus.tsv: what docker did, and the command line.
struct CorpusLine {
  std::string expected; // an image, HELP, PARSE-ERROR or REFUSED:<why>
  std::string command;
  std::vector<std::string> args; // the command line's words after "docker"
};

inline std::vector<CorpusLine> read_corpus(const std::string &path) {
  std::ifstream file(path);
  if (!file)
    throw std::runtime_error("cannot open " + path);
  std::vector<CorpusLine> lines;
  std::string line;
  while (std::getline(file, line)) {
    if (line.empty() || line[0] == '#')
      continue;
    std::size_t tab = line.find('\t');
    auto words = tab == std::string::npos ? std::nullopt : shell_words(line.substr(tab + 1));
    if (!words || words->empty())
      throw std::runtime_error("malformed corpus line: " + line);
    lines.push_back({line.substr(0, tab), line.substr(tab + 1),
                     std::vector<std::string>(words->begin() + 1, words->end())});
  }
  return lines;
}

} // namespace nvd::test
