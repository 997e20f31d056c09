// SPDX-License-Identifier: BSD-3-Clause
#include "support/driver_tree.hpp"

#include "nvd/common/error.hpp"
#include "nvd/common/gpu_inventory.hpp"
#include "nvd/common/strings.hpp"
#include "support/minimal_elf.hpp"
#include "support/process.hpp"

#include <algorithm>
#include <filesystem>
#include <unistd.h>

#ifndef NVD_DRIVER_STAND_INS_DIR
#define NVD_DRIVER_STAND_INS_DIR ""
#endif

namespace fs = std::filesystem;

namespace nvd::test {

namespace {

// Folders inside the root, as a Debian-style multiarch host has them.
constexpr const char *lib64_folder = "usr/lib/x86_64-linux-gnu";
constexpr const char *lib32_folder = "usr/lib/i386-linux-gnu";
constexpr const char *bin_folder = "usr/bin";
constexpr const char *stale_folder = "usr/lib/stale-driver";
constexpr const char *classic_tls_folder = "usr/lib/classic-tls";
constexpr const char *glvnd_folder = "usr/lib/glvnd";

// What a library names in DT_NEEDED besides libc.so.6 (which every driver
// library needs; ldconfig files a 32-bit library as "libc6" only then).
enum class Needs { libc, glcore, eglcore };

struct LibrarySpec {
  const char *name;
  const char *soname; // nullptr: the versioned file name itself
  bool ships_32bit;
  Needs needs = Needs::libc;
};

// Every library an NVIDIA driver has shipped that the driver volume holds
// (issue 13, item 4), with the SONAME NVIDIA gives it. The stand-in driver
// ships them all, so that each entry of the plugin's table is exercised;
// DriverTreeOptions::omit plays a driver that lacks some.
const LibrarySpec library_table[] = {
    // Compute.
    {"libcuda", "libcuda.so.1", true},           // CUDA driver API: the built stand-in
    {"libnvidia-ml", "libnvidia-ml.so.1", true}, // NVML: the stand-in when given
    {"libnvidia-ptxjitcompiler", "libnvidia-ptxjitcompiler.so.1", true}, // PTX JIT compiler
    {"libnvidia-nvvm", "libnvidia-nvvm.so.4", false},           // NVVM JIT (LTO), 64-bit only
    {"libnvidia-gpucomp", nullptr, true},                       // shader/kernel compiler (530+)
    {"libnvidia-allocator", "libnvidia-allocator.so.1", false}, // GBM buffer allocator
    {"libcudadebugger", "libcudadebugger.so.1", false},         // cuda-gdb's back end (525+)
    {"libnvidia-opencl", "libnvidia-opencl.so.1", true},        // OpenCL ICD
    {"libnvidia-cfg", "libnvidia-cfg.so.1", false},             // GPU configuration queries
    {"libnvidia-nscq", "libnvidia-nscq.so.2", false},           // NVSwitch queries (fabric manager)
    {"libnvidia-pkcs11", nullptr, false},                       // confidential computing (535+)
    {"libnvidia-pkcs11-openssl3", nullptr, false},              // the same, built on OpenSSL 3
    {"libnvidia-fatbinaryloader", nullptr, true},               // fat binary loader (before 450)
    {"libnvidia-compiler", nullptr, true},                      // OpenCL compiler (before 530)
    // Video.
    {"libvdpau_nvidia", "libvdpau_nvidia.so.1", true},              // VDPAU back end
    {"libnvidia-encode", "libnvidia-encode.so.1", true},            // NVENC
    {"libnvcuvid", "libnvcuvid.so.1", true},                        // NVDEC
    {"libnvidia-opticalflow", "libnvidia-opticalflow.so.1", false}, // optical flow SDK
    {"libnvidia-fbc", "libnvidia-fbc.so.1", true},                  // frame buffer capture
    {"libnvidia-ifr", "libnvidia-ifr.so.1", true}, // in-band frame readback (before 495)
    // Graphics.
    {"libnvidia-eglcore", nullptr, true},                // EGL core, behind libEGL_nvidia
    {"libnvidia-glcore", nullptr, true},                 // OpenGL core, behind libGLX_nvidia
    {"libnvidia-tls", nullptr, true},                    // TLS of the new ABI (ABI tag 2.3.99)
    {"libnvidia-glsi", nullptr, true},                   // window-system glue for EGL
    {"libnvidia-rtcore", nullptr, false},                // ray tracing core, behind OptiX
    {"libnvoptix", "libnvoptix.so.1", false},            // OptiX
    {"libGLX_nvidia", "libGLX_nvidia.so.0", true},       // GLVND's GLX vendor library
    {"libEGL_nvidia", "libEGL_nvidia.so.0", true},       // GLVND's EGL vendor library
    {"libGLESv2_nvidia", "libGLESv2_nvidia.so.2", true}, // OpenGL ES 2+ vendor library
    {"libGLESv1_CM_nvidia", "libGLESv1_CM_nvidia.so.1", true},   // OpenGL ES 1 vendor library
    {"libnvidia-glvkspirv", nullptr, true},                      // SPIR-V compiler for GL/Vulkan
    {"libGL", "libGL.so.1", true, Needs::glcore},                // NVIDIA's own (non-GLVND) libGL
    {"libEGL", "libEGL.so.1", true, Needs::eglcore},             // NVIDIA's own libEGL
    {"libGLESv1_CM", "libGLESv1_CM.so.1", true, Needs::eglcore}, // NVIDIA's own libGLESv1_CM
    {"libGLESv2", "libGLESv2.so.2", true, Needs::eglcore},       // NVIDIA's own libGLESv2
};

// The driver's programs that the volume's bin/ holds; nv-fabricmanager only
// with DriverTreeOptions::with_fabric_manager.
const char *const program_table[] = {"nvidia-smi",
                                     "nvidia-debugdump",
                                     "nvidia-persistenced",
                                     "nvidia-cuda-mps-control",
                                     "nvidia-cuda-mps-server",
                                     "nv-fabricmanager"};
constexpr const char *fabric_manager = "nv-fabricmanager";

// The built stand-ins, in DriverTreeOptions::stand_ins.
constexpr const char *stand_in_cuda = "libcuda.so.1";
constexpr const char *stand_in_tool = "nvidia-smi";

// GLVND's own libraries (the decoys): not NVIDIA's, whatever their names.
const struct {
  const char *file;
  const char *soname;
  std::vector<std::string> needed;
} glvnd_decoys[] = {
    {"libGL.so.1.7.0", "libGL.so.1", {"libGLdispatch.so.0", "libGLX.so.0", "libc.so.6"}},
    {"libEGL.so.1.1.0", "libEGL.so.1", {"libGLdispatch.so.0", "libc.so.6"}},
};

constexpr std::array<std::uint32_t, 3> new_tls_abi = {2, 3, 99};
constexpr std::array<std::uint32_t, 3> classic_tls_abi = {2, 2, 0};

std::string file_name_of(const std::string &path) { return fs::path(path).filename().string(); }

// A version as drivers write them: dotted numbers with at least one dot
// (a bare "1" would be a SONAME's number, not a driver's).
bool is_driver_version(const std::string &text) {
  return is_dotted_version(text) && text.find('.') != std::string::npos;
}

void check_options(const DriverTreeOptions &options) {
  if (!is_driver_version(options.version))
    throw Error("driver tree: version \"" + printable(options.version) +
                "\" is not a driver version (dotted numbers, e.g. 535.104.05)");
  if (options.decoys) {
    if (!is_driver_version(options.stale_version))
      throw Error("driver tree: stale version \"" + printable(options.stale_version) +
                  "\" is not a driver version (dotted numbers, e.g. 470.199.02)");
    if (options.stale_version == options.version)
      throw Error("driver tree: the stale libcuda's version must differ from the driver's (" +
                  options.version + ")");
  }
  std::vector<std::string> known = driver_library_names();
  for (const auto &name : driver_program_names())
    known.push_back(name);
  for (const auto &name : options.omit)
    if (std::find(known.begin(), known.end(), name) == known.end())
      throw Error("driver tree: cannot omit \"" + printable(name) +
                  "\": not a library or program of the driver (known: " + join(known, ", ") + ")");
  if (!options.nvml_library.empty() && !fs::is_regular_file(options.nvml_library))
    throw Error("driver tree: the stand-in NVML " + options.nvml_library +
                " is not a file (build the target nvd_stand_in_nvml)");
}

std::string stand_ins_of(const DriverTreeOptions &options) {
  std::string folder = options.stand_ins.empty() ? NVD_DRIVER_STAND_INS_DIR : options.stand_ins;
  if (folder.empty())
    throw Error("driver tree: no folder of stand-ins: set DriverTreeOptions::stand_ins to "
                "tests/tools/driver's stand-ins/ build folder");
  for (const char *name : {stand_in_cuda, stand_in_tool})
    if (!fs::is_regular_file(folder + "/" + name))
      throw Error("driver tree: the stand-in " + folder + "/" + name +
                  " is missing (build the targets nvd_stand_in_cuda and nvd_stand_in_nvidia_tool)");
  return folder;
}

void require_root(const std::string &root) {
  if (geteuid() != 0)
    throw Error("driver tree: needs root: `ldconfig -r " + root +
                "` chroots into the tree to make its ld.so.cache (run as root)");
}

std::string absolute_root(const std::string &root) {
  if (root.empty())
    throw Error("driver tree: no root folder given");
  std::string path = fs::absolute(root).lexically_normal().string();
  while (path.size() > 1 && path.back() == '/')
    path.pop_back();
  if (path == "/")
    throw Error("driver tree: refusing to install a stand-in driver into /");
  return path;
}

std::string ldconfig_program() {
  for (const char *candidate : {"/sbin/ldconfig", "/usr/sbin/ldconfig"})
    if (access(candidate, X_OK) == 0)
      return candidate;
  throw Error("driver tree: ldconfig not found in /sbin or /usr/sbin (install libc-bin)");
}

// The tree's layout for these options: paths, SONAMEs, DT_NEEDED and the
// volume expected from them. No I/O.
DriverTree plan_tree(const std::string &root, const DriverTreeOptions &options) {
  DriverTree tree;
  tree.root = root;
  tree.options = options;
  tree.lib64_dir = root + "/" + lib64_folder;
  tree.lib32_dir = options.with_32bit ? root + "/" + lib32_folder : std::string();
  tree.bin_dir = root + "/" + bin_folder;
  tree.ld_cache = root + "/etc/ld.so.cache";
  const std::string &version = options.version;

  for (const auto &spec : library_table) {
    if (options.omit.count(spec.name) != 0)
      continue;
    for (bool is_32bit : {false, true}) {
      if (is_32bit && (!options.with_32bit || !spec.ships_32bit))
        continue;
      InstalledLibrary library;
      library.name = spec.name;
      std::string file = std::string(spec.name) + ".so." + version;
      library.path = (is_32bit ? tree.lib32_dir : tree.lib64_dir) + "/" + file;
      library.soname = spec.soname != nullptr ? spec.soname : file;
      library.is_32bit = is_32bit;
      if (spec.needs == Needs::glcore)
        library.needed = {"libnvidia-glcore.so." + version, "libnvidia-tls.so." + version};
      else if (spec.needs == Needs::eglcore)
        library.needed = {"libnvidia-eglcore.so." + version, "libnvidia-glsi.so." + version};
      library.needed.push_back("libc.so.6");
      tree.libraries.push_back(library);
    }
  }
  for (const char *name : program_table) {
    if (options.omit.count(name) != 0)
      continue;
    if (name == std::string(fabric_manager) && !options.with_fabric_manager)
      continue;
    tree.programs.push_back(tree.bin_dir + "/" + name);
  }
  if (options.decoys) {
    tree.decoys.push_back(root + "/" + stale_folder + "/libcuda.so." + options.stale_version);
    tree.decoys.push_back(root + "/" + classic_tls_folder + "/libnvidia-tls.so." + version);
    for (const auto &decoy : glvnd_decoys)
      tree.decoys.push_back(root + "/" + glvnd_folder + "/" + decoy.file);
    tree.decoys.push_back(tree.bin_dir + "/nvidia-settings");
  }

  for (const auto &library : tree.libraries) {
    const std::string folder = library.is_32bit ? "lib/" : "lib64/";
    const std::string file = file_name_of(library.path);
    tree.expected_volume.push_back({folder + file, library.path, ""});
    if (library.soname != file)
      tree.expected_volume.push_back({folder + library.soname, "", file});
    if (library.name == "libcuda")
      tree.expected_volume.push_back({folder + "libcuda.so", "", file});
    if (library.name == "libGLX_nvidia")
      tree.expected_volume.push_back({folder + "libGLX_indirect.so.0", "", file});
  }
  for (const auto &program : tree.programs)
    tree.expected_volume.push_back({"bin/" + file_name_of(program), program, ""});
  std::sort(tree.expected_volume.begin(), tree.expected_volume.end(),
            [](const VolumeFile &a, const VolumeFile &b) { return a.path < b.path; });
  return tree;
}

// Each write lands under a temporary name and is renamed into place, so a
// replaced file is a new inode: a volume that hard-linked the old one keeps it.
std::string temporary_beside(const std::string &path) {
  return path + ".nvd-new-" + std::to_string(getpid());
}

void rename_into_place(const std::string &from, const std::string &to) {
  std::error_code error;
  fs::rename(from, to, error);
  if (error)
    throw Error("driver tree: cannot rename " + from + " to " + to + ": " + error.message());
}

void install_copy(const std::string &from, const std::string &to) {
  const std::string temporary = temporary_beside(to);
  std::error_code error;
  fs::copy_file(from, temporary, fs::copy_options::overwrite_existing, error);
  if (!error)
    fs::permissions(temporary, static_cast<fs::perms>(0755), error);
  if (error)
    throw Error("driver tree: cannot copy " + from + " to " + to + ": " + error.message());
  rename_into_place(temporary, to);
}

void install_elf(const std::string &path, const MinimalElf &elf) {
  const std::string temporary = temporary_beside(path);
  write_minimal_elf(temporary, elf);
  rename_into_place(temporary, path);
}

// `link` -> `target`, replacing what is there (as ldconfig and installers do).
void install_symlink(const std::string &target, const std::string &link) {
  const std::string temporary = temporary_beside(link);
  std::error_code error;
  fs::remove(temporary, error);
  fs::create_symlink(target, temporary, error);
  if (error)
    throw Error("driver tree: cannot link " + link + " to " + target + ": " + error.message());
  rename_into_place(temporary, link);
}

void write_text(const std::string &path, const std::string &text) {
  const std::string temporary = temporary_beside(path);
  write_file(temporary, text);
  if (read_file(temporary) != text)
    throw Error("driver tree: cannot write " + path);
  rename_into_place(temporary, path);
}

void make_folder(const std::string &path) {
  std::error_code error;
  fs::create_directories(path, error);
  if (error)
    throw Error("driver tree: cannot create " + path + ": " + error.message());
}

void install_libraries(const DriverTree &tree, const std::string &stand_ins) {
  for (const auto &library : tree.libraries) {
    const std::string folder = fs::path(library.path).parent_path().string();
    const std::string file = file_name_of(library.path);
    const bool is_64bit = !library.is_32bit;
    if (is_64bit && library.name == "libcuda")
      install_copy(stand_ins + "/" + stand_in_cuda, library.path);
    else if (is_64bit && library.name == "libnvidia-ml" && !tree.options.nvml_library.empty())
      install_copy(tree.options.nvml_library, library.path);
    else {
      MinimalElf elf;
      elf.kind = library.is_32bit ? ElfKind::i386 : ElfKind::x86_64;
      elf.soname = library.soname;
      elf.needed = library.needed;
      if (library.name == "libnvidia-tls")
        elf.abi_tag = new_tls_abi;
      install_elf(library.path, elf);
    }
    if (library.soname != file)
      install_symlink(file, folder + "/" + library.soname);
    // The links NVIDIA's installer makes besides the SONAME's.
    if (library.name == "libcuda")
      install_symlink(library.soname, folder + "/libcuda.so");
    if (library.name == "libGLX_nvidia")
      install_symlink(file, folder + "/libGLX_indirect.so.0");
  }
}

void install_programs(const DriverTree &tree, const std::string &stand_ins) {
  for (const auto &program : tree.programs)
    install_copy(stand_ins + "/" + stand_in_tool, program);
}

// The decoys that are not there yet (an upgrade keeps the old ones).
void install_decoys(const DriverTree &tree, const std::string &stand_ins) {
  if (!tree.options.decoys)
    return;
  auto missing = [](const std::string &path) { return !fs::exists(fs::symlink_status(path)); };
  const std::string stale = tree.root + "/" + stale_folder;
  const std::string stale_file = stale + "/libcuda.so." + tree.options.stale_version;
  if (missing(stale_file)) {
    make_folder(stale);
    install_elf(stale_file, {ElfKind::x86_64, "libcuda.so.1", {"libc.so.6"}, std::nullopt});
    install_symlink(file_name_of(stale_file), stale + "/libcuda.so.1");
  }
  const std::string classic = tree.root + "/" + classic_tls_folder;
  const std::string classic_file = classic + "/libnvidia-tls.so." + tree.options.version;
  make_folder(classic);
  install_elf(classic_file,
              {ElfKind::x86_64, file_name_of(classic_file), {"libc.so.6"}, classic_tls_abi});
  const std::string glvnd = tree.root + "/" + glvnd_folder;
  make_folder(glvnd);
  for (const auto &decoy : glvnd_decoys) {
    const std::string file = glvnd + "/" + decoy.file;
    if (missing(file)) {
      install_elf(file, {ElfKind::x86_64, decoy.soname, decoy.needed, std::nullopt});
      install_symlink(decoy.file, glvnd + "/" + decoy.soname);
    }
  }
  if (missing(tree.bin_dir + "/nvidia-settings"))
    install_copy(stand_ins + "/" + stand_in_tool, tree.bin_dir + "/nvidia-settings");
}

void write_ld_so_conf(const DriverTree &tree) {
  make_folder(tree.root + "/etc");
  std::string text = "# A stand-in NVIDIA driver made by nvidia-docker's tests "
                     "(tests/support/driver_tree.cpp).\n";
  if (tree.options.decoys)
    text += std::string("# Decoys first: a reader taking the cache's first match gets them.\n/") +
            stale_folder + "\n/" + classic_tls_folder + "\n/" + glvnd_folder + "\n";
  text += std::string("/") + lib64_folder + "\n";
  if (tree.options.with_32bit)
    text += std::string("/") + lib32_folder + "\n";
  write_text(tree.root + "/etc/ld.so.conf", text);
}

void run_ldconfig(const std::string &root) {
  Completed result = run_program({ldconfig_program(), "-r", root});
  if (result.status != 0 || !result.err.empty())
    throw Error("driver tree: `ldconfig -r " + root + "` failed (status " +
                std::to_string(result.status) + "): " + printable(result.err));
}

// The cache must list each library under its SONAME, in its folder, with its
// class: else a stand-in was not what ldconfig reads as a library.
void check_cache(const DriverTree &tree) {
  const std::vector<LdCacheEntry> cache = read_ld_cache(tree.root);
  for (const auto &library : tree.libraries) {
    const std::string folder = fs::path(library.path).parent_path().string();
    const std::string path = folder.substr(tree.root.size()) + "/" + library.soname;
    const std::string flags = library.is_32bit ? "libc6" : "libc6,x86-64";
    auto listed = std::find_if(cache.begin(), cache.end(), [&](const LdCacheEntry &entry) {
      return entry.name == library.soname && entry.path == path && entry.flags == flags;
    });
    if (listed == cache.end())
      throw Error("driver tree: ldconfig did not list " + library.soname + " (" + flags + ") => " +
                  path + " in " + tree.ld_cache + ": is " + library.path + "'s SONAME " +
                  library.soname + "?");
  }
}

bool is_regular_file_named(const fs::directory_entry &entry, const std::string &suffix) {
  std::error_code error;
  return entry.is_regular_file(error) && !entry.is_symlink(error) &&
         ends_with(entry.path().filename().string(), suffix);
}

// Removes what the installed version put in the driver's library folders: its
// files, then the links left dangling.
void remove_version(const std::string &root, const std::string &version) {
  for (const char *folder : {lib64_folder, lib32_folder, classic_tls_folder}) {
    const std::string path = root + "/" + folder;
    std::error_code error;
    if (!fs::is_directory(path, error))
      continue;
    std::vector<fs::path> doomed;
    for (const auto &entry : fs::directory_iterator(path, error))
      if (is_regular_file_named(entry, ".so." + version))
        doomed.push_back(entry.path());
    for (const auto &file : doomed)
      fs::remove(file, error);
    std::vector<fs::path> dangling;
    for (const auto &entry : fs::directory_iterator(path, error))
      if (entry.is_symlink(error) && !fs::exists(entry.path(), error))
        dangling.push_back(entry.path());
    for (const auto &link : dangling)
      fs::remove(link, error);
  }
}

DriverTree install(const std::string &root, const DriverTreeOptions &options) {
  const std::string stand_ins = stand_ins_of(options);
  DriverTree tree = plan_tree(root, options);
  make_folder(tree.lib64_dir);
  if (!tree.lib32_dir.empty())
    make_folder(tree.lib32_dir);
  make_folder(tree.bin_dir);
  install_libraries(tree, stand_ins);
  install_programs(tree, stand_ins);
  install_decoys(tree, stand_ins);
  write_ld_so_conf(tree);
  run_ldconfig(tree.root);
  check_cache(tree);
  return tree;
}

} // namespace

std::vector<std::string> driver_library_names() {
  std::vector<std::string> names;
  for (const auto &spec : library_table)
    names.emplace_back(spec.name);
  return names;
}

std::vector<std::string> driver_program_names() {
  return {std::begin(program_table), std::end(program_table)};
}

DriverTree make_driver_tree(const std::string &root, const DriverTreeOptions &options) {
  check_options(options);
  const std::string path = absolute_root(root);
  require_root(path);
  std::error_code error;
  if (fs::exists(path, error) && !fs::is_empty(path, error))
    throw Error("driver tree: " + path +
                " is not empty (a new tree needs an empty folder; upgrade_driver_tree "
                "installs another version over one)");
  return install(path, options);
}

DriverTree upgrade_driver_tree(const std::string &root, const DriverTreeOptions &options) {
  check_options(options);
  const std::string path = absolute_root(root);
  require_root(path);
  const std::string installed = installed_driver_version(path);
  if (installed == options.version)
    throw Error("driver tree: " + path + " already has driver " + installed);
  stand_ins_of(options); // fail before removing anything
  remove_version(path, installed);
  for (const auto &program : driver_program_names()) {
    std::error_code error;
    fs::remove(path + "/" + bin_folder + "/" + program, error);
  }
  return install(path, options);
}

DriverTree upgrade_driver_tree(const DriverTree &tree, const std::string &new_version) {
  DriverTreeOptions options = tree.options;
  options.version = new_version;
  return upgrade_driver_tree(tree.root, options);
}

std::string installed_driver_version(const std::string &root) {
  const std::string folder = root + "/" + lib64_folder;
  for (const char *prefix : {"libnvidia-ml.so.", "libcuda.so."}) {
    std::error_code error;
    for (const auto &entry : fs::directory_iterator(folder, error)) {
      const std::string name = entry.path().filename().string();
      if (!starts_with(name, prefix) || !entry.is_regular_file(error) || entry.is_symlink(error))
        continue;
      const std::string version = name.substr(std::string(prefix).size());
      if (is_driver_version(version))
        return version;
    }
  }
  throw Error("driver tree: no driver installed at " + root +
              " (no libnvidia-ml.so.<version> or "
              "libcuda.so.<version> in " +
              folder + ")");
}

std::vector<LdCacheEntry> read_ld_cache(const std::string &root) {
  const std::string cache = root + "/etc/ld.so.cache";
  if (!fs::is_regular_file(cache))
    throw Error("driver tree: no ld cache at " + cache);
  Completed result = run_program({ldconfig_program(), "-p", "-C", cache});
  if (result.status != 0)
    throw Error("driver tree: `ldconfig -p -C " + cache + "` failed (status " +
                std::to_string(result.status) + "): " + printable(result.err));
  // Entry lines: "\tNAME (FLAGS) => PATH"; the first and last lines are a count
  // and the generator.
  std::vector<LdCacheEntry> entries;
  std::size_t start = 0;
  while (start < result.out.size()) {
    std::size_t end = result.out.find('\n', start);
    if (end == std::string::npos)
      end = result.out.size();
    const std::string line = result.out.substr(start, end - start);
    start = end + 1;
    if (line.empty() || line[0] != '\t')
      continue;
    const std::size_t open = line.find(" (");
    const std::size_t arrow = line.rfind(") => ");
    if (open == std::string::npos || arrow == std::string::npos || arrow < open)
      throw Error("driver tree: unexpected line in `ldconfig -p`: " + printable(line));
    entries.push_back({line.substr(1, open - 1), line.substr(open + 2, arrow - open - 2),
                       line.substr(arrow + 5)});
  }
  return entries;
}

} // namespace nvd::test
