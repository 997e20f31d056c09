// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nvd {

// One option of the docker client, as its flag parser (pflag) sees it.
struct FlagSpec {
  std::string long_name;   // without the leading "--"
  char short_name = 0;     // 0 when the flag has no one-letter form
  bool takes_value = false; // false: a boolean, which takes a value only as --flag=value
  bool run_only = false;   // exists for `run` but not for `create`
};

// A sorted set of flags, looked up by either name.
class FlagTable {
public:
  explicit FlagTable(std::vector<FlagSpec> flags);
  const FlagSpec *find_long(std::string_view name) const;
  const FlagSpec *find_short(char name) const;
  const std::vector<FlagSpec> &flags() const { return m_flags; }
  // A copy with `extra` flags added (those already known are kept as they were).
  FlagTable with(const std::vector<FlagSpec> &extra) const;

private:
  std::vector<FlagSpec> m_flags;
};

// The docker 28 client's global options (before the command).
const FlagTable &global_flag_table();

// The options of `docker run` and `docker create` (docker 28, hidden ones included).
const FlagTable &container_flag_table();

// The flags listed by `docker run --help`: a flag followed by a type word takes a value.
std::vector<FlagSpec> parse_help_flags(std::string_view help_text);

} // namespace nvd
