// SPDX-License-Identifier: BSD-3-Clause
// The floor for nvidia-docker's pass-through: the least any wrapper does, a
// static program that execs its arguments and nothing else.
// Usage: floor_exec <program> [argument]...
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: floor_exec <program> [argument]...\n");
    return 2;
  }
  execv(argv[1], argv + 1);
  perror(argv[1]);
  return 127;
}
