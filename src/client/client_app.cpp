// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/client_app.hpp"

#include "nvd/client/grammar/command_line.hpp"
#include "nvd/client/container_env.hpp"
#include "nvd/client/gpu_backend.hpp"
#include "nvd/client/requirements.hpp"
#include "nvd/client/docker_context.hpp"
#include "nvd/common/error.hpp"
#include "nvd/client/host_address.hpp"
#include "nvd/client/image_config.hpp"
#include "nvd/client/rewrite.hpp"
#include "nvd/client/shell_quote.hpp"
#include "nvd/common/strings.hpp"
#include "nvd/version.hpp"

#include <algorithm>
#include <cstring>
#include <unistd.h>

extern char **environ;

namespace nvd {
namespace {

class Run {
public:
  Run(const Environment &env, ClientEdges &edges)
      : m_env(env), m_edges(edges), m_debug(switch_from(env, "NV_DEBUG")) {}

  // A debug line; a message that is built (not a literal) is passed as a
  // function, so that without NV_DEBUG no run pays for building it.
  void debug(const char *message) {
    if (m_debug)
      m_edges.err.write(std::string("nvidia-docker | Debug: ") + message + "\n");
  }
  template <typename Message, typename = decltype(std::string(std::declval<Message>()()))>
  void debug(const Message &message) {
    if (m_debug)
      m_edges.err.write("nvidia-docker | Debug: " + std::string(message()) + "\n");
  }

  int hand_over(const std::vector<std::string> &docker_command, const std::vector<std::string> &args) {
    std::vector<std::string> argv = docker_argv(docker_command, args);
    debug([&] { return "exec: " + shell_join(argv); });
    if (switch_from(m_env, "NV_DRY_RUN")) {
      m_edges.out.write(shell_join(argv) + "\n");
      return 0;
    }
    return m_edges.executor.exec(argv, m_env);
  }

  int run(const std::vector<std::string> &args) {
    std::vector<std::string> docker_command = docker_command_from(m_env);
    ParseResult parsed = parse_command_line(args);
    if (parsed.failure && !parsed.failure->unknown_flag.empty() && is_container_command(parsed.line))
      parsed = parse_with_learned_flags(args, parsed, docker_command);
    const CommandLine &line = parsed.line;

    if (parsed.failure)
      return refuse_or_pass(parsed, docker_command, args);

    if (line.kind == CommandKind::version) {
      m_edges.out.write(std::string("NVIDIA Docker: ") + version + "\n\n");
    }
    if ((line.kind != CommandKind::run && line.kind != CommandKind::create) ||
        line.help_requested) {
      debug("pass-through: not a run or create command");
      return hand_over(docker_command, args);
    }
    try {
      return gpu_command(line, docker_command);
    } catch (const NeedsGpuHelper &need) {
      if (!m_edges.gpu_helper)
        throw Error(need.why + ", which this program cannot do: reinstall nvidia-docker");
      std::string helper = m_edges.gpu_helper();
      debug([&] { return need.why + ": handing the command over to " + shell_quote(helper); });
      return m_edges.executor.exec(docker_argv({helper}, args), m_env);
    }
  }

private:
  static bool is_container_command(const CommandLine &line) {
    return line.kind == CommandKind::run || line.kind == CommandKind::create;
  }

  // A flag newer than our table: read the installed client's own list of
  // flags and parse again, rather than guess whether it takes a value.
  ParseResult parse_with_learned_flags(const std::vector<std::string> &args,
                                       const ParseResult &first,
                                       const std::vector<std::string> &docker_command) {
    const std::string command = first.line.kind == CommandKind::run ? "run" : "create";
    debug([&] { return "unknown flag " + first.failure->unknown_flag + ": asking the docker client for its flags"; });
    std::unique_ptr<FlagSource> source = m_edges.flag_source(docker_command);
    std::vector<FlagSpec> learned;
    try {
      learned = source->container_flags(command);
    } catch (const Error &error) {
      throw Error(first.failure->message + " (and its flags could not be learned from the docker "
                  "client: " + error.what() + ")");
    }
    debug([&] { return "learned " + std::to_string(learned.size()) + " flags: " + source->provenance(); });
    if (first.line.kind == CommandKind::create)
      for (auto &flag : learned)
        flag.run_only = false;
    FlagTable learned_table = container_flag_table().with(learned);
    ParseResult again = parse_command_line(args, global_flag_table(), &learned_table);
    if (again.failure && !again.failure->unknown_flag.empty())
      again.failure->message += " (the installed docker client does not know it either)";
    return again;
  }

