// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/client/grammar/docker_grammar.hpp"
#include "nvd/client/settings.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nvd {

// Flags learned from an installed docker client, kept per client version so
// that `docker run --help` is read once per version.

// One line per flag: "LONG SHORT VALUE", SHORT "-" for none, VALUE 1 or 0.
std::string serialize_flags(const std::vector<FlagSpec> &flags);
// The inverse; nullopt when the text is not in that form (a damaged cache).
std::optional<std::vector<FlagSpec>> parse_serialized_flags(std::string_view text);

// The cache file for a client version line ("Docker version 28.2.2, build …")
// and command: <dir>/flags-<hash>-<command>. "" when no folder can be chosen.
std::string flag_cache_path(const Environment &env, std::string_view version_line,
                            std::string_view command);

} // namespace nvd
