// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/volumes/volume_plugin_server.hpp"

#include "nvd/common/error.hpp"
#include "nvd/plugin/volumes/volume_store.hpp"
#include "support/temp_dir.hpp"
#include "unit/plugin/volumes/volume_files.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <thread>

using namespace nvd;
using namespace nvd::test;
namespace fs = std::filesystem;

namespace {

int connect_to(const std::string &socket_path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof address.sun_path, "%s", socket_path.c_str());
  if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0)
    throw std::runtime_error("cannot connect to " + socket_path);
  return fd;
}

void send_text(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t sent = ::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
    if (sent <= 0)
      throw std::runtime_error("send failed");
    text.remove_prefix(static_cast<std::size_t>(sent));
  }
}

// Reads until the server closes the connection (10 s at most).
std::string read_to_end(int fd) {
  std::string out;
  char buffer[4096];
  while (true) {
    pollfd wait{fd, POLLIN, 0};
    if (::poll(&wait, 1, 10000) <= 0)
      break;
    ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
    if (got <= 0)
      break;
    out.append(buffer, static_cast<std::size_t>(got));
  }
  return out;
}

// Sends raw bytes, ends the request side, and returns all the server wrote.
std::string round_trip(const std::string &socket_path, const std::string &raw) {
  int fd = connect_to(socket_path);
  send_text(fd, raw);
  ::shutdown(fd, SHUT_WR);
  std::string answer = read_to_end(fd);
  ::close(fd);
  return answer;
}

struct Reply {
  int status = 0;
  std::string head;
  std::string body;
};

Reply reply_of(const std::string &raw) {
  Reply reply;
  std::size_t end = raw.find("\r\n\r\n");
  if (raw.size() < 12 || end == std::string::npos)
    return reply;
  reply.status = std::stoi(raw.substr(9, 3));
  reply.head = raw.substr(0, end);
  reply.body = raw.substr(end + 4);
  return reply;
}

std::string post_text(const std::string &path, const std::string &body,
                      const std::string &extra_headers = "") {
  return "POST " + path +
         " HTTP/1.1\r\nHost: plugin\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         extra_headers + "\r\n" + body;
}

Reply post(const std::string &socket_path, const std::string &path, const std::string &body) {
  return reply_of(round_trip(socket_path, post_text(path, body, "Connection: close\r\n")));
}

// Fixed volumes: 535.104.05 is current and everything is served.
class SimpleOperations : public VolumeOperations {
public:
  std::string current_version() override { return "535.104.05"; }
  VolumeReply create(const std::string &) override { return {}; }
  VolumeReply remove(const std::string &) override { return {}; }
  VolumeReply mount(const std::string &v, const std::string &) override {
    if (v != "535.104.05")
      return {VolumeOutcome::no_such_volume, "", 0};
    return {VolumeOutcome::ok, "/vols/nvidia_driver/" + v, 0};
  }
  VolumeReply unmount(const std::string &, const std::string &) override { return {}; }
  VolumeReply path(const std::string &v) override { return mount(v, ""); }
  std::vector<VolumeListing> list() override { return {}; }
};

// Sends `piece` again and again until the server stops taking it (its
// send fails) or `limit` bytes went; returns the bytes sent.
std::size_t send_until_refused(int fd, const std::string &piece, std::size_t limit) {
  timeval patience{5, 0}; // a server that stops reading without closing: no hang
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &patience, sizeof patience);
  std::size_t total = 0;
  while (total < limit) {
    ssize_t sent = ::send(fd, piece.data(), piece.size(), MSG_NOSIGNAL);
    if (sent <= 0)
      break;
    total += static_cast<std::size_t>(sent);
  }
  return total;
}

using Clock = std::chrono::steady_clock;

long ms_since(Clock::time_point start) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
}

// True once the server has written something or closed (no wait).
bool server_has_spoken(int fd) {
  pollfd wait{fd, POLLIN, 0};
  return ::poll(&wait, 1, 0) > 0;
}

