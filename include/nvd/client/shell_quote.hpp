// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nvd {

// Quotes one word for bash so that pasting it gives back the same bytes:
// as is when safe, in '…' otherwise, in $'…' when it holds control or non-ASCII bytes.
std::string shell_quote(std::string_view word);

// The words quoted and joined by spaces.
std::string shell_join(const std::vector<std::string> &words);

} // namespace nvd
