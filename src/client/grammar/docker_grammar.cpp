// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/grammar/docker_grammar.hpp"

#include "nvd/common/strings.hpp"

#include <algorithm>

namespace nvd {

FlagTable::FlagTable(std::vector<FlagSpec> flags) : m_flags(std::move(flags)) {
  auto by_name = [](const FlagSpec &a, const FlagSpec &b) { return a.long_name < b.long_name; };
  // The tables below are written in order: checking costs a tenth of sorting, at every run.
  if (!std::is_sorted(m_flags.begin(), m_flags.end(), by_name))
    std::sort(m_flags.begin(), m_flags.end(), by_name);
}

const FlagSpec *FlagTable::find_long(std::string_view name) const {
  auto it = std::lower_bound(m_flags.begin(), m_flags.end(), name,
                             [](const FlagSpec &flag, std::string_view key) { return flag.long_name < key; });
  return it != m_flags.end() && it->long_name == name ? &*it : nullptr;
}

const FlagSpec *FlagTable::find_short(char name) const {
  for (const auto &flag : m_flags)
    if (flag.short_name == name && name != 0)
      return &flag;
  return nullptr;
}

FlagTable FlagTable::with(const std::vector<FlagSpec> &extra) const {
  std::vector<FlagSpec> merged = m_flags;
  for (const auto &flag : extra)
    if (find_long(flag.long_name) == nullptr &&
        (flag.short_name == 0 || find_short(flag.short_name) == nullptr))
      merged.push_back(flag);
  return FlagTable(std::move(merged));
}

const FlagTable &global_flag_table() {
  // `docker --help` of client 28; -h/--help and -v/--version are cobra's own.
  static const FlagTable table({
      {"config", 0, true, false},
      {"context", 'c', true, false},
      {"debug", 'D', false, false},
      {"help", 'h', false, false},
      {"host", 'H', true, false},
      {"log-level", 'l', true, false},
      {"tls", 0, false, false},
      {"tlscacert", 0, true, false},
      {"tlscert", 0, true, false},
      {"tlskey", 0, true, false},
      {"tlsverify", 0, false, false},
      {"version", 'v', false, false},
  });
  return table;
}

const FlagTable &container_flag_table() {
  // `docker run --help` and `docker create --help` of client 28, plus the
  // hidden aliases it still accepts (--net, --net-alias, --dns-opt). Checked
  // against the installed client by tests/unit/docker_grammar_test.cpp.
  static const FlagTable table({
      {"add-host", 0, true, false},
      {"annotation", 0, true, false},
      {"attach", 'a', true, false},
      {"blkio-weight", 0, true, false},
      {"blkio-weight-device", 0, true, false},
      {"cap-add", 0, true, false},
      {"cap-drop", 0, true, false},
      {"cgroup-parent", 0, true, false},
      {"cgroupns", 0, true, false},
      {"cidfile", 0, true, false},
      {"cpu-count", 0, true, false},
      {"cpu-percent", 0, true, false},
      {"cpu-period", 0, true, false},
      {"cpu-quota", 0, true, false},
      {"cpu-rt-period", 0, true, false},
      {"cpu-rt-runtime", 0, true, false},
      {"cpu-shares", 'c', true, false},
      {"cpus", 0, true, false},
      {"cpuset-cpus", 0, true, false},
      {"cpuset-mems", 0, true, false},
      {"detach", 'd', false, true},
      {"detach-keys", 0, true, true},
      {"device", 0, true, false},
      {"device-cgroup-rule", 0, true, false},
      {"device-read-bps", 0, true, false},
      {"device-read-iops", 0, true, false},
      {"device-write-bps", 0, true, false},
      {"device-write-iops", 0, true, false},
      {"disable-content-trust", 0, false, false},
      {"dns", 0, true, false},
      {"dns-opt", 0, true, false},
      {"dns-option", 0, true, false},
      {"dns-search", 0, true, false},
      {"domainname", 0, true, false},
      {"entrypoint", 0, true, false},
      {"env", 'e', true, false},
      {"env-file", 0, true, false},
      {"expose", 0, true, false},
      {"gpus", 0, true, false},
      {"group-add", 0, true, false},
      {"health-cmd", 0, true, false},
      {"health-interval", 0, true, false},
      {"health-retries", 0, true, false},
      {"health-start-interval", 0, true, false},
      {"health-start-period", 0, true, false},
      {"health-timeout", 0, true, false},
      {"help", 0, false, false},
      {"hostname", 'h', true, false},
      {"init", 0, false, false},
      {"interactive", 'i', false, false},
      {"io-maxbandwidth", 0, true, false},
      {"io-maxiops", 0, true, false},
      {"ip", 0, true, false},
      {"ip6", 0, true, false},
      {"ipc", 0, true, false},
      {"isolation", 0, true, false},
      {"kernel-memory", 0, true, false},
      {"label", 'l', true, false},
      {"label-file", 0, true, false},
      {"link", 0, true, false},
      {"link-local-ip", 0, true, false},
      {"log-driver", 0, true, false},
      {"log-opt", 0, true, false},
      {"mac-address", 0, true, false},
      {"memory", 'm', true, false},
      {"memory-reservation", 0, true, false},
      {"memory-swap", 0, true, false},
      {"memory-swappiness", 0, true, false},
      {"mount", 0, true, false},
      {"name", 0, true, false},
      {"net", 0, true, false},
      {"net-alias", 0, true, false},
      {"network", 0, true, false},
      {"network-alias", 0, true, false},
      {"no-healthcheck", 0, false, false},
      {"oom-kill-disable", 0, false, false},
      {"oom-score-adj", 0, true, false},
      {"pid", 0, true, false},
      {"pids-limit", 0, true, false},
      {"platform", 0, true, false},
      {"privileged", 0, false, false},
      {"publish", 'p', true, false},
      {"publish-all", 'P', false, false},
      {"pull", 0, true, false},
      {"quiet", 'q', false, false},
      {"read-only", 0, false, false},
      {"restart", 0, true, false},
      {"rm", 0, false, false},
      {"runtime", 0, true, false},
      {"security-opt", 0, true, false},
      {"shm-size", 0, true, false},
      {"sig-proxy", 0, false, true},
      {"stop-signal", 0, true, false},
      {"stop-timeout", 0, true, false},
      {"storage-opt", 0, true, false},
      {"sysctl", 0, true, false},
      {"tmpfs", 0, true, false},
      {"tty", 't', false, false},
      {"ulimit", 0, true, false},
      {"use-api-socket", 0, false, false},
      {"user", 'u', true, false},
      {"userns", 0, true, false},
      {"uts", 0, true, false},
      {"volume", 'v', true, false},
      {"volume-driver", 0, true, false},
      {"volumes-from", 0, true, false},
      {"workdir", 'w', true, false},
  });
  return table;
}

std::vector<FlagSpec> parse_help_flags(std::string_view help_text) {
  // Lines look like "  -e, --env list   Set environment variables" or
  // "      --rm         Automatically remove ...": after the names, a type word
  // (one lowercase token) then two or more spaces means the flag takes a value.
  std::vector<FlagSpec> flags;
  std::size_t start = 0;
  while (start < help_text.size()) {
    std::size_t end = help_text.find('\n', start);
    if (end == std::string_view::npos)
      end = help_text.size();
    std::string_view line = help_text.substr(start, end - start);
    start = end + 1;

    std::size_t at = line.find_first_not_of(' ');
    if (at == std::string_view::npos || at == 0 || line[at] != '-')
      continue;
    line.remove_prefix(at);
    FlagSpec flag;
    if (line.size() >= 4 && line[0] == '-' && line[1] != '-' && line[2] == ',' && line[3] == ' ') {
      flag.short_name = line[1];
      line.remove_prefix(4);
    }
    if (!starts_with(line, "--"))
      continue;
    line.remove_prefix(2);
    std::size_t name_end = line.find(' ');
    flag.long_name = std::string(line.substr(0, name_end));
    if (flag.long_name.empty())
      continue;
    if (name_end != std::string_view::npos) {
      std::string_view rest = line.substr(name_end);
      // One space then a word then spaces: a type. Two or more spaces: the description.
      if (rest.size() > 1 && rest[0] == ' ' && rest[1] != ' ')
        flag.takes_value = true;
    }
    flags.push_back(flag);
  }
  return flags;
}

} // namespace nvd