  int refuse_or_pass(const ParseResult &parsed, const std::vector<std::string> &docker_command,
                     const std::vector<std::string> &args) {
    const ParseFailure &failure = *parsed.failure;
    if (is_container_command(parsed.line))
      throw Error(failure.message);
    // A global option we cannot read: if no run/create can follow, docker
    // itself will answer; otherwise we would risk missing the GPU image.
    for (std::size_t i = 0; i < args.size(); ++i)
      if (args[i] == "run" || args[i] == "create")
        throw Error(failure.message + " (nvidia-docker cannot tell which command follows it)");
    debug([&] { return "pass-through: " + failure.message; });
    return hand_over(docker_command, args);
  }

  // The flow of docs/architecture.md, one named step each: the daemon and its
  // image, the GPU request, the source of GPU arguments, the requirements,
  // the arguments. A step that finds nothing to do hands the command over.
  int gpu_command(const CommandLine &line, const std::vector<std::string> &docker_command) {
    const std::string &image = line.args[line.image_index];
    const std::string command = line.kind == CommandKind::run ? "run" : "create";
    debug([&] { return "command: " + command + ", image: " + shell_quote(image); });
    if (image.empty())
      throw Error("docker " + command + ": the image name is empty");

    Daemon daemon = addressed_daemon(line, docker_command);
    hand_over_early_if_only_the_helper_can_ask_the_plugin(daemon);
    std::optional<ImageConfig> config = image_config(line, *daemon.images);
    if (!config)
      return hand_over(docker_command, line.args);

    std::string own_request = command_gpu_request(line);
    if (!own_request.empty()) {
      debug([&] { return "the command asks for GPUs itself (" + own_request + "): command unchanged"; });
      return hand_over(docker_command, line.args);
    }
    LabelRequest labels = read_gpu_labels(*config, image);
    GpuRequest request = image_gpu_request(line, *config, labels);
    if (!request.wanted)
      return hand_over(docker_command, line.args);

    GpuSource source = gpu_source(daemon, request);
    check_requirements(request, source.host);
    std::vector<std::string> extra = gpu_arguments(source, labels, request, daemon);
    debug([&] { return "GPU arguments: " + shell_join(extra); });
    return hand_over(docker_command, insert_before_image(line, extra));
  }

  // The daemon the command addresses, and its image store.
  struct Daemon {
    std::vector<std::string> docker_command;
    DockerTarget target;
    DockerEndpoint endpoint;
    std::unique_ptr<ImageStore> images;
  };

  // In the front: a plugin that only the helper can ask (libcurl) is known
  // before any request, so the command goes over now rather than after its
  // image was read here (over the network, for a remote daemon) for nothing.
  // A setting that does not read is left for the step that needs it to
  // report (only for a GPU image), as the helper does.
  void hand_over_early_if_only_the_helper_can_ask_the_plugin(const Daemon &daemon) {
    if (!m_edges.gpu_helper)
      return;
    bool libcurl = false;
    try {
      std::optional<Backend> backend = backend_from(m_env);
      libcurl = (!backend || *backend == Backend::plugin) &&
                plugin_needs_libcurl(plugin_endpoint_for(m_env, daemon.endpoint), m_env);
    } catch (const Error &) {
      return;
    }
    if (libcurl)
      throw NeedsGpuHelper{"the plugin is asked through libcurl (another host, or NV_USE_LIBCURL)"};
  }

