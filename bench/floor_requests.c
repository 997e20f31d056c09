// SPDX-License-Identifier: BSD-3-Clause
// The floor for nvidia-docker's GPU path: the least a GPU wrapper must do.
// One GET on the Engine API's unix socket (the image's labels), then GETs on
// one keep-alive connection to the plugin on loopback (the CUDA check, the
// docker arguments), each answer read whole, then an exec of docker with the
// final arguments it was given. A failed request or an answer other than 200
// exits 1 with the reason, so that a broken floor cannot look fast.
// Usage: floor_requests <engine.sock> <engine-target> <plugin-port>
//                       <plugin-target>... -- <docker> [argument]...
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void fail(const char *where, const char *why) {
  fprintf(stderr, "floor_requests: %s: %s\n", where, why);
  exit(1);
}

static int connect_unix(const char *path) {
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof address.sun_path)
    fail(path, "socket path too long");
  strcpy(address.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof address) != 0)
    fail(path, strerror(errno));
  return fd;
}

static int connect_loopback(const char *port, const char *where) {
  char *end;
  long number = strtol(port, &end, 10);
  if (*end != '\0' || number <= 0 || number > 65535)
    fail(where, "not a port number");
  struct sockaddr_in address = {.sin_family = AF_INET,
                                .sin_port = htons((uint16_t)number),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof address) != 0)
    fail(where, strerror(errno));
  // As nvidia-docker does: the second request must not wait for an ACK.
  int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  return fd;
}

// The value of the Content-Length header in the head [head, end); exits without one.
static size_t content_length(const char *head, const char *end, const char *where) {
  for (const char *line = memchr(head, '\n', (size_t)(end - head)); line != NULL && line < end;
       line = memchr(line, '\n', (size_t)(end - line))) {
    ++line;
    if (strncasecmp(line, "Content-Length:", 15) == 0)
      return strtoul(line + 15, NULL, 10);
  }
  fail(where, "answer without Content-Length");
  return 0;
}

// Sends `GET target` on `fd` and reads the whole answer; exits unless it is a 200.
static void get(int fd, const char *host, const char *target, const char *origin) {
  char where[4096];
  snprintf(where, sizeof where, "%s%s", origin, target);
  char request[4096];
  int length =
      snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", target, host);
  if (length < 0 || (size_t)length >= sizeof request)
    fail(where, "request too long");
  for (int sent = 0; sent < length;) {
    ssize_t n = send(fd, request + sent, (size_t)(length - sent), MSG_NOSIGNAL);
    if (n <= 0)
      fail(where, strerror(errno));
    sent += (int)n;
  }
  static char answer[1 << 20];
  size_t have = 0, need = SIZE_MAX;
  while (have < need) {
    if (have == sizeof answer)
      fail(where, "answer too large");
    ssize_t n = recv(fd, answer + have, sizeof answer - have, 0);
    if (n < 0)
      fail(where, strerror(errno));
    if (n == 0)
      fail(where, "connection closed before the whole answer");
    have += (size_t)n;
    const char *end = need == SIZE_MAX ? memmem(answer, have, "\r\n\r\n", 4) : NULL;
    if (end != NULL)
      need = (size_t)(end + 4 - answer) + content_length(answer, end, where);
  }
  if (strncmp(answer, "HTTP/1.1 200 ", 13) != 0) {
    char *line_end = memchr(answer, '\r', have);
    *line_end = '\0'; // there is one: the head's end was found
    fail(where, answer);
  }
}

int main(int argc, char **argv) {
  int dashes = 0;
  while (dashes < argc && strcmp(argv[dashes], "--") != 0)
    ++dashes;
  if (dashes < 5 || dashes + 1 >= argc) {
    fprintf(stderr, "usage: floor_requests <engine.sock> <engine-target> <plugin-port> "
                    "<plugin-target>... -- <docker> [argument]...\n");
    return 2;
  }
  char origin[4096];
  snprintf(origin, sizeof origin, "unix:%s ", argv[1]);
  int engine = connect_unix(argv[1]);
  get(engine, "docker", argv[2], origin);
  close(engine);

  char host[32];
  snprintf(host, sizeof host, "127.0.0.1:%s", argv[3]);
  snprintf(origin, sizeof origin, "http://%s", host);
  int plugin = connect_loopback(argv[3], origin);
  for (int i = 4; i < dashes; ++i)
    get(plugin, host, argv[i], origin);
  close(plugin);

  execv(argv[dashes + 1], argv + dashes + 1);
  fail(argv[dashes + 1], strerror(errno));
  return 1;
}