// A server on <temp>/plugins, serving in a thread until the test ends.
class PluginSocket : public ::testing::Test {
protected:
  TempDir temp{"nvd-volume-socket"};
  std::string folder = temp.file("run/docker/plugins");
  SimpleOperations simple;
  std::ostringstream log;
  std::unique_ptr<VolumePluginServer> server;
  std::thread serving;
  std::string socket_path;

  void start(VolumeOperations &operations, PluginServerTimeouts timeouts = {}) {
    start_logging_to(operations, log, timeouts);
  }
  void start_logging_to(VolumeOperations &operations, std::ostream &to,
                        PluginServerTimeouts timeouts = {}) {
    server = std::make_unique<VolumePluginServer>(operations, to, timeouts);
    socket_path = server->bind(folder);
    serving = std::thread([this] { server->serve(); });
  }
  void stop() {
    if (serving.joinable()) {
      server->stop();
      serving.join();
    }
  }
  void TearDown() override { stop(); }
};

} // namespace

TEST_F(PluginSocket, ServesTheApiInAPrivateFolder) {
  start(simple);
  EXPECT_EQ(socket_path, folder + "/nvidia-docker.sock");
  EXPECT_EQ(mode_of(folder), 0700u);
  EXPECT_EQ(mode_of(temp.file("run")), 0700u);
  Reply reply = post(socket_path, "/Plugin.Activate", "");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, R"({"Implements":["VolumeDriver"]})");
  EXPECT_NE(reply.head.find("\r\nContent-Type: application/vnd.docker.plugins.v1+json\r\n"),
            std::string::npos)
      << reply.head;
  EXPECT_NE(reply.head.find("\r\nContent-Length: 31"), std::string::npos) << reply.head;
}

TEST_F(PluginSocket, KeepsAnExistingFolderAsItIs) {
  fs::create_directories(folder);
  fs::permissions(folder, fs::perms(0755));
  start(simple);
  EXPECT_EQ(mode_of(folder), 0755u);
}

TEST_F(PluginSocket, AnswersPipelinedRequestsOnOneConnection) {
  start(simple);
  std::string answers =
      round_trip(socket_path, post_text("/Plugin.Activate", "") +
                                  post_text("/VolumeDriver.Mount",
                                            R"({"Name":"nvidia_driver_535.104.05","ID":"x"})") +
                                  post_text("/VolumeDriver.Capabilities", "{}"));
  EXPECT_NE(answers.find(R"({"Implements":["VolumeDriver"]})"), std::string::npos);
  EXPECT_NE(answers.find(R"({"Mountpoint":"/vols/nvidia_driver/535.104.05","Err":""})"),
            std::string::npos);
  EXPECT_NE(answers.find(R"({"Capabilities":{"Scope":"local"}})"), std::string::npos);
  EXPECT_EQ(answers.find("Connection: close"), std::string::npos);
}

TEST_F(PluginSocket, ReadsAChunkedRequest) {
  start(simple);
  Reply reply = reply_of(round_trip(
      socket_path, "POST /VolumeDriver.Path HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "10\r\n{\"Name\":\"nvidia_\r\n"
                   "13\r\ndriver_535.104.05\"}\r\n0\r\n\r\n"));
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, R"({"Mountpoint":"/vols/nvidia_driver/535.104.05","Err":""})");
}

TEST_F(PluginSocket, SendsContinueWhenAskedBeforeTheBody) {
  start(simple);
  int fd = connect_to(socket_path);
  std::string body = R"({"Name":"nvidia_driver_535.104.05"})";
  send_text(fd, "POST /VolumeDriver.Get HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n");
  char buffer[64] = {};
  pollfd wait{fd, POLLIN, 0};
  ASSERT_EQ(::poll(&wait, 1, 5000), 1);
  ssize_t got = ::recv(fd, buffer, sizeof buffer - 1, 0);
  ASSERT_GT(got, 0);
  EXPECT_EQ(std::string(buffer, static_cast<std::size_t>(got)), "HTTP/1.1 100 Continue\r\n\r\n");
  send_text(fd, body);
  Reply reply = reply_of(read_to_end(fd));
  ::close(fd);
  EXPECT_EQ(reply.status, 200);
}