  // Decides which daemon the command addresses (its images are read there, and
  // its host runs the plugin); contexts are read only when they decide.
  Daemon addressed_daemon(const CommandLine &line, const std::vector<std::string> &docker_command) {
    DockerTarget target{line.last_global_value("host"), line.last_global_value("context"),
                        line.last_global_value("config")};
    std::string config_dir = docker_config_dir(target.config_flag, m_env);
    DockerConfigReader reader = m_edges.docker_config ? m_edges.docker_config() : DockerConfigReader{};
    DockerEndpoint endpoint = resolve_docker_endpoint(
        m_env, target,
        [&]() -> std::optional<std::string> {
          return reader.read_file ? ambient_context(m_env, config_dir, reader) : std::nullopt;
        },
        [&](const std::string &name) { return context_docker_host(name, config_dir, reader); });

    std::vector<std::string> prefix = docker_command;
    prefix.insert(prefix.end(), line.args.begin(),
                  line.args.begin() + static_cast<std::ptrdiff_t>(line.command_index));
    std::unique_ptr<ImageStore> images = m_edges.image_store(prefix, local_socket_path(endpoint));
    debug([&] { return "image configuration from " + images->describe(); });
    return Daemon{docker_command, std::move(target), std::move(endpoint), std::move(images)};
  }

  // Decides whether the image must be pulled (as --pull says) and reads its
  // configuration; nullopt when it is missing and docker is to report it.
  std::optional<ImageConfig> image_config(const CommandLine &line, ImageStore &images) {
    const std::string &image = line.args[line.image_index];
    std::string pull = line.last_value("pull").value_or("missing");
    std::optional<std::string> platform = line.last_value("platform");
    bool quiet = parse_go_bool(line.last_value("quiet").value_or("false")).value_or(false);
    if (pull == "always") {
      // The front may still hand over (NVML) after this: the helper pulls, once.
      if (m_edges.gpu_helper)
        throw NeedsGpuHelper{"--pull always"};
      debug([&] { return "--pull always: pulling " + shell_quote(image) + " first"; });
      images.pull(image, platform, quiet);
    }
    std::optional<ImageConfig> config = images.inspect(image);
    if (config)
      return config;
    if (pull == "never") {
      debug([&] { return "image " + shell_quote(image) + " is not present and --pull never: docker reports it"; });
      return std::nullopt;
    }
    debug([&] { return "image " + shell_quote(image) + " is not present: pulling it"; });
    images.pull(image, platform, quiet);
    config = images.inspect(image);
    if (!config)
      throw Error("image " + printable(image) + " is still missing after docker pull");
    return config;
  }

  // Decides whether this is a GPU image, and which GPUs it gets: its labels
  // and the environment the container will see, with NV_GPU.
  GpuRequest image_gpu_request(const CommandLine &line, const ImageConfig &config,
                               const LabelRequest &labels) {
    std::map<std::string, std::string> container_env =
        container_environment(config.env, line, m_env, m_edges.read_file);
    GpuRequest request = gpu_request(labels, container_env, m_env);
    if (!request.wanted)
      debug([&] { return std::string("not a GPU image (no ") + volumes_needed_label +
            " label; no NVIDIA_VISIBLE_DEVICES, NVIDIA_REQUIRE_CUDA or CUDA_VERSION in its "
            "environment): command unchanged"; });
    else
      debug([&] { return "GPU image (" + request.reason + "); GPUs: " + describe(request.selection); });
    return request;
  }

  // Where the GPU arguments come from, and what is known of the host.
  struct GpuSource {
    Backend backend = Backend::plugin;
    std::unique_ptr<PluginClient> plugin;
    std::optional<PluginGpuInfo> host;
  };

