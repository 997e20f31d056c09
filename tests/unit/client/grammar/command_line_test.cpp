// SPDX-License-Identifier: BSD-3-Clause
// How docker's own parser reads a command line; every accepted spelling.
#include "nvd/client/grammar/command_line.hpp"

#include "support/args.hpp"
#include "support/table.hpp"

#include <gtest/gtest.h>

using namespace nvd;
using nvd::test::words;

namespace {

struct ParseCase {
  const char *name;
  std::vector<std::string> args;
  CommandKind kind;
  std::string image;        // "" when there is none
  std::size_t options_end;  // where GPU arguments go (npos when none)
  std::string error;        // the failure message, "" when it parses
};
NVD_PRINT_ROW_AS_NAME(ParseCase)

ParseCase row(const char *name, const std::string &line, CommandKind kind, const std::string &image,
              std::size_t options_end, const std::string &error = "") {
  return {name, words(line), kind, image, options_end, error};
}

class ParseTable : public ::testing::TestWithParam<ParseCase> {};

constexpr auto run = CommandKind::run;
constexpr auto create = CommandKind::create;
constexpr auto other = CommandKind::other;
constexpr auto none = CommandKind::none;

} // namespace

TEST_P(ParseTable, ReadsAsDocker) {
  const ParseCase &c = GetParam();
  ParseResult result = parse_command_line(c.args);
  EXPECT_EQ(result.failure ? result.failure->message : "", c.error);
  EXPECT_EQ(result.line.kind, c.kind);
  std::string image = result.line.image_index != npos ? result.line.args[result.line.image_index] : "";
  EXPECT_EQ(image, c.image);
  EXPECT_EQ(result.line.options_end, c.options_end);
}

INSTANTIATE_TEST_SUITE_P(
    Basics, ParseTable,
    ::testing::Values(
        row("Plain", "run cuda", run, "cuda", 1),
        row("WithCommand", "run cuda nvidia-smi -L", run, "cuda", 1),
        row("Create", "create cuda", create, "cuda", 1),
        row("ContainerRun", "container run --rm cuda", run, "cuda", 3),
        row("ContainerCreate", "container create cuda", create, "cuda", 2),
        row("ContainerOther", "container ls -a", other, "", npos),
        row("Ps", "ps -a", other, "", npos),
        row("Version", "version", CommandKind::version, "", npos),
        row("Nothing", "", none, "", npos),
        row("OnlyGlobals", "-D", none, "", npos),
        row("GlobalVersionFlag", "-v", none, "", npos),
        row("GlobalHelp", "--help run cuda", none, "", npos),
        row("RunWordAsImage", "run run", run, "run", 1),
        row("ImageIsDash", "run - x", run, "-", 1)),
    nvd::test::RowName());

INSTANTIATE_TEST_SUITE_P(
    GlobalOptions, ParseTable,
    ::testing::Values(
        row("HostSpaced", "-H tcp://gpu1:2376 run cuda", run, "cuda", 3),
        row("HostEquals", "--host=tcp://gpu1:2376 run cuda", run, "cuda", 2),
        row("HostGlued", "-Htcp://gpu1:2376 run cuda", run, "cuda", 2),
        row("DebugBundle", "-D -l debug run cuda", run, "cuda", 4),
        row("Context", "-c remote --config /tmp/cfg run cuda", run, "cuda", 5),
        row("Tls", "--tls --tlsverify --tlscacert ca.pem --tlscert c.pem --tlskey k.pem run x", run, "x", 9),
        row("LogLevelLooksLikeCommand", "--log-level run run cuda", run, "cuda", 3),
        row("UnknownGlobal", "--bogus run cuda", none, "", npos, "docker: unknown flag: --bogus"),
        row("GlobalMissingValue", "-H", none, "", npos, "docker: flag needs an argument: 'H' in -H"),
        row("DashDashBeforeCommand", "-- run cuda", run, "cuda", 2)),
    nvd::test::RowName());