TEST_F(PluginSocket, AnswersBrokenHttpWithAnErrAndCloses) {
  start(simple);
  Reply reply = reply_of(round_trip(socket_path, "POST /Plugin.Activate HTTP/1.1\r\n"
                                                 "Content-Length: 1\r\nContent-Length: 2\r\n\r\n"));
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.body, R"({"Err":"bad HTTP request: conflicting Content-Length headers"})");
  EXPECT_NE(reply.head.find("Connection: close"), std::string::npos);
  Reply large =
      reply_of(round_trip(socket_path, post_text("/VolumeDriver.Create", std::string(70000, ' '))));
  EXPECT_EQ(large.status, 413);
  // Garbage: a 400 and the connection closed, the server still up.
  EXPECT_EQ(
      reply_of(round_trip(socket_path, std::string("\x16\x03\x01\x02\x00\r\n\r\n", 9))).status,
      400);
  EXPECT_EQ(post(socket_path, "/Plugin.Activate", "").status, 200);
}

TEST_F(PluginSocket, LogsOneLinePerRequest) {
  start(simple);
  post(socket_path, "/VolumeDriver.Mount", R"({"Name":"nvidia_driver_535.104.05","ID":"x"})");
  post(socket_path, "/VolumeDriver.Mount", R"({"Name":"nvidia_driver_352.79","ID":"x"})");
  post(socket_path, "/VolumeDriver.List", "{}");
  stop();
  std::vector<std::string> lines;
  std::istringstream in(log.str());
  for (std::string line; std::getline(in, line);)
    lines.push_back(line.substr(line.find(' ') + 1)); // without the time stamp
  ASSERT_EQ(lines.size(), 3u) << log.str();
  EXPECT_EQ(lines[0].rfind("POST /VolumeDriver.Mount nvidia_driver_535.104.05 200 ", 0), 0u);
  EXPECT_EQ(lines[0].substr(lines[0].size() - 5), "us ok");
  EXPECT_EQ(lines[1].rfind("POST /VolumeDriver.Mount nvidia_driver_352.79 200 ", 0), 0u);
  EXPECT_NE(lines[1].find("us error: no such volume: nvidia_driver_352.79 (this host's driver "
                          "is 535.104.05, its volume nvidia_driver_535.104.05: create the "
                          "container again with nvidia-docker)"),
            std::string::npos)
      << lines[1];
  EXPECT_EQ(lines[2].rfind("POST /VolumeDriver.List - 200 ", 0), 0u);
}

TEST_F(PluginSocket, RemovesTheSocketOnStop) {
  start(simple);
  ASSERT_TRUE(exists_no_follow(socket_path));
  stop();
  EXPECT_FALSE(exists_no_follow(socket_path));
  EXPECT_TRUE(fs::is_directory(folder));
}

TEST_F(PluginSocket, StopsWithIdleConnectionsOpen) {
  start(simple);
  std::vector<int> idle;
  for (int i = 0; i < 5; ++i)
    idle.push_back(connect_to(socket_path));
  auto begin = std::chrono::steady_clock::now();
  stop();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(2));
  for (int fd : idle)
    ::close(fd);
}

TEST_F(PluginSocket, AStopBeforeServingEndsServingAtOnce) {
  server = std::make_unique<VolumePluginServer>(simple, log);
  socket_path = server->bind(folder);
  server->stop();
  server->serve();
  EXPECT_FALSE(exists_no_follow(socket_path));
}

TEST_F(PluginSocket, ServingWithoutABindIsAnError) {
  VolumePluginServer unbound(simple, log);
  EXPECT_THROW(unbound.serve(), Error);
}

TEST_F(PluginSocket, ReplacesAStaleSocket) {
  fs::create_directories(folder);
  {
    // A socket left by a plugin that was killed: bound, then closed, never removed.
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s/nvidia-docker.sock",
                  folder.c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address), 0);
    ::close(fd);
  }
  start(simple);
  EXPECT_EQ(post(socket_path, "/Plugin.Activate", "").status, 200);
}

