// SPDX-License-Identifier: BSD-3-Clause
// make_driver_tree ROOT [options]: installs a stand-in NVIDIA driver under ROOT
// (tests/support/driver_tree.hpp), for scripts/demo and the real-engine tests.
// With --upgrade, installs --version over the driver already there.
#include "nvd/common/error.hpp"
#include "support/driver_tree.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char **argv) {
  nvd::test::DriverTreeOptions options;
  std::string root;
  std::vector<std::string> omit;
  bool no_decoys = false, upgrade = false, list = false;

  CLI::App app{"make_driver_tree: installs a stand-in NVIDIA driver (versioned libraries with "
               "SONAMEs, nvidia-smi & co, an ld.so.cache made by ldconfig -r) under ROOT; "
               "needs root",
               "make_driver_tree"};
  app.add_option("root", root,
                 "Folder to install into (empty or missing; with --upgrade: "
                 "the tree to upgrade)")
      ->required();
  app.add_option("--version", options.version, "Driver version")->capture_default_str();
  app.add_flag("--32bit", options.with_32bit, "Also the 32-bit libraries (usr/lib/i386-linux-gnu)");
  app.add_flag("--no-decoys", no_decoys,
               "Without the stale libcuda, classic-ABI libnvidia-tls, GLVND libGL/libEGL and "
               "nvidia-settings");
  app.add_option("--stale-version", options.stale_version, "The stale libcuda's version")
      ->capture_default_str();
  app.add_option("--omit", omit,
                 "A library (libnvidia-fbc) or program (nvidia-persistenced) "
                 "this driver does not ship; repeatable");
  app.add_flag("--fabric-manager", options.with_fabric_manager, "Also nv-fabricmanager");
  app.add_option("--nvml", options.nvml_library,
                 "The stand-in libnvidia-ml.so.1 to install (default: one with only its SONAME)");
  app.add_option(
      "--stand-ins", options.stand_ins,
      "Folder of the built stand-in libcuda.so.1 and nvidia-smi (default: this build's)");
  app.add_flag("--upgrade", upgrade, "Install --version over the driver at ROOT, as an upgrade");
  app.add_flag("--list", list, "Print the files the driver volume should hold");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &) {
    std::fputs(app.help().c_str(), stdout);
    return 0;
  } catch (const CLI::ParseError &error) {
    std::fprintf(stderr, "make_driver_tree: %s (see --help)\n", error.what());
    return 2;
  }
  options.decoys = !no_decoys;
  options.omit.insert(omit.begin(), omit.end());

  try {
    nvd::test::DriverTree tree = upgrade ? nvd::test::upgrade_driver_tree(root, options)
                                         : nvd::test::make_driver_tree(root, options);
    if (list) {
      for (const auto &file : tree.expected_volume)
        std::printf("%s%s%s\n", file.path.c_str(), file.is_link() ? " -> " : "",
                    file.link_target.c_str());
    } else {
      std::printf("%s stand-in NVIDIA driver %s at %s: %zu libraries, %zu programs, %s\n",
                  upgrade ? "upgraded to" : "installed", tree.options.version.c_str(),
                  tree.root.c_str(), tree.libraries.size(), tree.programs.size(),
                  tree.ld_cache.c_str());
    }
    return 0;
  } catch (const nvd::Error &error) {
    std::fprintf(stderr, "make_driver_tree: %s\n", error.what());
    return 1;
  }
}
