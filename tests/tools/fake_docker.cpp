// SPDX-License-Identifier: BSD-3-Clause
// A stand-in for the docker client in integration tests. It records every
// invocation (argv and environment, byte for byte) and answers from fixtures:
//   FAKE_DOCKER_LOG      folder where call-N (argv) and call-N.env are written
//   FAKE_DOCKER_IMAGES   folder of present images: <name>.json = `{{json .Config}}`
//   FAKE_DOCKER_REGISTRY folder of pullable images, same format
//   FAKE_DOCKER_DOWN     set: every daemon request fails as with no daemon
//   FAKE_DOCKER_EXIT     exit status of any other command (default 0)
//   FAKE_DOCKER_HELP     file printed for `run --help` / `create --help`
//   FAKE_DOCKER_INFO     file printed for `info` (default: a daemon with runc only)
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

extern char **environ;

namespace {

std::string env_or(const char *name, const char *fallback) {
  const char *value = std::getenv(name);
  return value != nullptr ? value : fallback;
}

void record(const std::vector<std::string> &args) {
  std::string dir = env_or("FAKE_DOCKER_LOG", "");
  if (dir.empty())
    return;
  for (int n = 1; n < 100000; ++n) {
    std::string path = dir + "/call-" + std::to_string(n);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
      if (errno == EEXIST)
        continue;
      return;
    }
    std::string data;
    for (const auto &arg : args) {
      data += arg;
      data += '\0';
    }
    (void)!::write(fd, data.data(), data.size());
    ::close(fd);
    std::string env;
    for (char **entry = environ; *entry != nullptr; ++entry) {
      env += *entry;
      env += '\0';
    }
    std::ofstream(path + ".env", std::ios::binary) << env;
    return;
  }
}

std::string file_name(std::string image) {
  if (image.find(':') == std::string::npos && image.find('@') == std::string::npos)
    image += ":latest";
  for (char &c : image)
    if (c == '/' || c == ':' || c == '@')
      c = '_';
  return image + ".json";
}

bool read_file(const std::string &path, std::string &text) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return false;
  std::ostringstream buffer;
  buffer << file.rdbuf();
  text = buffer.str();
  return true;
}

int daemon_down() {
  std::fprintf(stderr, "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. "
                       "Is the docker daemon running?\n");
  return 1;
}

// The index of the command word, after the global options.
std::size_t command_index(const std::vector<std::string> &args) {
  std::size_t i = 1;
  while (i < args.size() && args[i].size() > 1 && args[i][0] == '-') {
    const std::string &a = args[i];
    bool valued = a == "-H" || a == "--host" || a == "-c" || a == "--context" ||
                  a == "--config" || a == "-l" || a == "--log-level" || a == "--tlscacert" ||
                  a == "--tlscert" || a == "--tlskey";
    i += valued ? 2 : 1;
  }
  return i;
}

} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> args(argv, argv + argc);
  record(args);
  std::size_t c = command_index(args);
  std::string command = c < args.size() ? args[c] : "";
  if (args.size() >= 2 && args.back() == "--version")
    command = "--version";
  bool down = std::getenv("FAKE_DOCKER_DOWN") != nullptr;

  if (command == "image" && c + 1 < args.size() && args[c + 1] == "inspect") {
    if (down)
      return daemon_down();
    const std::string &image = args.back();
    std::string config;
    if (!read_file(env_or("FAKE_DOCKER_IMAGES", ".") + "/" + file_name(image), config)) {
      std::fprintf(stderr, "Error response from daemon: No such image: %s\n", image.c_str());
      return 1;
    }
    std::fwrite(config.data(), 1, config.size(), stdout);
    std::fputc('\n', stdout);
    return 0;
  }
  if (command == "pull") {
    if (down)
      return daemon_down();
    const std::string &image = args.back();
    std::string config;
    if (!read_file(env_or("FAKE_DOCKER_REGISTRY", ".") + "/" + file_name(image), config)) {
      std::fprintf(stderr, "Error response from daemon: pull access denied for %s, repository "
                           "does not exist or may require 'docker login'\n",
                   image.c_str());
      return 1;
    }
    std::printf("latest: Pulling from %s\nStatus: Downloaded newer image for %s\n", image.c_str(),
                image.c_str());
    std::ofstream(env_or("FAKE_DOCKER_IMAGES", ".") + "/" + file_name(image), std::ios::binary)
        << config;
    return 0;
  }
  if (command == "--version") {
    std::printf("Docker version 99.0.0-fake, build test\n");
    return 0;
  }
  if ((command == "run" || command == "create") && args.size() == c + 2 && args[c + 1] == "--help") {
    std::string help;
    if (!read_file(env_or("FAKE_DOCKER_HELP", "/nonexistent"), help))
      return 1;
    std::fwrite(help.data(), 1, help.size(), stdout);
    return 0;
  }
  if (command == "info") {
    if (down)
      return daemon_down();
    std::string info = R"({"Runtimes":{"runc":{"path":"runc"}},"CDISpecDirs":["/etc/cdi","/var/run/cdi"]})";
    read_file(env_or("FAKE_DOCKER_INFO", "/nonexistent"), info);
    std::printf("%s\n", info.c_str());
    return 0;
  }
  if (command == "version") {
    std::printf("Client:\n Version:           28.2.2 (fake)\n");
    return 0;
  }
  std::printf("fake docker ran %s\n", command.c_str());
  return std::atoi(env_or("FAKE_DOCKER_EXIT", "0").c_str());
}