TEST_F(PluginSocket, RefusesASocketAnotherServerListensOn) {
  start(simple);
  VolumePluginServer second(simple, log);
  try {
    second.bind(folder);
    FAIL() << "no error";
  } catch (const Error &error) {
    EXPECT_EQ(std::string(error.what()),
              "another program is serving " + socket_path +
                  " (is nvidia-docker-plugin already running? stop it first)");
  }
  EXPECT_EQ(post(socket_path, "/Plugin.Activate", "").status, 200);
}

TEST_F(PluginSocket, RefusesAPathThatIsNotASocket) {
  write_file(folder + "/nvidia-docker.sock", "someone's file");
  VolumePluginServer refused(simple, log);
  try {
    refused.bind(folder);
    FAIL() << "no error";
  } catch (const Error &error) {
    EXPECT_EQ(std::string(error.what()),
              folder + "/nvidia-docker.sock exists and is not a socket: remove it, or choose "
                       "another folder with -s");
  }
  EXPECT_EQ(read_file(folder + "/nvidia-docker.sock"), "someone's file");
}

TEST_F(PluginSocket, RefusesAPathTooLongForASocket) {
  std::string deep = temp.file(std::string(120, 'd'));
  VolumePluginServer refused(simple, log);
  try {
    refused.bind(deep);
    FAIL() << "no error";
  } catch (const Error &error) {
    std::string path = deep + "/nvidia-docker.sock";
    EXPECT_EQ(std::string(error.what()),
              "the plugin socket path " + path + " is too long (" + std::to_string(path.size()) +
                  " bytes; a unix socket path holds at most 107): choose a shorter folder with -s");
  }
  EXPECT_FALSE(fs::exists(deep));
}

TEST_F(PluginSocket, RefusesAFileAsTheFolder) {
  write_file(temp.file("file"), "x");
  VolumePluginServer refused(simple, log);
  EXPECT_THROW(refused.bind(temp.file("file")), Error);
}

TEST_F(PluginSocket, ServesManyClientsAtOnce) {
  start(simple);
  std::atomic<int> good{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 16; ++i)
    clients.emplace_back([&] {
      for (int round = 0; round < 25; ++round) {
        Reply reply = post(socket_path, "/VolumeDriver.Mount",
                           R"({"Name":"nvidia_driver_535.104.05","ID":"x"})");
        if (reply.status == 200 &&
            reply.body == R"({"Mountpoint":"/vols/nvidia_driver/535.104.05","Err":""})")
          ++good;
      }
    });
  for (std::thread &client : clients)
    client.join();
  EXPECT_EQ(good, 16 * 25);
}

TEST_F(PluginSocket, AnswersBusyBeyondItsConnectionLimit) {
  start(simple);
  std::vector<int> held;
  for (int i = 0; i < 64; ++i)
    held.push_back(connect_to(socket_path));
  // Every held connection has been taken in once one of them is answered.
  send_text(held.back(), post_text("/Plugin.Activate", ""));
  char buffer[256];
  pollfd wait{held.back(), POLLIN, 0};
  ASSERT_EQ(::poll(&wait, 1, 5000), 1);
  ASSERT_GT(::recv(held.back(), buffer, sizeof buffer, 0), 0);
  // The server answers the next one at once, before any request: just read.
  int extra = connect_to(socket_path);
  Reply busy = reply_of(read_to_end(extra));
  ::close(extra);
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(busy.body, R"({"Err":"too many connections at once (64): try again"})");
  for (int fd : held)
    ::close(fd);
}

TEST_F(PluginSocket, CurlCanTalkToIt) {
  if (!fs::exists("/usr/bin/curl"))
    GTEST_SKIP() << "no curl";
  start(simple);
  std::string command = "/usr/bin/curl -sS --max-time 10 --unix-socket " + socket_path +
                        " -H 'Accept: application/vnd.docker.plugins.v1.2+json'"
                        " -d '{\"Name\":\"nvidia_driver_535.104.05\",\"ID\":\"c1\"}'"
                        " http://plugin/VolumeDriver.Mount 2>&1";
  FILE *pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buffer[256];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe))
    out.append(buffer, n);
  EXPECT_EQ(::pclose(pipe), 0) << out;
  EXPECT_EQ(out, R"({"Mountpoint":"/vols/nvidia_driver/535.104.05","Err":""})");
}

