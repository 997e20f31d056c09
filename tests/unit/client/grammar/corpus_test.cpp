// SPDX-License-Identifier: BSD-3-Clause
// Image detection agrees with the real docker client on every command line of
// tests/data/run-corpus.tsv (what the client did was recorded by
// tests/tools/corpus_oracle.py).
#include "nvd/client/grammar/command_line.hpp"

#include "support/corpus.hpp"

#include <iostream>
#include <gtest/gtest.h>

using namespace nvd;

TEST(RealWorldCorpus, ImageDetectionAgreesWithDocker) {
  int lines = 0, agreed = 0;
  for (const auto &entry : nvd::test::read_corpus(NVD_TEST_DATA_DIR "/run-corpus.tsv")) {
    ++lines;
    const std::string &expected = entry.expected;
    const std::string &command = entry.command;
    ParseResult result = parse_command_line(entry.args);

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
