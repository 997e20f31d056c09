// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/grammar/command_line.hpp"

#include "nvd/common/strings.hpp"

namespace nvd {
namespace {

// One pflag pass over args[begin..) with interspersed arguments off: flags are
// read until the first positional argument or "--".
struct FlagPass {
  std::vector<FlagUse> uses;
  std::size_t stop = npos;       // the first positional argument, or args.size()
  std::size_t terminator = npos; // the "--", if it ended the options
  std::optional<ParseFailure> failure;
};

class FlagParser {
public:
  FlagParser(const std::vector<std::string> &args, const FlagTable &table, const std::string &what,
             bool run_command)
      : m_args(args), m_table(table), m_what(what), m_run(run_command) {}

  FlagPass parse(std::size_t begin) {
    FlagPass pass;
    std::size_t i = begin;
    while (i < m_args.size() && !pass.failure) {
      const std::string &arg = m_args[i];
      if (arg == "--") {
        pass.terminator = i;
        pass.stop = i + 1;
        return pass;
      }
      if (arg.size() < 2 || arg[0] != '-') {
        pass.stop = i;
        return pass;
      }
      i = starts_with(arg, "--") ? parse_long(pass, i) : parse_shorts(pass, i);
    }
    if (!pass.failure)
      pass.stop = m_args.size();
    return pass;
  }

private:
  const FlagSpec *known(const FlagSpec *flag) const {
    // A run-only flag (--detach, --sig-proxy…) is unknown to `create`.
    return flag != nullptr && (m_run || !flag->run_only) ? flag : nullptr;
  }

  void fail(FlagPass &pass, const std::string &message, const std::string &unknown = "") {
    pass.failure = ParseFailure{m_what + ": " + message, unknown};
  }

  // Records a value given to a boolean; pflag parses it with ParseBool.
  bool check_bool(FlagPass &pass, const std::string &value, const std::string &spelling) {
    if (parse_go_bool(value))
      return true;
    fail(pass, "invalid argument \"" + printable(value) + "\" for \"" + spelling +
                   "\" flag: not a boolean (use true or false)");
    return false;
  }

  std::size_t parse_long(FlagPass &pass, std::size_t i) {
    const std::string &arg = m_args[i];
    std::string body = arg.substr(2);
    if (body.empty() || body[0] == '-' || body[0] == '=') {
      fail(pass, "bad flag syntax: " + printable(arg));
      return i + 1;
    }
    std::size_t equals = body.find('=');
    std::string name = body.substr(0, equals);
    const FlagSpec *flag = known(m_table.find_long(name));
    if (flag == nullptr) {
      fail(pass, "unknown flag: --" + printable(name), "--" + name);
      return i + 1;
    }
    FlagUse use{flag->long_name, std::nullopt, i};
    if (equals != std::string::npos) {
      use.value = body.substr(equals + 1);
      if (!flag->takes_value && !check_bool(pass, *use.value, "--" + name))
        return i + 1;
    } else if (flag->takes_value) {
      if (i + 1 >= m_args.size()) {
        fail(pass, "flag needs an argument: --" + printable(name));
        return i + 1;
      }
      use.value = m_args[i + 1];
      pass.uses.push_back(use);
      return i + 2;
    }
    pass.uses.push_back(use);
    return i + 1;
  }

