// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/volumes/plugin_http.hpp"

#include "support/table.hpp"

#include <gtest/gtest.h>

#include <cstdio>

using namespace nvd;

namespace {

constexpr std::size_t max_body = 64 * 1024;

HttpParse parse(std::string_view data) { return parse_http_request(data, max_body); }

const std::string mount_body = "{\"Name\":\"nvidia_driver_535.104.05\",\"ID\":\"f00d\"}\n";
const std::string docker_mount = "POST /VolumeDriver.Mount HTTP/1.1\r\n"
                                 "Host: plugin\r\n"
                                 "User-Agent: Go-http-client/1.1\r\n"
                                 "Content-Length: " +
                                 std::to_string(mount_body.size()) +
                                 "\r\n"
                                 "Accept: application/vnd.docker.plugins.v1.2+json\r\n"
                                 "Accept-Encoding: gzip\r\n"
                                 "\r\n" +
                                 mount_body;

std::string chunk(const std::string &data, const std::string &extension = "") {
  char size[16];
  std::snprintf(size, sizeof size, "%zX", data.size());
  return size + extension + "\r\n" + data + "\r\n";
}

} // namespace

TEST(PluginHttp, ReadsARequestAsDockerSendsIt) {
  HttpParse result = parse(docker_mount);
  ASSERT_EQ(result.state, HttpParseState::complete) << result.problem;
  EXPECT_EQ(result.request.method, "POST");
  EXPECT_EQ(result.request.target, "/VolumeDriver.Mount");
  EXPECT_EQ(result.request.version, "HTTP/1.1");
  EXPECT_EQ(result.request.body, mount_body);
  EXPECT_TRUE(result.request.keep_alive);
  EXPECT_EQ(result.consumed, docker_mount.size());
  ASSERT_EQ(result.request.headers.size(), 5u);
  EXPECT_EQ(result.request.headers[0].first, "host");
  EXPECT_EQ(result.request.headers[3].second, "application/vnd.docker.plugins.v1.2+json");
}

TEST(PluginHttp, IsIncompleteUntilTheLastByteHasCome) {
  for (std::size_t cut = 0; cut < docker_mount.size(); ++cut) {
    HttpParse result = parse(std::string_view(docker_mount).substr(0, cut));
    ASSERT_EQ(result.state, HttpParseState::incomplete) << "cut at " << cut;
  }
}

TEST(PluginHttp, ReadsPipelinedRequestsOneAtATime) {
  std::string two = docker_mount + "POST /Plugin.Activate HTTP/1.1\r\nContent-Length: 0\r\n\r\n";
  HttpParse first = parse(two);
  ASSERT_EQ(first.state, HttpParseState::complete);
  EXPECT_EQ(first.consumed, docker_mount.size());
  HttpParse second = parse(std::string_view(two).substr(first.consumed));
  ASSERT_EQ(second.state, HttpParseState::complete);
  EXPECT_EQ(second.request.target, "/Plugin.Activate");
  EXPECT_EQ(second.request.body, "");
}

TEST(PluginHttp, DecodesAChunkedBody) {
  std::string request = "POST /VolumeDriver.Get HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" +
                        chunk("{\"Nam") + chunk("e\":\"nvidia_driver_535.104.05", ";ext=1") +
                        chunk("\"}") + "0\r\nX-Trailer: 1\r\n\r\n";
  HttpParse result = parse(request);
  ASSERT_EQ(result.state, HttpParseState::complete) << result.problem;
  EXPECT_EQ(result.request.body, "{\"Name\":\"nvidia_driver_535.104.05\"}");
  EXPECT_EQ(result.consumed, request.size());
  for (std::size_t cut = 0; cut < request.size(); ++cut)
    ASSERT_EQ(parse(std::string_view(request).substr(0, cut)).state, HttpParseState::incomplete)
        << "cut at " << cut;
}

TEST(PluginHttp, AcceptsBareLineFeedsAndLeadingEmptyLines) {
  HttpParse result = parse("\r\n\nPOST /Plugin.Activate HTTP/1.1\nContent-Length: 2\n\n{}");
  ASSERT_EQ(result.state, HttpParseState::complete) << result.problem;
  EXPECT_EQ(result.request.body, "{}");
}

TEST(PluginHttp, ConnectionHeaderDecidesKeepAlive) {
  EXPECT_FALSE(parse("POST / HTTP/1.1\r\nConnection: Close\r\n\r\n").request.keep_alive);
  EXPECT_TRUE(parse("POST / HTTP/1.1\r\n\r\n").request.keep_alive);
  EXPECT_FALSE(parse("POST / HTTP/1.0\r\n\r\n").request.keep_alive);
  EXPECT_TRUE(parse("POST / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").request.keep_alive);
  EXPECT_FALSE(parse("POST / HTTP/1.1\r\nConnection: te, close\r\n\r\n").request.keep_alive);
}

