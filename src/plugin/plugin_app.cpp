// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/plugin_app.hpp"

#include "nvd/common/error.hpp"
#include "nvd/plugin/inventory_file_discovery.hpp"
#include "nvd/plugin/plugin_server.hpp"
#include "nvd/version.hpp"

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>
#include <pthread.h>
#include <thread>

namespace nvd {
namespace {

struct PluginOptions {
  std::string listen = "localhost:3476";
  std::string volumes_dir = "/var/lib/nvidia-docker/volumes";
  std::string socket_dir = "/run/docker/plugins";
  std::string inventory;
};

void print_error(const std::string &message) {
  std::cerr << "nvidia-docker-plugin | Error: " << message << std::endl;
}

} // namespace

int plugin_main(int argc, char **argv) {
  PluginOptions options;
  CLI::App app{"nvidia-docker-plugin: serves the GPU REST API used by nvidia-docker",
               "nvidia-docker-plugin"};
  app.add_option("-l,--listen", options.listen,
                 "Address of the REST API: HOST:PORT, [IPV6]:PORT, or :PORT for every interface")
      ->capture_default_str();
  app.add_option("-d,--volumes-dir", options.volumes_dir,
                 "Folder of the driver volumes (used by the Docker volume plugin API)")
      ->capture_default_str();
  app.add_option("-s,--socket-dir", options.socket_dir,
                 "Folder of the Docker volume plugin socket")
      ->capture_default_str();
  app.add_option("--inventory", options.inventory,
                 "JSON description of the host's GPUs (see docs/inventory.md)")
      ->check(CLI::ExistingFile);
  bool show_version = false;
  app.add_flag("-v,--version", show_version, "Print the version and exit");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::ParseError &error) {
    print_error(std::string(error.what()) + " (see nvidia-docker-plugin --help)");
    return 1;
  }
  if (show_version) {
    std::cout << "nvidia-docker-plugin " << version << std::endl;
    return 0;
  }

  try {
    if (options.inventory.empty())
      throw Error("no GPU source: pass --inventory FILE describing the host's GPUs "
                  "(examples in share/nvidia-docker/examples)");
    InventoryFileDiscovery discovery(options.inventory);
    ListenAddress address = parse_listen_address(options.listen);

    // Signals are taken by one thread with sigwait(), so the server threads
    // (which inherit this mask) never run a handler.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    PluginServer server(discovery, std::cerr);
    int port = server.bind(address);
    // One write, so that whoever reads the log never sees half of the line.
    std::string host = address.host.find(':') != std::string::npos ? "[" + address.host + "]" : address.host;
    std::cerr << ("nvidia-docker-plugin " + std::string(version) + ": serving " +
                  std::to_string(discovery.snapshot()->devices.size()) + " GPU(s) from " +
                  options.inventory + "\nnvidia-docker-plugin: serving the REST API at " + host +
                  ":" + std::to_string(port) + "\n")
              << std::flush;

    std::thread signal_waiter([&server, stop_signals] {
      int signal_number = 0;
      sigwait(&stop_signals, &signal_number);
      std::cerr << "nvidia-docker-plugin: received " << strsignal(signal_number)
                << ", stopping" << std::endl;
      server.stop();
    });
    bool served = server.serve();
    if (!served) {
      // Wake the waiter so it can be joined.
      pthread_kill(signal_waiter.native_handle(), SIGTERM);
    }
    signal_waiter.join();
    if (!served)
      throw Error("serving on " + options.listen + " failed");
    return 0;
  } catch (const Error &error) {
    print_error(error.what());
    return error.exit_code();
  } catch (const std::exception &error) {
    print_error(std::string("unexpected failure: ") + error.what());
    return 1;
  }
}

} // namespace nvd
