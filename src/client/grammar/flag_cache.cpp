// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/grammar/flag_cache.hpp"

#include "nvd/common/strings.hpp"

#include <cstdint>
#include <cstdio>

namespace nvd {

std::string serialize_flags(const std::vector<FlagSpec> &flags) {
  std::string text;
  for (const auto &flag : flags) {
    text += flag.long_name;
    text += ' ';
    text += flag.short_name != 0 ? std::string(1, flag.short_name) : std::string("-");
    text += flag.takes_value ? " 1\n" : " 0\n";
  }
  return text;
}

std::optional<std::vector<FlagSpec>> parse_serialized_flags(std::string_view text) {
  std::vector<FlagSpec> flags;
  for (const auto &line : split_any(text, "\n")) {
    std::vector<std::string> fields = split_words(line);
    if (fields.size() != 3 || fields[1].size() != 1 || (fields[2] != "0" && fields[2] != "1"))
      return std::nullopt;
    for (char c : fields[0])
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
        return std::nullopt;
    FlagSpec flag;
    flag.long_name = fields[0];
    flag.short_name = fields[1] == "-" ? 0 : fields[1][0];
    flag.takes_value = fields[2] == "1";
    flags.push_back(flag);
  }
  return flags;
}

std::string flag_cache_path(const Environment &env, std::string_view version_line,
                            std::string_view command) {
  std::string base;
  auto xdg = env.find("XDG_CACHE_HOME");
  auto home = env.find("HOME");
  if (xdg != env.end() && starts_with(xdg->second, "/"))
    base = xdg->second;
  else if (home != env.end() && starts_with(home->second, "/"))
    base = home->second + "/.cache";
  else
    return "";
  // FNV-1a: a stable short name for the version line, not a security measure.
  std::uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : version_line) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  char name[32];
  std::snprintf(name, sizeof name, "%016llx", static_cast<unsigned long long>(hash));
  return base + "/nvidia-docker/flags-" + name + "-" + std::string(command);
}

} // namespace nvd