TEST(PluginHttp, ReportsAnExpectedContinueOnceTheHeadIsIn) {
  HttpParse result = parse("POST /VolumeDriver.Get HTTP/1.1\r\nExpect: 100-continue\r\n"
                           "Content-Length: 10\r\n\r\n");
  EXPECT_EQ(result.state, HttpParseState::incomplete);
  EXPECT_TRUE(result.head_complete);
  EXPECT_TRUE(result.request.expects_continue);
}

struct BadCase {
  const char *name;
  std::string data;
  int status;
  const char *problem;
};
NVD_PRINT_ROW_AS_NAME(BadCase)
class PluginHttpRefuses : public ::testing::TestWithParam<BadCase> {};

TEST_P(PluginHttpRefuses, WithAStatusAndAReason) {
  HttpParse result = parse(GetParam().data);
  ASSERT_EQ(result.state, HttpParseState::bad);
  EXPECT_EQ(result.status, GetParam().status);
  EXPECT_EQ(result.problem, GetParam().problem);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PluginHttpRefuses,
    ::testing::Values(
        BadCase{"NoTarget", "POST\r\n\r\n", 400, "malformed request line"},
        BadCase{"ExtraSpace", "POST /a b HTTP/1.1\r\n\r\n", 400, "malformed request line"},
        BadCase{"NotHttp", "POST /a FTP/1.0\r\n\r\n", 400, "malformed request line"},
        BadCase{"Http2", "POST /a HTTP/2.0\r\n\r\n", 505, "only HTTP/1.1 and HTTP/1.0 are served"},
        BadCase{"MethodWithSlash", "PO/ST /a HTTP/1.1\r\n\r\n", 400, "malformed method"},
        BadCase{"ControlInTarget", std::string("POST /a\x01 HTTP/1.1\r\n\r\n"), 400,
                "control characters in the request target"},
        BadCase{"HeaderWithoutColon", "POST /a HTTP/1.1\r\nHost plugin\r\n\r\n", 400,
                "malformed header line"},
        BadCase{"SpaceBeforeColon", "POST /a HTTP/1.1\r\nHost : plugin\r\n\r\n", 400,
                "malformed header line"},
        BadCase{"FoldedHeader", "POST /a HTTP/1.1\r\nX: a\r\n b\r\n\r\n", 400,
                "folded header lines are not accepted"},
        BadCase{"LengthNotANumber", "POST /a HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400,
                "malformed Content-Length"},
        BadCase{"LengthHuge", "POST /a HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
                400, "malformed Content-Length"},
        BadCase{"TwoLengths", "POST /a HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                400, "conflicting Content-Length headers"},
        BadCase{"LengthAndChunked",
                "POST /a HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
                "both Content-Length and Transfer-Encoding"},
        BadCase{"Gzip", "POST /a HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501,
                "only the chunked transfer coding is served"},
        BadCase{"BodyTooLarge", "POST /a HTTP/1.1\r\nContent-Length: 65537\r\n\r\n", 413,
                "the request body is larger than 65536 bytes"},
        BadCase{"ChunksTooLarge", "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10001\r\n",
                413, "the request body is larger than 65536 bytes"},
        BadCase{"ChunkSizeNotHex", "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                400, "a chunk size is not a hexadecimal number"},
        BadCase{"ChunkSizeOverflow",
                "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n", 400,
                "a chunk size is not a hexadecimal number"},
        BadCase{"ChunkWithoutEnd",
                "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n", 400,
                "a chunk does not end with CRLF"},
        BadCase{"OtherExpectation", "POST /a HTTP/1.1\r\nExpect: 200-ok\r\n\r\n", 417,
                "only \"Expect: 100-continue\" is served"},
        BadCase{"HeadTooLarge", "POST /a HTTP/1.1\r\nX: " + std::string(20000, 'a'), 431,
                "the request headers are larger than 16384 bytes"},
        BadCase{"RequestLineTooLarge", "POST /" + std::string(20000, 'a'), 431,
                "the request line is too long"}),
    nvd::test::RowName());

const std::string chunked_head =
    "POST /VolumeDriver.Mount HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";

// Endless trailers after the last chunk: refused once they pass the budget,
// whether or not their end has come.
TEST(PluginHttp, RefusesTrailersBeyondTheFramingBudget) {
  std::string trailers;
  while (trailers.size() <= max_chunk_framing)
    trailers += "X: a\r\n";
  for (const std::string &request :
       {chunked_head + "0\r\n" + trailers, chunked_head + "0\r\n" + trailers + "\r\n",
        chunked_head + "0\r\nX: " + std::string(max_chunk_framing, 'a')}) {
    HttpParse result = parse(request);
    ASSERT_EQ(result.state, HttpParseState::bad) << request.size();
    EXPECT_EQ(result.status, 413);
    EXPECT_EQ(result.problem, "the chunk size lines and trailers are larger than " +
                                  std::to_string(max_chunk_framing) + " bytes");
  }
  // Within the budget they are read and ignored.
  HttpParse fine = parse(chunked_head + "2\r\n{}\r\n0\r\nX: a\r\nY: b\r\n\r\n");
  ASSERT_EQ(fine.state, HttpParseState::complete) << fine.problem;
  EXPECT_EQ(fine.request.body, "{}");
}

// 1-byte chunks with long extensions: a small body in a huge request.
TEST(PluginHttp, RefusesChunkExtensionsBeyondTheFramingBudget) {
  std::string request = chunked_head;
  while (request.size() <= 2 * max_chunk_framing)
    request += chunk("a", ";" + std::string(1000, 'e'));
  HttpParse result = parse(request);
  ASSERT_EQ(result.state, HttpParseState::bad);
  EXPECT_EQ(result.status, 413);
  EXPECT_EQ(result.problem, "the chunk size lines and trailers are larger than " +
                                std::to_string(max_chunk_framing) + " bytes");
  // One chunk size line is at most 1024 bytes, whole or not.
  for (const std::string &line : {chunk("a", ";" + std::string(1100, 'e')),
                                  "1;" + std::string(1100, 'e')}) {
    HttpParse long_line = parse(chunked_head + line);
    ASSERT_EQ(long_line.state, HttpParseState::bad);
    EXPECT_EQ(long_line.status, 400);
    EXPECT_EQ(long_line.problem, "a chunk size line is too long");
  }
}

TEST(PluginHttp, AFullBodyOfSmallChunksFitsTheBudget) {
  // 64 KiB in 1 KiB chunks: 64 size lines, well within the framing budget.
  std::string request = chunked_head;
  for (int i = 0; i < 64; ++i)
    request += chunk(std::string(1024, 'x'));
  request += "0\r\n\r\n";
  HttpParse result = parse(request);
  ASSERT_EQ(result.state, HttpParseState::complete) << result.problem;
  EXPECT_EQ(result.request.body.size(), max_body);
}

// What lets the server parse again only when it can matter: an incomplete
// parse says how many bytes it waits for, and whether a line end would do.
TEST(PluginHttp, AnIncompleteParseSaysWhatItWaitsFor) {
  HttpParse line = parse("POST /VolumeDriver.Mount HTTP/1.1\r\nHost: plu");
  EXPECT_EQ(line.state, HttpParseState::incomplete);
  EXPECT_TRUE(line.line_wanted);
  EXPECT_EQ(line.wanted, max_http_head + 1);

  std::string head = "POST /VolumeDriver.Mount HTTP/1.1\r\nContent-Length: 100\r\n\r\n";
  HttpParse body = parse(head + "{\"Name\"\n");
  EXPECT_EQ(body.state, HttpParseState::incomplete);
  EXPECT_FALSE(body.line_wanted);
  EXPECT_EQ(body.wanted, head.size() + 100);

  std::string one_chunk = chunked_head + "100\r\n";
  HttpParse data = parse(one_chunk + "abc\n");
  EXPECT_EQ(data.state, HttpParseState::incomplete);
  EXPECT_FALSE(data.line_wanted);
  EXPECT_EQ(data.wanted, one_chunk.size() + 0x100 + 2);

  HttpParse size_line = parse(chunked_head + "10");
  EXPECT_EQ(size_line.state, HttpParseState::incomplete);
  EXPECT_TRUE(size_line.line_wanted);
  EXPECT_EQ(size_line.wanted, chunked_head.size() + 1025);

  // Whatever comes, nothing changes below `wanted` without a line end: every
  // prefix of a request parses the same as the shortest one of its kind.
  std::string request = docker_mount;
  HttpParse previous = parse(std::string_view(request).substr(0, 1));
  for (std::size_t cut = 2; cut <= request.size(); ++cut) {
    HttpParse now = parse(std::string_view(request).substr(0, cut));
    bool may_change = cut >= previous.wanted ||
                      (previous.line_wanted && request[cut - 1] == '\n');
    if (!may_change) {
      ASSERT_EQ(now.state, HttpParseState::incomplete) << "cut at " << cut;
      continue;
    }
    previous = now;
  }
  EXPECT_EQ(previous.state, HttpParseState::complete);
}

TEST(PluginHttp, WritesAnAnswerWithItsLength) {
  EXPECT_EQ(
      render_http_response(200, "application/vnd.docker.plugins.v1+json", "{\"Err\":\"\"}", true),
      "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.plugins.v1+json\r\n"
      "Content-Length: 10\r\n\r\n{\"Err\":\"\"}");
  EXPECT_EQ(render_http_response(404, "text/plain", "", false),
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n"
            "Connection: close\r\n\r\n");
}
