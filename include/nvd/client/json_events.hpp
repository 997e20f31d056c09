// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace nvd {

// What a strict JSON reader (RFC 8259) saw, in document order, for answers
// where only a few fields matter: nothing is built, and strings without
// escapes are views into the text. For a 5.5 KB /gpu/info/json, a tenth of
// the instructions a general parser's lexer takes.
class JsonEvents {
public:
  virtual ~JsonEvents() = default;
  virtual void begin_object() = 0;
  virtual void end_object() = 0;
  virtual void begin_array() = 0;
  virtual void end_array() = 0;
  virtual void key(std::string_view name) = 0;          // escapes decoded
  virtual void string_value(std::string_view text) = 0; // escapes decoded
  virtual void other_value() = 0;                       // a number, true or false
  virtual void null_value() { other_value(); }
};

// The events with the bookkeeping every reader of a few fields needs: the
// role it gave each container it is in (outermost first), and the last key
// read. `Role` has an `other` value: the parent of the top-level value.
template <typename Role>
class RoleTrackingEvents : public JsonEvents {
public:
  void end_object() override { m_open.pop_back(); }
  void end_array() override { m_open.pop_back(); }
  void key(std::string_view name) override { m_key.assign(name); }

protected:
  Role parent() const { return m_open.empty() ? Role::other : m_open.back(); }

  std::vector<Role> m_open;
  std::string m_key;
};

// The deepest nesting read (a plugin answer is 4 deep).
inline constexpr int max_json_depth = 256;

// Reads all of `text` (one value, white space around it), reporting it to
// `events`; throws Error "at byte N: what" where it is not JSON: bad syntax,
// control characters or ill-formed UTF-8 in a string, lone surrogates, text
// after the value, nesting deeper than max_json_depth.
void read_json_events(std::string_view text, JsonEvents &events);

} // namespace nvd