INSTANTIATE_TEST_SUITE_P(
    ShortFlags, ParseTable,
    ::testing::Values(
        row("Cluster", "run -it cuda", run, "cuda", 2),
        row("ClusterDetached", "run -itd cuda", run, "cuda", 2),
        row("ClusterOtherOrder", "run -dit cuda", run, "cuda", 2),
        row("ValuedNextWord", "run -p 80:80 cuda", run, "cuda", 3),
        row("ValuedGlued", "run -p8080:80 cuda", run, "cuda", 2),
        row("ValuedEquals", "run -e=A=B cuda", run, "cuda", 2),
        row("EnvGlued", "run -eA=B cuda", run, "cuda", 2),
        row("ClusterEndingInValued", "run -itp 80:80 cuda", run, "cuda", 3),
        row("ValuedTakesRestOfCluster", "run -vit=X cuda", run, "cuda", 2),
        row("ValueLooksLikeFlag", "run -e -it cuda", run, "cuda", 3),
        row("BoolWithValue", "run -d=true cuda", run, "cuda", 2),
        row("BoolWithFalse", "run -t=false cuda", run, "cuda", 2),
        row("BoolThenBoolWithValue", "run -it=true cuda", run, "cuda", 2),
        row("HostnameIsH", "run -h box cuda", run, "cuda", 3),
        row("CpuShares", "run -c 512 cuda", run, "cuda", 3),
        row("UserGlued", "run -u1000:1000 cuda", run, "cuda", 2),
        row("WorkdirAndLabel", "run -w /src -l a=b cuda", run, "cuda", 5),
        row("PublishAll", "run -P cuda", run, "cuda", 2),
        row("Quiet", "run -q cuda", run, "cuda", 2),
        row("BoolBadValue", "run -t=X cuda", run, "", npos,
            "docker run: invalid argument \"X\" for \"-t\" flag: not a boolean (use true or false)"),
        row("BoolEmptyEquals", "run -d= cuda", run, "", npos,
            "docker run: unknown shorthand flag: '=' in -="),
        row("UnknownShort", "run -itx cuda", run, "", npos,
            "docker run: unknown shorthand flag: 'x' in -x"),
        row("ValuedAtEnd", "run -e", run, "", npos, "docker run: flag needs an argument: 'e' in -e"),
        row("ClusterValuedAtEnd", "run -ite", run, "", npos,
            "docker run: flag needs an argument: 'e' in -e"),
        row("DetachIsRunOnly", "create -d cuda", create, "", npos,
            "docker create: unknown shorthand flag: 'd' in -d")),
    nvd::test::RowName());

INSTANTIATE_TEST_SUITE_P(
    LongFlags, ParseTable,
    ::testing::Values(
        row("Equals", "run --name=x cuda", run, "cuda", 2),
        row("Spaced", "run --name x cuda", run, "cuda", 3),
        row("EmptyValue", "run --entrypoint= cuda", run, "cuda", 2),
        row("ValueStartingWithDash", "run --name --rm cuda", run, "cuda", 3),
        row("BoolFalse", "run --rm=false cuda", run, "cuda", 2),
        row("BoolTrue", "run --rm=true --init=1 --privileged=F cuda", run, "cuda", 4),
        row("BoolDoesNotTakeNextWord", "run --rm false", run, "false", 2),
        row("BoolBadValue", "run --rm=maybe cuda", run, "", npos,
            "docker run: invalid argument \"maybe\" for \"--rm\" flag: not a boolean (use true or false)"),
        row("Hidden", "run --net host --net-alias a --dns-opt x cuda", run, "cuda", 7),
        row("Deprecated", "run --kernel-memory 1g --link db:db --cpu-count 2 cuda", run, "cuda", 7),
        row("NewerBooleans", "run --use-api-socket --quiet cuda", run, "cuda", 3),
        row("Gpus", "run --gpus all cuda", run, "cuda", 3),
        row("GpusQuoted", "run --gpus \"device=0,1\" cuda", run, "cuda", 3),
        row("PullAndPlatform", "run --pull=never --platform linux/amd64 cuda", run, "cuda", 4),
        row("HealthCheck", "run --health-cmd true --health-start-interval 1s cuda", run, "cuda", 5),
        row("Unknown", "run --bogus cuda", run, "", npos, "docker run: unknown flag: --bogus"),
        row("UnknownWithValue", "run --bogus=1 cuda", run, "", npos, "docker run: unknown flag: --bogus"),
        row("TripleDash", "run ---rm cuda", run, "", npos, "docker run: bad flag syntax: ---rm"),
        row("EqualsOnly", "run --= cuda", run, "", npos, "docker run: bad flag syntax: --="),
        row("MissingValue", "run --name", run, "", npos, "docker run: flag needs an argument: --name"),
        row("SigProxyIsRunOnly", "create --sig-proxy=false cuda", create, "", npos,
            "docker create: unknown flag: --sig-proxy"),
        row("NoImage", "run -it --rm", run, "", npos,
            "docker run: no image given (usage: docker run [OPTIONS] IMAGE [COMMAND] [ARG...])"),
        row("HelpIsNotAnImage", "run --help", run, "", npos),
        row("HelpAmongOptions", "run -it --help cuda", run, "", npos)),
    nvd::test::RowName());

