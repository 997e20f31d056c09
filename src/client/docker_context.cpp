// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/docker_context.hpp"

#include "nvd/common/error.hpp"
#include "nvd/client/system/file_io.hpp"
#include "nvd/common/strings.hpp"

#include <dirent.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

namespace nvd {

std::string docker_config_dir(const std::optional<std::string> &config_flag, const Environment &env) {
  if (config_flag && !config_flag->empty())
    return *config_flag;
  auto config = env.find("DOCKER_CONFIG");
  if (config != env.end() && !config->second.empty())
    return config->second;
  auto home = env.find("HOME");
  return (home != env.end() ? home->second : std::string()) + "/.docker";
}

std::optional<std::string> ambient_context(const Environment &env, const std::string &config_dir,
                                           const DockerConfigReader &reader) {
  auto named = env.find("DOCKER_CONTEXT");
  std::string name;
  if (named != env.end() && !named->second.empty()) {
    name = named->second;
  } else if (std::optional<std::string> text = reader.read_file(config_dir + "/config.json")) {
    // A config.json docker cannot read either is docker's to report.
    nlohmann::json config = nlohmann::json::parse(*text, nullptr, false);
    if (config.is_object() && config.contains("currentContext") && config["currentContext"].is_string())
      name = config["currentContext"].get<std::string>();
  }
  if (name.empty() || name == "default")
    return std::nullopt;
  return name;
}

std::string context_docker_host(const std::string &name, const std::string &config_dir,
                                const DockerConfigReader &reader) {
  std::string meta = config_dir + "/contexts/meta";
  for (const auto &folder : reader.subfolders(meta)) {
    std::optional<std::string> text = reader.read_file(meta + "/" + folder + "/meta.json");
    if (!text)
      continue;
    nlohmann::json context = nlohmann::json::parse(*text, nullptr, false);
    if (!context.is_object() || context.value("Name", nlohmann::json()) != name)
      continue;
    const nlohmann::json *host = nullptr;
    if (context.contains("Endpoints") && context["Endpoints"].is_object() &&
        context["Endpoints"].contains("docker") && context["Endpoints"]["docker"].is_object() &&
        context["Endpoints"]["docker"].contains("Host"))
      host = &context["Endpoints"]["docker"]["Host"];
    if (host == nullptr || !host->is_string())
      throw Error("docker context " + printable(name) + " (" + meta + "/" + folder +
                  "/meta.json) has no docker endpoint");
    return host->get<std::string>();
  }
  throw Error("docker context \"" + printable(name) + "\" does not exist in " + meta +
              " (see `docker context ls`)");
}

DockerConfigReader filesystem_config_reader() {
  DockerConfigReader reader;
  reader.read_file = read_text_file;
  reader.subfolders = [](const std::string &path) {
    std::vector<std::string> names;
    DIR *dir = ::opendir(path.c_str());
    if (dir == nullptr)
      return names;
    while (dirent *entry = ::readdir(dir)) {
      std::string name = entry->d_name;
      struct stat info{};
      if (name != "." && name != ".." && ::stat((path + "/" + name).c_str(), &info) == 0 &&
          S_ISDIR(info.st_mode))
        names.push_back(name);
    }
    ::closedir(dir);
    return names;
  };
  return reader;
}

} // namespace nvd
