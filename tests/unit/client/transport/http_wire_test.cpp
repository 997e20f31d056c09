// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/transport/http_wire.hpp"

#include <gtest/gtest.h>

using namespace nvd;
using State = HttpResponseReader::State;

namespace {
// Feeds `text` one byte at a time, as the slowest network would.
HttpResponseReader read_bytewise(const std::string &text, std::size_t max_body = 1024) {
  HttpResponseReader reader(max_body);
  for (char c : text)
    reader.feed(std::string_view(&c, 1));
  return reader;
}
} // namespace

TEST(HttpUrl, Parses) {
  HttpUrl url;
  ASSERT_TRUE(parse_http_url("http://127.0.0.1:3476/docker/cli/json?dev=0+1", url));
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_EQ(url.port, 3476);
  EXPECT_EQ(url.target, "/docker/cli/json?dev=0+1");
  ASSERT_TRUE(parse_http_url("http://[::1]:80", url));
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.target, "/");
  ASSERT_TRUE(parse_http_url("http://docker/images/a/json", url));
  EXPECT_EQ(url.port, 80);
  for (const char *bad : {"https://h/", "http://", "http://h:x/", "http://[::1/", "http://h:70000/"})
    EXPECT_FALSE(parse_http_url(bad, url)) << bad;
}

TEST(HttpUrl, RequestKeepsTheConnection) {
  HttpUrl url{"::1", 3476, "/gpu/info/json"};
  EXPECT_EQ(format_get_request(url), "GET /gpu/info/json HTTP/1.1\r\nHost: [::1]:3476\r\n"
                                     "User-Agent: nvidia-docker\r\nAccept: */*\r\n\r\n");
}

TEST(HttpResponseReader, ContentLength) {
  HttpResponseReader reader = read_bytewise("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(reader.state(), State::complete);
  EXPECT_EQ(reader.status(), 200);
  EXPECT_EQ(reader.body(), "hello");
  EXPECT_TRUE(reader.keep_alive());
}

TEST(HttpResponseReader, ChunkedWithExtensionsAndTrailers) {
  HttpResponseReader reader = read_bytewise(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nT: v\r\n\r\n");
  EXPECT_EQ(reader.state(), State::complete);
  EXPECT_EQ(reader.body(), "hello world");
}

TEST(HttpResponseReader, ChunkedEnd) {
  HttpResponseReader reader(100);
  EXPECT_EQ(reader.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n"), State::incomplete);
  EXPECT_EQ(reader.feed("\r\n"), State::complete);
  EXPECT_EQ(reader.body(), "abc");
}

TEST(HttpResponseReader, UntilClose) {
  HttpResponseReader reader(100);
  reader.feed("HTTP/1.0 200 OK\r\n\r\npartial");
  EXPECT_EQ(reader.state(), State::incomplete);
  EXPECT_EQ(reader.end_of_stream(), State::complete);
  EXPECT_EQ(reader.body(), "partial");
  EXPECT_FALSE(reader.keep_alive());
}

TEST(HttpResponseReader, ConnectionCloseAndHttp10) {
  EXPECT_FALSE(read_bytewise("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").keep_alive());
  EXPECT_FALSE(read_bytewise("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").keep_alive());
  EXPECT_TRUE(read_bytewise("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n").keep_alive());
}

TEST(HttpResponseReader, NoBodyStatuses) {
  HttpResponseReader reader = read_bytewise("HTTP/1.1 204 No Content\r\n\r\n");
  EXPECT_EQ(reader.state(), State::complete);
  EXPECT_EQ(reader.body(), "");
}

TEST(HttpResponseReader, Refusals) {
  struct Case {
    std::string bytes, error;
  } cases[] = {
      {"SSH-2.0-OpenSSH_9.2\r\n", "not an HTTP answer"},
      {"HTTX", "not an HTTP answer"},
      {"HTTP/2 200\r\n\r\n", "not an HTTP answer"},
      {"HTTP/1.1 2x0 OK\r\n\r\n", "not an HTTP answer"},
      {"HTTP/1.1 200 OK\r\nno colon\r\n\r\n", "malformed header line"},
      {"HTTP/1.1 200 OK\r\nContent-Length: -4\r\n\r\n", "malformed Content-Length"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n", "answer larger than 1024 bytes"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "malformed chunk size"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY", "malformed chunk"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n", "answer larger than 1024 bytes"},
  };
  for (const auto &c : cases) {
    HttpResponseReader reader = read_bytewise(c.bytes);
    EXPECT_EQ(reader.state(), State::failed) << c.bytes;
    EXPECT_EQ(reader.error(), c.error) << c.bytes;
  }
}

TEST(HttpResponseReader, UntilCloseBodyIsCapped) {
  HttpResponseReader reader(4);
  EXPECT_EQ(reader.feed("HTTP/1.1 200 OK\r\n\r\n12345"), State::failed);
  EXPECT_TRUE(reader.too_large());
}

TEST(HttpResponseReader, TruncatedAnswers) {
  HttpResponseReader body(100);
  body.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  EXPECT_EQ(body.end_of_stream(), State::failed);
  EXPECT_EQ(body.error(), "the connection closed in the middle of the answer");
  HttpResponseReader nothing(100);
  EXPECT_EQ(nothing.end_of_stream(), State::failed);
  EXPECT_EQ(nothing.error(), "the connection closed without an answer");
  HttpResponseReader head(100);
  head.feed("HTTP/1.1 200 OK\r\nContent-");
  EXPECT_EQ(head.end_of_stream(), State::failed);
  EXPECT_EQ(head.error(), "the connection closed in the middle of the headers");
}