INSTANTIATE_TEST_SUITE_P(
    Terminator, ParseTable,
    ::testing::Values(
        // GPU arguments go before the "--", which stays where it was.
        row("DashDash", "run -it -- cuda", run, "cuda", 2),
        row("DashDashImageLooksLikeFlag", "run -- -cuda", run, "-cuda", 1),
        row("DashDashNoImage", "run --", run, "", npos,
            "docker run: no image given (usage: docker run [OPTIONS] IMAGE [COMMAND] [ARG...])"),
        row("AfterImageNotParsed", "run cuda --bogus -x", run, "cuda", 1)),
    nvd::test::RowName());

TEST(CommandLine, ExplicitVectorsKeepSpacesAndEmptyStrings) {
  std::vector<std::string> args = {"run", "-e", "A=has space", "--name", "", "--label", "x\ny",
                                   "my image", "sh", "-c", "echo 'hi'"};
  ParseResult result = parse_command_line(args);
  ASSERT_FALSE(result.failure);
  EXPECT_EQ(result.line.args[result.line.image_index], "my image");
  EXPECT_EQ(result.line.options_end, 7u);
  EXPECT_EQ(result.line.last_value("name"), "");
}

TEST(CommandLine, RecordsFlagsWithTheirValues) {
  ParseResult result = parse_command_line(words("-H h1 -H h2 run --pull=always -e A -itq cuda"));
  ASSERT_FALSE(result.failure);
  EXPECT_EQ(result.line.last_global_value("host"), "h2");
  EXPECT_EQ(result.line.last_value("pull"), "always");
  EXPECT_EQ(result.line.last_value("env"), "A");
  EXPECT_EQ(result.line.last_value("quiet"), "true");
  EXPECT_TRUE(result.line.has_container_flag("tty"));
  EXPECT_FALSE(result.line.has_container_flag("rm"));
}

TEST(CommandLine, UnknownFlagIsNamedForLearning) {
  ParseResult result = parse_command_line(words("run -it --frobnicate 3 cuda"));
  ASSERT_TRUE(result.failure);
  EXPECT_EQ(result.failure->unknown_flag, "--frobnicate");
  FlagTable learned_table = container_flag_table().with({{"frobnicate", 0, true, false}});
  ParseResult learned = parse_command_line(
      words("run -it --frobnicate 3 cuda"), global_flag_table(), &learned_table);
  ASSERT_FALSE(learned.failure);
  EXPECT_EQ(learned.line.args[learned.line.image_index], "cuda");
}

TEST(CommandLine, GoBool) {
  for (const char *yes : {"1", "t", "T", "TRUE", "true", "True"})
    EXPECT_EQ(parse_go_bool(yes), true) << yes;
  for (const char *no : {"0", "f", "F", "FALSE", "false", "False"})
    EXPECT_EQ(parse_go_bool(no), false) << no;
  for (const char *bad : {"", "yes", "tRUE", "2", " true"})
    EXPECT_EQ(parse_go_bool(bad), std::nullopt) << bad;
}

TEST(CommandLine, ThousandsOfArguments) {
  std::vector<std::string> args = {"run", "--rm"};
  for (int i = 0; i < 5000; ++i) {
    args.push_back("-e");
    args.push_back("V" + std::to_string(i) + "=x");
  }
  args.push_back("cuda");
  for (int i = 0; i < 5000; ++i)
    args.push_back("arg" + std::to_string(i));
  ParseResult result = parse_command_line(args);
  ASSERT_FALSE(result.failure);
  EXPECT_EQ(result.line.image_index, 10002u);
}
