// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/json_events.hpp"
#include "nvd/common/error.hpp"

#include "support/errors.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

using namespace nvd;

namespace {

// The events as text: {k:"v",[1]} → "{ k:s(v) [ o ] }".
class Recorder : public JsonEvents {
public:
  std::string seen;
  void begin_object() override { seen += "{ "; }
  void end_object() override { seen += "} "; }
  void begin_array() override { seen += "[ "; }
  void end_array() override { seen += "] "; }
  void key(std::string_view name) override { seen += std::string(name) + ":"; }
  void string_value(std::string_view text) override { seen += "s(" + std::string(text) + ") "; }
  void other_value() override { seen += "o "; }
};

std::string events(const std::string &text) {
  Recorder recorder;
  read_json_events(text, recorder);
  return recorder.seen;
}

std::string error_of(const std::string &text) {
  std::string error = nvd::test::error_of([&] { events(text); });
  return error == "no error" ? "" : error;
}

} // namespace

TEST(JsonEvents, ReportsTheDocumentInOrder) {
  EXPECT_EQ(events(R"( {"a":"x","b":[1,-0.5e+3,true,false,null,{}],"c":{"d":[]}} )"),
            "{ a:s(x) b:[ o o o o o { } ] c:{ d:[ ] } } ");
  EXPECT_EQ(events("\"top\""), "s(top) ");
  EXPECT_EQ(events("\xEF\xBB\xBF[0]"), "[ o ] ") << "a byte order mark";
}

TEST(JsonEvents, DecodesEscapesAndKeepsUtf8) {
  EXPECT_EQ(events(R"(["a\"b\\c\/d\b\f\n\r\t"])"), "[ s(a\"b\\c/d\b\f\n\r\t) ] ");
  EXPECT_EQ(events(R"(["\u0041\u00e9\u20ac\ud83d\ude00"])"), "[ s(A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80) ] ");
  EXPECT_EQ(events("[\"caf\xC3\xA9 \xF0\x9F\x98\x80\"]"), "[ s(caf\xC3\xA9 \xF0\x9F\x98\x80) ] ");
  EXPECT_EQ(events(R"({"k\u0031":"v"})"), "{ k1:s(v) } ");
}

TEST(JsonEvents, RefusesWhatIsNotJsonSayingWhere) {
  EXPECT_EQ(error_of(""), "at byte 0: a value was expected where the text ends");
  EXPECT_EQ(error_of("[1,]"), "at byte 3: a value was expected");
  EXPECT_EQ(error_of("{\"a\" 1}"), "at byte 5: ':' was expected");
  EXPECT_EQ(error_of("{\"a\":1 \"b\":2}"), "at byte 7: ',' or '}' was expected");
  EXPECT_EQ(error_of("[1] x"), "at byte 4: text after the value");
  EXPECT_EQ(error_of("[\"a\nb\"]"), "at byte 3: a control character in a string");
  EXPECT_EQ(error_of("[\"\xC0\xAF\"]"), "at byte 2: ill-formed UTF-8 in a string") << "overlong";
  EXPECT_EQ(error_of("[\"\xED\xA0\x80\"]"), "at byte 3: ill-formed UTF-8 in a string") << "a surrogate";
  EXPECT_EQ(error_of(R"(["\ud800"])"), "at byte 8: a high surrogate without a low one");
  EXPECT_EQ(error_of(R"(["\udc00"])"), "at byte 8: a low surrogate without a high one");
  EXPECT_EQ(error_of(R"(["\x"])"), "at byte 3: an invalid escape in a string");
  EXPECT_EQ(error_of("[01]"), "at byte 2: ',' or ']' was expected");
  EXPECT_EQ(error_of(std::string(300, '[') + std::string(300, ']')), "at byte 256: nested more than 256 deep");
  EXPECT_EQ(error_of(std::string(256, '[') + std::string(256, ']')), "");
  // A general parser may stop at a NUL as at the end of the text; JSON does not.
  EXPECT_EQ(error_of(std::string("8\t\0garbage", 10)), "at byte 2: text after the value");
  EXPECT_EQ(error_of(std::string("[\"a\0\"]", 6)), "at byte 3: a control character in a string");
}

// The same verdict as a general parser on every byte string of a small
// alphabet up to four long, and on edge cases of numbers and strings.
TEST(JsonEvents, AcceptsExactlyWhatAGeneralParserAccepts) {
  const std::string alphabet = "[]{}\",:0-1e.tn \\u";
  std::vector<std::string> texts = {""};
  int compared = 0;
  for (int length = 1; length <= 4; ++length) {
    std::vector<std::string> longer;
    for (const auto &text : texts)
      for (char c : alphabet)
        longer.push_back(text + c);
    texts = longer;
    for (const auto &text : texts) {
      EXPECT_EQ(error_of(text).empty(), nlohmann::json::accept(text)) << text;
      ++compared;
    }
  }
  for (const char *text :
       {"-", "-0", "-01", "0.", "0.0", "1e", "1e+", "1E-7", "1.5e3", "tru", "true", "nul", "nulls", "[1e999]", "[1.7976931348623157e308]", "[1.8e308]",
        "\"\\u00\"", "\"\\uD83D\\u0041\"", "\"\xF4\x90\x80\x80\"", "\"\xF4\x8F\xBF\xBF\"", "\"\xE0\x9F\xBF\"",
        "\"\xE0\xA0\x80\"", "\"\x7F\"", "\"\xFF\"", "\"\xC2\"", " \t\r\n1 \t\r\n", "\f1", "{\"a\":1,}", "[,1]"})
    EXPECT_EQ(error_of(text).empty(), nlohmann::json::accept(text)) << text;
  const int n = static_cast<int>(alphabet.size());
  EXPECT_EQ(compared, n + n * n + n * n * n + n * n * n * n);
  for (const std::string &text : std::vector<std::string>{"1" + std::string(400, '0'), "-1" + std::string(308, '0'), "[-1e400]", "[1e-999]",
                                  "1" + std::string(400, '0') + "e-300", "0." + std::string(400, '1')})
    EXPECT_EQ(error_of(text).empty(), nlohmann::json::accept(text)) << text;
}