// The real store behind the socket, and requests built to escape the volumes
// folder: everything around it stays as it was.
TEST_F(PluginSocket, HostileRequestsTouchNothingAroundTheVolumes) {
  std::string volumes = temp.file("volumes");
  std::string driver = temp.file("driver");
  VolumePlan plan = stand_in_driver(driver);
  write_file(temp.file("outside/precious"), "do not touch");
  write_file(volumes + "/keep.txt", "the administrator's");
  write_file(temp.file("volumes-sibling/file"), "beside the volumes folder");
  fs::create_directories(volumes + "/nvidia_driver");
  fs::create_directory_symlink(temp.file("outside"), volumes + "/nvidia_driver/999.1");
  VolumeStore store(
      volumes, [] { return std::string("535.104.05"); }, [&](const std::string &) { return plan; });
  start(store);
  ASSERT_EQ(
      post(socket_path, "/VolumeDriver.Create", R"({"Name":"nvidia_driver_535.104.05"})").body,
      R"({"Err":""})");
  auto outside = snapshot(temp.file("outside"));
  auto sibling = snapshot(temp.file("volumes-sibling"));
  auto driver_files = snapshot(driver);
  auto volume = snapshot(volumes + "/nvidia_driver/535.104.05");

  const std::string names[] = {"nvidia_driver_..",
                               "nvidia_driver_.",
                               "nvidia_driver_../..",
                               "nvidia_driver_/etc",
                               "../../outside",
                               "/",
                               "..",
                               "nvidia_driver_535.104.05/..",
                               "nvidia_driver_535.104.05/bin",
                               "nvidia_driver_999.1",
                               std::string("nvidia_driver_1.0\0x", 19),
                               "nvidia_driver_" + std::string(300, '9'),
                               "nvidia_driver_535.104.05\n",
                               "volumes/../../outside_1",
                               "nvidia_driver_0"};
  const char *calls[] = {"Create", "Remove", "Mount", "Unmount", "Path", "Get"};
  for (const std::string &name : names)
    for (const char *call : calls) {
      Reply reply = post(socket_path, std::string("/VolumeDriver.") + call,
                         nlohmann::json{{"Name", name}, {"ID", "x"}}.dump());
      // A Remove of the planted symlink is refused (500: not a volume folder).
      EXPECT_EQ(reply.status,
                name == "nvidia_driver_999.1" && std::string(call) == "Remove" ? 500 : 200)
          << call << " " << name << ": " << reply.body;
      EXPECT_NE(reply.body.find("\"Err\":\""), std::string::npos) << reply.body;
      // Only the symlink planted at 999.1 could have led outside: never served.
      EXPECT_EQ(reply.body.find(temp.file("outside")), std::string::npos) << reply.body;
    }
  for (const std::string &body :
       {std::string(), std::string("{"), std::string("[]"), std::string("{\"Name\":[\"..\"]}"),
        std::string("{\"Name\":{\"$ne\":1}}"), std::string(60000, '['), std::string("\x00", 1)})
    for (const char *call : calls)
      EXPECT_EQ(post(socket_path, std::string("/VolumeDriver.") + call, body).status, 400);
  for (const char *path : {"/../../outside", "/VolumeDriver.Remove/../..", "//", "/"})
    EXPECT_EQ(post(socket_path, path, R"({"Name":"nvidia_driver_535.104.05"})").status, 404);

  EXPECT_EQ(snapshot(temp.file("outside")), outside);
  EXPECT_EQ(snapshot(temp.file("volumes-sibling")), sibling);
  EXPECT_EQ(read_file(volumes + "/keep.txt"), "the administrator's");
  EXPECT_TRUE(fs::is_symlink(volumes + "/nvidia_driver/999.1"));
  EXPECT_EQ(snapshot(volumes + "/nvidia_driver/535.104.05"), volume);
  auto driver_after = snapshot(driver);
  for (const auto &[path, description] : driver_files)
    if (fs::is_regular_file(driver + "/" + path)) {
      EXPECT_EQ(driver_after[path], description) << path;
    }
}

