// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/rewrite.hpp"
#include "nvd/client/shell_quote.hpp"

#include "support/args.hpp"

#include <gtest/gtest.h>

using namespace nvd;
using nvd::test::words;

namespace {
std::vector<std::string> rewritten(const std::vector<std::string> &args) {
  return insert_before_image(parse_command_line(args).line, {"--device=/dev/nvidia0"});
}
} // namespace

TEST(Rewrite, InsertsBeforeTheImage) {
  EXPECT_EQ(rewritten(words("run -it --rm cuda nvidia-smi")),
            words("run -it --rm --device=/dev/nvidia0 cuda nvidia-smi"));
}

TEST(Rewrite, InsertsBeforeTheDashDash) {
  EXPECT_EQ(rewritten(words("run -it -- cuda -x")), words("run -it --device=/dev/nvidia0 -- cuda -x"));
}

TEST(Rewrite, KeepsGlobalsAndContainerWord) {
  EXPECT_EQ(rewritten(words("-H tcp://h:1 container create cuda")),
            words("-H tcp://h:1 container create --device=/dev/nvidia0 cuda"));
}

TEST(Rewrite, KeepsEveryByte) {
  std::vector<std::string> args = {"run", "-e", "A=\n\"'$`\\", "--name", "", "img\xff", "", "a b"};
  std::vector<std::string> expected = {"run", "-e", "A=\n\"'$`\\", "--name", "", "--device=/dev/nvidia0",
                                       "img\xff", "", "a b"};
  EXPECT_EQ(rewritten(args), expected);
}

TEST(Rewrite, DockerArgvPutsCommandWordsFirst) {
  EXPECT_EQ(docker_argv({"sudo", "docker", "-D"}, {"run", "x"}),
            (std::vector<std::string>{"sudo", "docker", "-D", "run", "x"}));
}

TEST(ShellQuote, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(shell_quote("--device=/dev/nvidia0"), "--device=/dev/nvidia0");
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("a b"), "'a b'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote("$HOME"), "'$HOME'");
  EXPECT_EQ(shell_quote("a\nb"), "$'a\\x0ab'");
  EXPECT_EQ(shell_quote("\xff'\\"), "$'\\xff\\'\\\\'");
  EXPECT_EQ(shell_join({"docker", "run", "a b", ""}), "docker run 'a b' ''");
}

TEST(ShellQuote, RoundTripsThroughBash) {
  std::vector<std::string> tricky = {"a b", "it's", "$(touch /tmp/x)", "a\nb\tc", "\x01\xff", "\\", "'", "\"", "*"};
  for (const auto &word : tricky) {
    std::string command = "printf '%s' " + shell_quote(word);
    std::string script = "bash -c " + shell_quote(command);
    FILE *pipe = popen(script.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string out;
    char buffer[256];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0)
      out.append(buffer, n);
    pclose(pipe);
    EXPECT_EQ(out, word) << shell_quote(word);
  }
}