  // Decides the backend: the plugin when it answers (NV_HOST, else the
  // daemon's host), else what the daemon offers; and the host's values, from
  // the plugin or, for a daemon on this machine, from NVML.
  GpuSource gpu_source(Daemon &daemon, const GpuRequest &request) {
    PluginEndpoint endpoint = plugin_endpoint_for(m_env, daemon.endpoint);
    std::optional<Backend> backend = backend_from(m_env);
    GpuSource source;
    std::string plugin_failure;
    if (!backend || *backend == Backend::plugin) {
      debug([&] { return "plugin: " + endpoint.describe() + " (from " + endpoint.origin + ")"; });
      try {
        source.plugin = m_edges.plugin(endpoint, timeout_from(m_env));
        // After the plugin's client is made: the front may hand over there, and the helper warns.
        warn_if_nv_host_alone(endpoint, daemon.target);
        source.host = source.plugin->gpu_info();
        backend = Backend::plugin;
      } catch (const ConnectionRefused &error) {
        // Only an absent plugin at an address we inferred means "use another
        // mechanism"; a plugin named by NV_HOST or chosen by NV_BACKEND, or
        // one that answers wrongly, is an error to show.
        if (backend || endpoint.origin == "NV_HOST")
          throw;
        plugin_failure = error.what();
        source.plugin.reset();
        debug([&] { return "no plugin: " + plugin_failure; });
      }
    }
    if (!source.host && local_socket_path(daemon.endpoint) && m_edges.nvml &&
        (request.labels.cuda || !request.requirements.empty())) {
      // No plugin told the host's values, but the daemon is this machine: ask
      // NVML (before the daemon is asked anything: the front hands over here).
      std::string why_not;
      source.host = m_edges.nvml(why_not);
      debug([&] { return source.host ? "host values from NVML" : "no host values from NVML: " + why_not; });
    }
    if (!backend) {
      backend = backend_offered_by_daemon(daemon, endpoint, plugin_failure);
    } else if (*backend == Backend::cdi) {
      std::string refusal = cdi_refusal(daemon.docker_command);
      if (!refusal.empty())
        throw Error("NV_BACKEND=cdi: " + refusal + ": upgrade the docker client, or set NV_BACKEND to "
                    "runtime or gpus");
    }
    source.backend = *backend;
    debug([&] { return "backend: " + backend_name(source.backend); });
    return source;
  }

  void warn_if_nv_host_alone(const PluginEndpoint &endpoint, const DockerTarget &target) {
    if (endpoint.origin == "NV_HOST" && !target.host_flag && !target.context_flag &&
        m_env.count("DOCKER_HOST") == 0)
      m_edges.err.write("nvidia-docker | Warning: NV_HOST is set but DOCKER_HOST is not: the "
                        "container runs on the local docker daemon, with GPUs described by " +
                        endpoint.describe() + "\n");
  }

  // Decides the arguments that hand the GPUs over: the plugin's answer, or
  // the backend's own; the plugin's connection is closed before docker runs.
  std::vector<std::string> gpu_arguments(GpuSource &source, const LabelRequest &labels,
                                         const GpuRequest &request, const Daemon &daemon) {
    std::vector<std::string> extra;
    if (source.backend == Backend::plugin) {
      std::vector<std::string> ids = request.selection.kind == GpuSelection::Kind::listed
                                         ? request.selection.ids
                                         : std::vector<std::string>{};
      GpuArguments gpu = source.plugin->docker_arguments(labels.volumes, ids);
      warn_if_volume_driver_unreachable(gpu, daemon);
      if (request.selection.kind == GpuSelection::Kind::none)
        gpu.devices = control_devices_only(gpu.devices); // the driver, but no GPU
      extra = gpu.to_docker_args();
    } else {
      extra = backend_arguments(source.backend, request.selection);
      if (request.selection.kind == GpuSelection::Kind::none && source.backend != Backend::runtime)
        debug([&] { return "NVIDIA_VISIBLE_DEVICES=none: the " + backend_name(source.backend) +
              " backend has no way to give driver files without a GPU; none given"; });
    }
    source.plugin.reset();
    return extra;
  }

  // Warns when a local dockerd cannot reach the volume driver the plugin
  // names: dockerd then retries for 15 s and reports the volume as an image
  // to pull ("Unable to find image ... locally"), so the user reads why
  // first. A warning, not a refusal: rootless dockerd looks elsewhere, and a
  // client in a container may see another /run; only where dockerd's plugin
  // folder is visible at all.
  void warn_if_volume_driver_unreachable(const GpuArguments &gpu, const Daemon &daemon) {
    if (gpu.volumes.empty() || gpu.volume_driver.empty() || !m_edges.path_exists ||
        !local_socket_path(daemon.endpoint))
      return;
    if (!m_edges.path_exists(docker_plugin_socket_folder)) {
      debug([&] { return std::string(docker_plugin_socket_folder) + " is not visible here: the " +
            gpu.volume_driver + " volume driver is not checked"; });
      return;
    }
    std::vector<std::string> locations = volume_plugin_locations(gpu.volume_driver);
    for (const auto &location : locations)
      if (m_edges.path_exists(location)) {
        debug([&] { return "volume driver " + gpu.volume_driver + " at " + location; });
        return;
      }
    m_edges.err.write("nvidia-docker | Warning: the " + gpu.volume_driver +
                      " volume driver may be unavailable to the docker daemon: " + locations.front() +
                      " is missing (is nvidia-docker-plugin running with its socket in " +
                      docker_plugin_socket_folder + "? start it, or restart it without -s)\n");
  }

