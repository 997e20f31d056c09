// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "nvd/plugin/nvml/nvml_discovery.hpp"
#include "support/temp_dir.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace nvd::test {

// A driver made of a stand-in NVML: the library copied under its version's
// name (libnvidia-ml.so.<version>) into a folder, and the config it answers
// from, named to it by NVD_STAND_IN_NVML.
class StandInDriver {
public:
  explicit StandInDriver(std::string built_library = NVD_STAND_IN_NVML_FULL)
      : m_built(std::move(built_library)) {
    ::setenv("NVD_STAND_IN_NVML", config_path().c_str(), 1);
  }
  ~StandInDriver() { ::unsetenv("NVD_STAND_IN_NVML"); }

  // Installs the library as driver `version`; returns its path.
  std::string install(const std::string &version) {
    std::string path = m_dir.file("libnvidia-ml.so." + version);
    std::filesystem::copy_file(m_built, path, std::filesystem::copy_options::overwrite_existing);
    return path;
  }

  // Writes the config as a new file (as an editor would), so the library sees the change.
  void configure(const nlohmann::json &config) {
    std::string temporary = config_path() + ".new";
    std::ofstream(temporary) << config.dump(2);
    std::rename(temporary.c_str(), config_path().c_str());
  }
  void configure_text(const std::string &text) {
    std::string temporary = config_path() + ".new";
    std::ofstream(temporary) << text;
    std::rename(temporary.c_str(), config_path().c_str());
  }

  std::string config_path() const { return m_dir.file("stand-in-nvml.json"); }
  const std::string &folder() const { return m_dir.path(); }

private:
  std::string m_built;
  TempDir m_dir{"nvd-stand-in-driver"};
};

// Log lines, collected from many threads.
class LogLines {
public:
  std::function<void(const std::string &)> sink() {
    return [this](const std::string &line) {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_lines.push_back(line);
    };
  }
  std::vector<std::string> lines() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_lines;
  }

private:
  mutable std::mutex m_mutex;
  std::vector<std::string> m_lines;
};

} // namespace nvd::test
