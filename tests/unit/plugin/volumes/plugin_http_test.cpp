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

TEST(PluginHttp, WritesAnAnswerWithItsLength) {
  EXPECT_EQ(
      render_http_response(200, "application/vnd.docker.plugins.v1+json", "{\"Err\":\"\"}", true),
      "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.plugins.v1+json\r\n"
      "Content-Length: 10\r\n\r\n{\"Err\":\"\"}");
  EXPECT_EQ(render_http_response(404, "text/plain", "", false),
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n"
            "Connection: close\r\n\r\n");
}