  static std::string describe(const GpuSelection &selection) {
    switch (selection.kind) {
    case GpuSelection::Kind::all:
      return "all (" + selection.origin + ")";
    case GpuSelection::Kind::none:
      return "none (" + selection.origin + ")";
    case GpuSelection::Kind::listed:
      break;
    }
    return join(selection.ids, ",") + " (" + selection.origin + ")";
  }

  static std::vector<std::string> control_devices_only(const std::vector<std::string> &devices) {
    std::vector<std::string> kept;
    for (const auto &device : devices) {
      std::string name = device.substr(device.rfind('/') + 1);
      bool gpu = starts_with(name, "nvidia") && name.size() > 6 && is_decimal(name.substr(6));
      if (!gpu)
        kept.push_back(device);
    }
    return kept;
  }

  // No plugin answered: use what the daemon offers, CDI first, then the nvidia
  // runtime. --gpus is never guessed: the daemon does not say whether it works.
  // A docker client too old to send them is told apart from a daemon without them.
  Backend backend_offered_by_daemon(Daemon &daemon, const PluginEndpoint &endpoint,
                                    const std::string &plugin_failure) {
    DaemonInfo info;
    std::string info_failure;
    try {
      info = daemon.images->daemon_info();
    } catch (const Error &error) {
      info_failure = error.what();
    }
    debug([&] {
      return "daemon: runtimes " + join(info.runtimes, ",") + "; CDI devices " + join(info.cdi_devices, ",");
    });
    std::string cdi_failure = info_failure.empty() ? "none known to the docker daemon" : info_failure;
    std::string client_remedy;
    for (const auto &device : info.cdi_devices)
      if (starts_with(device, "nvidia.com/gpu=")) {
        std::string refusal = cdi_refusal(daemon.docker_command);
        if (refusal.empty())
          return Backend::cdi;
        debug([&] { return "CDI devices not used: " + refusal; });
        cdi_failure = "the docker daemon has them, but the " + refusal;
        client_remedy = "upgrade the docker client, ";
        break;
      }
    for (const auto &runtime : info.runtimes)
      if (runtime == "nvidia")
        return Backend::runtime;
    throw Error("no GPU mechanism found: nvidia-docker-plugin at " + endpoint.describe() + " (" +
                plugin_failure + "); CDI devices nvidia.com/gpu (" + cdi_failure + "); the nvidia runtime (" +
                (info_failure.empty() ? "not registered with the docker daemon" : "unknown") +
                "). Start nvidia-docker-plugin, install the NVIDIA container toolkit, " + client_remedy +
                "or set NV_BACKEND=gpus to use docker's --gpus");
  }

  // "" when the docker client can ask for CDI devices (or nothing tells), else why not.
  std::string cdi_refusal(const std::vector<std::string> &docker_command) {
    if (!m_edges.docker_version)
      return "";
    std::string why_not;
    std::string version_line = m_edges.docker_version(docker_command, why_not);
    debug([&] {
      return version_line.empty() ? "docker client version unknown: " + why_not : "docker client: " + version_line;
    });
    return cdi_refusal_for_client(version_line);
  }

  // Decides whether the host meets the image's CUDA label (1.0) and NVIDIA_REQUIRE_*, when a
  // plugin told us the host's values; otherwise the runtime checks them.
  void check_requirements(const GpuRequest &request, const std::optional<PluginGpuInfo> &host) {
    bool has_requirements = request.labels.cuda || !request.requirements.empty();
    if (!host) {
      if (has_requirements)
        debug("requirements not checked here: neither a plugin nor NVML told this host's versions; "
              "the runtime checks them");
      return;
    }
    debug([&] { return "host: driver " + host->driver.text + ", CUDA " + host->cuda.text; });
    if (request.labels.cuda) {
      std::string refusal = check_cuda_version(host->cuda, *request.labels.cuda);
      if (!refusal.empty())
        throw Error(refusal);
    }
    if (request.requirements_disabled) {
      if (!request.requirements.empty())
        debug("NVIDIA_DISABLE_REQUIRE is set: NVIDIA_REQUIRE_* not checked");
      return;
    }
    HostFacts facts{host->driver, host->cuda, selected_gpus(request.selection, *host)};
    for (const auto &[variable, value] : request.requirements) {
      std::string refusal = check_requirement(parse_requirement(variable, value), facts);
      if (!refusal.empty())
        throw Error(refusal);
    }
  }

