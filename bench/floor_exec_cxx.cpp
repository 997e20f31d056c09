// SPDX-License-Identifier: BSD-3-Clause
// floor_exec.c in C++, linked static with exceptions on, as nvidia-docker is:
// what the C++ runtime's own start adds to the least a wrapper does, for the
// record beside the pass-through's figure.
// Usage: floor_exec_cxx <program> [argument]...
#include <cstdio>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty())
    throw std::invalid_argument("usage: floor_exec_cxx <program> [argument]...");
  std::vector<char *> c_args;
  for (std::string &arg : args)
    c_args.push_back(arg.data());
  c_args.push_back(nullptr);
  ::execv(c_args[0], c_args.data());
  std::perror(c_args[0]);
  return 127;
}
