// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/grammar/docker_grammar.hpp"

#include "support/docker_client.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace nvd;
using nvd::test::docker_output;
using nvd::test::installed_docker_client;

namespace {

void expect_sorted_and_unique(const FlagTable &table) {
  std::set<std::string> names;
  std::set<char> shorts;
  for (std::size_t i = 0; i < table.flags().size(); ++i) {
    const FlagSpec &flag = table.flags()[i];
    if (i > 0) {
      EXPECT_LT(table.flags()[i - 1].long_name, flag.long_name);
    }
    EXPECT_TRUE(names.insert(flag.long_name).second) << flag.long_name;
    if (flag.short_name != 0) {
      EXPECT_TRUE(shorts.insert(flag.short_name).second) << flag.short_name;
    }
  }
}

} // namespace

TEST(DockerGrammar, TablesAreSortedWithoutDuplicates) {
  expect_sorted_and_unique(global_flag_table());
  expect_sorted_and_unique(container_flag_table());
}

TEST(DockerGrammar, LookupByBothNames) {
  const FlagTable &table = container_flag_table();
  ASSERT_NE(table.find_long("env"), nullptr);
  EXPECT_TRUE(table.find_long("env")->takes_value);
  EXPECT_EQ(table.find_short('e'), table.find_long("env"));
  EXPECT_FALSE(table.find_long("rm")->takes_value);
  EXPECT_EQ(table.find_long("nope"), nullptr);
  EXPECT_EQ(table.find_short('z'), nullptr);
  EXPECT_EQ(table.find_short(0), nullptr);
}

TEST(DockerGrammar, ParsesHelpText) {
  std::string help = "Options:\n"
                     "      --add-host list                    Add a custom host-to-IP mapping\n"
                     "  -a, --attach list                      Attach to STDIN, STDOUT or STDERR\n"
                     "  -d, --detach                           Run container in background and\n"
                     "                                         print container ID\n"
                     "      --rm                               Automatically remove\n"
                     "      --frob-level int                   Something new\n";
  std::vector<FlagSpec> flags = parse_help_flags(help);
  ASSERT_EQ(flags.size(), 5u);
  EXPECT_EQ(flags[0].long_name, "add-host");
  EXPECT_TRUE(flags[0].takes_value);
  EXPECT_EQ(flags[1].short_name, 'a');
  EXPECT_TRUE(flags[1].takes_value);
  EXPECT_EQ(flags[2].short_name, 'd');
  EXPECT_FALSE(flags[2].takes_value);
  EXPECT_FALSE(flags[3].takes_value);
  EXPECT_TRUE(flags[4].takes_value);
}

// The table must agree with the docker client installed here (the first on
// PATH, which nvidia-docker runs), flag by flag.
TEST(DockerGrammar, AgreesWithInstalledDockerHelp) {
  NVD_REQUIRE_DOCKER_CLIENT();
  for (const std::string command : {"run", "create"}) {
    std::string help = docker_output(installed_docker_client(), command + " --help");
    ASSERT_FALSE(help.empty()) << installed_docker_client() << " " << command << " --help printed nothing";
    std::vector<FlagSpec> listed = parse_help_flags(help);
    EXPECT_GT(listed.size(), 90u);
    for (const FlagSpec &flag : listed) {
      const FlagSpec *ours = container_flag_table().find_long(flag.long_name);
      ASSERT_NE(ours, nullptr) << "docker " << command << " --" << flag.long_name;
      EXPECT_EQ(ours->takes_value, flag.takes_value) << "--" << flag.long_name;
      EXPECT_EQ(ours->short_name, flag.short_name) << "--" << flag.long_name;
      if (command == "create") {
        EXPECT_FALSE(ours->run_only) << "--" << flag.long_name;
      }
    }
  }
}

TEST(DockerGrammar, GlobalTableAgreesWithInstalledDockerHelp) {
  NVD_REQUIRE_DOCKER_CLIENT();
  std::string help = docker_output(installed_docker_client(), "--help");
  // "Global Options:" since docker 23, "Options:" before.
  std::size_t options = help.find("Global Options:");
  if (options == std::string::npos)
    options = help.find("\nOptions:");
  ASSERT_NE(options, std::string::npos) << installed_docker_client() << " --help lists no options: " << help;
  std::vector<FlagSpec> listed = parse_help_flags(help.substr(options));
  EXPECT_GE(listed.size(), 11u);
  for (const FlagSpec &flag : listed) {
    const FlagSpec *ours = global_flag_table().find_long(flag.long_name);
    ASSERT_NE(ours, nullptr) << "--" << flag.long_name;
    EXPECT_EQ(ours->takes_value, flag.takes_value) << "--" << flag.long_name;
    EXPECT_EQ(ours->short_name, flag.short_name) << "--" << flag.long_name;
  }
}

TEST(DockerGrammar, WithAddsOnlyUnknownFlags) {
  FlagTable table = container_flag_table().with({{"rm", 0, true, false}, {"zeta", 'Z', true, false}});
  EXPECT_FALSE(table.find_long("rm")->takes_value);
  ASSERT_NE(table.find_short('Z'), nullptr);
  expect_sorted_and_unique(table);
}