  static std::vector<GpuFacts> selected_gpus(const GpuSelection &selection, const PluginGpuInfo &host) {
    std::vector<GpuFacts> gpus;
    auto add = [&](const PluginGpuInfo::Device &device) { gpus.push_back({device.brand, device.arch}); };
    if (selection.kind == GpuSelection::Kind::all)
      for (const auto &device : host.devices)
        add(device);
    if (selection.kind == GpuSelection::Kind::listed)
      for (const auto &id : selection.ids)
        for (std::size_t i = 0; i < host.devices.size(); ++i)
          if ((is_decimal(id) && id.size() < 9 && std::stoul(id) == i) ||
              (starts_with(id, "GPU-") && starts_with(host.devices[i].uuid, id)))
            add(host.devices[i]);
    return gpus;
  }

  const Environment &m_env;
  ClientEdges &m_edges;
  bool m_debug;
};

} // namespace

std::optional<PlainPassThrough>
plain_pass_through(const std::vector<std::string> &args,
                   const std::function<std::optional<std::string>(const char *name)> &variable) {
  if (variable("NV_DEBUG") || variable("NV_DRY_RUN"))
    return std::nullopt;
  // Without the words "run", "create" and "version" no command line is a run,
  // a create or a version, and none is refused (refuse_or_pass): docker's
  // grammar need not even be looked at, which the command users run most
  // feels (its code is not in the processor's caches yet).
  bool may_matter = std::any_of(args.begin(), args.end(), [](const std::string &arg) {
    return arg == "run" || arg == "create" || arg == "version";
  });
  if (may_matter) {
    ParseResult parsed = parse_command_line(args);
    CommandKind kind = parsed.line.kind;
    if (parsed.failure || kind == CommandKind::run || kind == CommandKind::create || kind == CommandKind::version)
      return std::nullopt;
  }
  PlainPassThrough pass;
  for (const char *name : {"PATH", "NV_DOCKER"})
    if (std::optional<std::string> value = variable(name))
      pass.lookup.emplace(name, *value);
  pass.argv = docker_argv(docker_command_from(pass.lookup), args);
  return pass;
}

bool can_read_engine_directly(const std::vector<std::string> &docker_command,
                              const std::optional<std::string> &local_socket) {
  if (docker_command.size() != 1 || !local_socket)
    return false;
  const std::string &program = docker_command[0];
  std::string name = program.substr(program.rfind('/') == std::string::npos ? 0 : program.rfind('/') + 1);
  // With sudo, or a socket only root may open, the docker client is the way in.
  return name == "docker" && ::access(local_socket->c_str(), R_OK | W_OK) == 0;
}

int run_client(const std::vector<std::string> &args, const Environment &env, ClientEdges &edges) {
  return Run(env, edges).run(args);
}

Environment read_environment() {
  Environment env;
  for (char **entry = environ; *entry != nullptr; ++entry) {
    const char *equals = std::strchr(*entry, '=');
    if (equals != nullptr) // the first of a repeated name, as getenv finds it
      env.try_emplace(std::string(*entry, static_cast<std::size_t>(equals - *entry)), equals + 1);
  }
  return env;
}


int report_error(Output &err, const std::function<int()> &body) {
  try {
    return body();
  } catch (const AlreadyReported &error) {
    return error.exit_code();
  } catch (const Error &error) {
    err.write(std::string("nvidia-docker | Error: ") + error.what() + "\n");
    return error.exit_code();
  } catch (const NeedsGpuHelper &need) { // an edge used where run_client cannot hand over
    err.write("nvidia-docker | Error: " + need.why + ", which this program cannot do: reinstall nvidia-docker\n");
    return 1;
  } catch (const std::exception &error) {
    err.write(std::string("nvidia-docker | Error: unexpected failure: ") + error.what() + "\n");
    return 1;
  }
}

} // namespace nvd