// Nothing a client sends makes the plugin hold more than one request's worth.
TEST_F(PluginSocket, RefusesEndlessTrailersWithoutReadingThemAll) {
  start(simple);
  int fd = connect_to(socket_path);
  send_text(fd, "POST /VolumeDriver.Mount HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                "2\r\n{}\r\n0\r\n");
  std::string trailers;
  for (int i = 0; i < 1000; ++i)
    trailers += "X: a\r\n";
  std::size_t sent = send_until_refused(fd, trailers, std::size_t{64} << 20);
  // What the socket buffers hold, and no more.
  EXPECT_LT(sent, std::size_t{4} << 20);
  Reply reply = reply_of(read_to_end(fd));
  ::close(fd);
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(reply.body, R"({"Err":"bad HTTP request: the chunk size lines and trailers are )"
                        R"(larger than 8192 bytes"})");
  EXPECT_EQ(post(socket_path, "/Plugin.Activate", "").status, 200);
}

TEST_F(PluginSocket, RefusesManySmallChunksWithLongExtensions) {
  start(simple);
  int fd = connect_to(socket_path);
  send_text(fd, "POST /VolumeDriver.Mount HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
  std::string chunks;
  for (int i = 0; i < 64; ++i)
    chunks += "1;" + std::string(1000, 'e') + "\r\na\r\n";
  std::size_t sent = send_until_refused(fd, chunks, std::size_t{64} << 20);
  EXPECT_LT(sent, std::size_t{4} << 20);
  Reply reply = reply_of(read_to_end(fd));
  ::close(fd);
  EXPECT_EQ(reply.status, 413);
}

TEST_F(PluginSocket, ReadsAChunkedRequestTrickledByteByByte) {
  start(simple);
  int fd = connect_to(socket_path);
  std::string request = "POST /VolumeDriver.Path HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
                        "Connection: close\r\n\r\n"
                        "10\r\n{\"Name\":\"nvidia_\r\n"
                        "13\r\ndriver_535.104.05\"}\r\n0\r\nX: 1\r\n\r\n";
  for (char c : request)
    send_text(fd, std::string(1, c));
  Reply reply = reply_of(read_to_end(fd));
  ::close(fd);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, R"({"Mountpoint":"/vols/nvidia_driver/535.104.05","Err":""})");
}

// A client sending one byte now and then must not hold a connection past
// the request's deadline (64 of them would lock dockerd out).
TEST_F(PluginSocket, ARequestTrickledSlowlyMeetsOneDeadlineFromItsFirstByte) {
  PluginServerTimeouts timeouts;
  timeouts.request = std::chrono::milliseconds(300);
  start(simple, timeouts);
  int fd = connect_to(socket_path);
  auto first_byte = Clock::now();
  send_text(fd, "POST /Plugin.Activate HTTP/1.1\r\nX-Slow: ");
  while (!server_has_spoken(fd) && ms_since(first_byte) < 5000) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ::send(fd, "a", 1, MSG_NOSIGNAL); // well within any per-read timeout
  }
  long elapsed = ms_since(first_byte);
  Reply reply = reply_of(read_to_end(fd));
  ::close(fd);
  EXPECT_GE(elapsed, 250);
  EXPECT_LT(elapsed, 2000);
  EXPECT_EQ(reply.status, 408);
  EXPECT_EQ(reply.body, R"({"Err":"bad HTTP request: the request was not completed within )"
                        R"(300 ms"})");
}

TEST_F(PluginSocket, EachRequestOnAConnectionHasItsOwnDeadline) {
  PluginServerTimeouts timeouts;
  timeouts.request = std::chrono::milliseconds(600);
  start(simple, timeouts);
  int fd = connect_to(socket_path);
  std::string request = post_text("/Plugin.Activate", "");
  for (int round = 0; round < 3; ++round) {
    // Each one takes most of its deadline; all of them together take more.
    for (std::size_t at = 0; at < request.size(); at += request.size() / 4 + 1) {
      send_text(fd, request.substr(at, request.size() / 4 + 1));
      std::this_thread::sleep_for(std::chrono::milliseconds(80));
    }
    char buffer[512];
    pollfd wait{fd, POLLIN, 0};
    ASSERT_EQ(::poll(&wait, 1, 5000), 1);
    ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
    ASSERT_GT(got, 0);
    EXPECT_EQ(reply_of(std::string(buffer, static_cast<std::size_t>(got))).status, 200)
        << "round " << round;
  }
  ::close(fd);
}