  std::size_t parse_shorts(FlagPass &pass, std::size_t i) {
    const std::string &arg = m_args[i];
    // pflag reads a cluster letter by letter; a flag that takes a value
    // consumes the rest of the cluster ("-p8080:80", "-vit=X" gives -v "it=X")
    // or, at the end of the cluster, the next argument.
    std::string letters = arg.substr(1);
    std::size_t next = i + 1;
    while (!letters.empty()) {
      char c = letters[0];
      const FlagSpec *flag = known(m_table.find_short(c));
      std::string spelling = std::string("-") + c;
      if (flag == nullptr) {
        fail(pass, "unknown shorthand flag: '" + printable(std::string(1, c)) + "' in -" +
                       printable(letters),
             spelling);
        return next;
      }
      FlagUse use{flag->long_name, std::nullopt, i};
      if (letters.size() > 2 && letters[1] == '=') {
        use.value = letters.substr(2);
        letters.clear();
        if (!flag->takes_value && !check_bool(pass, *use.value, spelling))
          return next;
      } else if (!flag->takes_value) {
        letters.erase(0, 1);
      } else if (letters.size() > 1) {
        use.value = letters.substr(1);
        letters.clear();
      } else if (next < m_args.size()) {
        use.value = m_args[next];
        ++next;
        letters.clear();
      } else {
        fail(pass, "flag needs an argument: '" + printable(std::string(1, c)) + "' in -" +
                       printable(letters));
        return next;
      }
      pass.uses.push_back(use);
    }
    return next;
  }

  const std::vector<std::string> &m_args;
  const FlagTable &m_table;
  std::string m_what;
  bool m_run;
};

bool is_help(const std::vector<FlagUse> &uses) {
  for (const auto &use : uses)
    if (use.name == "help" && (!use.value || parse_go_bool(*use.value).value_or(false)))
      return true;
  return false;
}

} // namespace

std::optional<bool> parse_go_bool(const std::string &text) {
  for (const char *yes : {"1", "t", "T", "TRUE", "true", "True"})
    if (text == yes)
      return true;
  for (const char *no : {"0", "f", "F", "FALSE", "false", "False"})
    if (text == no)
      return false;
  return std::nullopt;
}

std::optional<std::string> CommandLine::last_value(const std::string &long_name) const {
  std::optional<std::string> value;
  for (const auto &use : container_flags)
    if (use.name == long_name)
      value = use.value ? use.value : std::optional<std::string>("true");
  return value;
}

bool CommandLine::has_container_flag(const std::string &long_name) const {
  for (const auto &use : container_flags)
    if (use.name == long_name)
      return true;
  return false;
}

std::optional<std::string> CommandLine::last_global_value(const std::string &long_name) const {
  std::optional<std::string> value;
  for (const auto &use : global_flags)
    if (use.name == long_name)
      value = use.value ? use.value : std::optional<std::string>("true");
  return value;
}

ParseResult parse_command_line(const std::vector<std::string> &args,
                               const FlagTable &global_flags, const FlagTable *container_flags) {
  ParseResult result;
  CommandLine &line = result.line;
  line.args = args;

  FlagPass globals = FlagParser(args, global_flags, "docker", false).parse(0);
  line.global_flags = globals.uses;
  if (globals.failure) {
    result.failure = globals.failure;
    return result;
  }
  if (globals.stop >= args.size() || is_help(globals.uses) ||
      line.last_global_value("version") == "true")
    return result; // no command: docker prints help or its version

  line.command_index = globals.stop;
  std::string command = args[line.command_index];
  std::size_t options_begin = line.command_index + 1;
  if (command == "container" && options_begin < args.size() &&
      (args[options_begin] == "run" || args[options_begin] == "create")) {
    command = args[options_begin];
    ++options_begin;
  }
  if (command == "version") {
    line.kind = CommandKind::version;
    return result;
  }
  if (command != "run" && command != "create") {
    line.kind = CommandKind::other;
    return result;
  }
  line.kind = command == "run" ? CommandKind::run : CommandKind::create;

  FlagPass options = FlagParser(args, container_flags ? *container_flags : container_flag_table(),
                                "docker " + command, line.kind == CommandKind::run)
                         .parse(options_begin);
  line.container_flags = options.uses;
  line.help_requested = is_help(options.uses);
  if (options.failure) {
    result.failure = options.failure;
    return result;
  }
  if (line.help_requested)
    return result;
  if (options.stop >= args.size()) {
    result.failure = ParseFailure{"docker " + command + ": no image given (usage: docker " +
                                      command + " [OPTIONS] IMAGE [COMMAND] [ARG...])",
                                  ""};
    return result;
  }
  line.image_index = options.stop;
  line.options_end = options.terminator != npos ? options.terminator : options.stop;
  return result;
}

} // namespace nvd
