// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/client/grammar/docker_grammar.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace nvd {

inline constexpr std::size_t npos = static_cast<std::size_t>(-1);

// One flag as given on the command line.
struct FlagUse {
  std::string name;                 // the long name, whichever spelling was used
  std::optional<std::string> value; // for a boolean: the explicit value, if any
  std::size_t arg_index = 0;        // the argument that holds the flag
};

enum class CommandKind { none, run, create, version, other };

// How docker itself would read a command line (without the program name).
struct CommandLine {
  std::vector<std::string> args;
  std::vector<FlagUse> global_flags;
  CommandKind kind = CommandKind::none;
  std::size_t command_index = npos; // the command word ("run", or "container" of "container run")

  // run and create only:
  std::vector<FlagUse> container_flags;
  std::size_t options_end = npos; // where options end: the "--" or the image
  std::size_t image_index = npos;
  bool help_requested = false;    // --help among the options: docker prints help

  // The value of the last use of a container flag (docker keeps the last one).
  std::optional<std::string> last_value(const std::string &long_name) const;
  bool has_container_flag(const std::string &long_name) const;
  std::optional<std::string> last_global_value(const std::string &long_name) const;
};

// Why a command line cannot be read: `unknown_flag` is set when a flag is not
// in the table, so that the caller may learn it and try again.
struct ParseFailure {
  std::string message;
  std::string unknown_flag; // as written, e.g. "--foo" or "-x"
};

struct ParseResult {
  CommandLine line;
  std::optional<ParseFailure> failure;
};

// Reads `args` (argv without the program name) with docker's own rules: global
// options, the command, then for run/create the options up to the image.
// `container_flags` defaults to container_flag_table(), built only for run/create.
ParseResult parse_command_line(const std::vector<std::string> &args,
                               const FlagTable &global_flags = global_flag_table(),
                               const FlagTable *container_flags = nullptr);

// Go's strconv.ParseBool, which pflag uses for boolean values.
std::optional<bool> parse_go_bool(const std::string &text);

} // namespace nvd