TEST_F(PluginSocket, ClosesAConnectionIdleBeyondTheIdleTimeout) {
  PluginServerTimeouts timeouts;
  timeouts.idle = std::chrono::milliseconds(300);
  start(simple, timeouts);
  // Before any request: closed without an answer.
  int fd = connect_to(socket_path);
  auto begin = Clock::now();
  EXPECT_EQ(read_to_end(fd), "");
  EXPECT_LT(ms_since(begin), 2000);
  ::close(fd);
  // After an answer on a kept-alive connection: the same.
  fd = connect_to(socket_path);
  send_text(fd, post_text("/Plugin.Activate", ""));
  begin = Clock::now();
  Reply reply = reply_of(read_to_end(fd));
  EXPECT_LT(ms_since(begin), 2000);
  ::close(fd);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, R"({"Implements":["VolumeDriver"]})");
}

TEST_F(PluginSocket, ClosesAConnectionThatDoesNotReadItsAnswers) {
  PluginServerTimeouts timeouts;
  timeouts.send = std::chrono::milliseconds(300);
  start(simple, timeouts);
  int fd = connect_to(socket_path);
  timeval patience{0, 100 * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &patience, sizeof patience);
  std::string requests;
  for (int i = 0; i < 100; ++i)
    requests += post_text("/Plugin.Activate", "");
  // Pipelined requests, never an answer read: the answers fill the socket.
  auto begin = Clock::now();
  bool closed = false;
  while (!closed && ms_since(begin) < 8000) {
    ssize_t sent = ::send(fd, requests.data(), requests.size(), MSG_NOSIGNAL);
    closed = sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
  }
  long elapsed = ms_since(begin);
  ::close(fd);
  EXPECT_TRUE(closed);
  EXPECT_LT(elapsed, 5000);
  EXPECT_EQ(post(socket_path, "/Plugin.Activate", "").status, 200);
}

// An operation throwing what is no std::exception: a 500, and the plugin
// goes on (in a detached thread it would have ended the process).
TEST_F(PluginSocket, AnswersAnOperationThatThrowsAnythingWith500) {
  class Throwing : public SimpleOperations {
  public:
    VolumeReply mount(const std::string &, const std::string &) override { throw 42; }
  } throwing;
  start(throwing);
  Reply reply =
      post(socket_path, "/VolumeDriver.Mount", R"({"Name":"nvidia_driver_535.104.05","ID":"x"})");
  EXPECT_EQ(reply.status, 500);
  EXPECT_EQ(reply.body, R"({"Err":"the volume plugin failed: an unexpected error"})");
  EXPECT_EQ(post(socket_path, "/Plugin.Activate", "").status, 200);
}

// A log that throws (as a failing stream with exceptions on does) inside a
// connection's thread: that connection closes, the plugin serves on.
TEST_F(PluginSocket, SurvivesAFailureInsideAConnectionThread) {
  struct FailingBuffer : std::streambuf {
    int overflow(int) override { return traits_type::eof(); }
  } failing;
  std::ostream broken_log(&failing);
  broken_log.exceptions(std::ios::badbit);
  start_logging_to(simple, broken_log);
  for (int i = 0; i < 3; ++i) {
    int fd = connect_to(socket_path);
    send_text(fd, post_text("/Plugin.Activate", ""));
    // The answer went out before the log line failed; then the connection
    // closed, though it was to be kept alive.
    Reply reply = reply_of(read_to_end(fd));
    ::close(fd);
    EXPECT_EQ(reply.status, 200);
  }
  auto begin = Clock::now();
  stop(); // waits for every connection: none was left behind
  EXPECT_LT(ms_since(begin), 2000);
}
