// SPDX-License-Identifier: BSD-3-Clause
// Image detection agrees with the real docker client on every command line of
// tests/data/run-corpus.tsv (what the client did was recorded by
// tests/tools/corpus_oracle.py).
#include "nvd/command_line.hpp"

#include "support/shell_words.hpp"

#include <fstream>
#include <gtest/gtest.h>

using namespace nvd;

TEST(RealWorldCorpus, ImageDetectionAgreesWithDocker) {
  std::ifstream corpus(NVD_TEST_DATA_DIR "/run-corpus.tsv");
  ASSERT_TRUE(corpus) << "cannot open the corpus";
  int lines = 0, agreed = 0;
  std::string line;
  while (std::getline(corpus, line)) {
    if (line.empty() || line[0] == '#')
      continue;
    ++lines;
    std::size_t tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    std::string expected = line.substr(0, tab);
    std::string command = line.substr(tab + 1);
    std::optional<std::vector<std::string>> words = nvd::test::shell_words(command);
    ASSERT_TRUE(words && !words->empty()) << command;
    std::vector<std::string> args(words->begin() + 1, words->end());
    ParseResult result = parse_command_line(args);

    std::string found;
    if (result.line.help_requested)
      found = "HELP";
    else if (result.failure)
      found = "PARSE-ERROR";
    else if (result.line.image_index != npos)
      found = result.line.args[result.line.image_index];
    bool refused = expected.rfind("REFUSED:", 0) == 0;
    bool same = refused ? (!result.failure && result.line.image_index != npos) : found == expected;
    if (same)
      ++agreed;
    else
      ADD_FAILURE() << command << "\n  docker: " << expected << "\n  nvidia-docker: " << found
                    << (result.failure ? " (" + result.failure->message + ")" : "");
  }
  std::cout << "[ corpus   ] " << agreed << " of " << lines
            << " real-world command lines read as docker reads them\n";
  EXPECT_GE(lines, 300);
  EXPECT_EQ(agreed, lines);
}
