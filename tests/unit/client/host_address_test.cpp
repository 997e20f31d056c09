// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/common/error.hpp"
#include "nvd/client/host_address.hpp"

#include "support/table.hpp"

#include <gtest/gtest.h>

using namespace nvd;
using Transport = PluginEndpoint::Transport;

namespace {

struct AddressCase {
  const char *name;
  Environment env;
  std::optional<std::string> host_flag;
  Transport transport;
  std::string user, host;
  int ssh_port, plugin_port;
  std::string origin;
  std::string error;
};
NVD_PRINT_ROW_AS_NAME(AddressCase)

class AddressTable : public ::testing::TestWithParam<AddressCase> {};

AddressCase good(const char *name, Environment env, std::optional<std::string> flag, Transport t,
                 std::string user, std::string host, int ssh, int plugin, std::string origin) {
  return {name, std::move(env), std::move(flag), t, std::move(user), std::move(host), ssh, plugin,
          std::move(origin), ""};
}

AddressCase bad(const char *name, Environment env, std::string error) {
  return {name, std::move(env), std::nullopt, Transport::http, "", "", 0, 0, "", std::move(error)};
}

const std::string grammar = std::string("; ") + nv_host_grammar + ")";

} // namespace

TEST_P(AddressTable, Resolves) {
  const AddressCase &c = GetParam();
  try {
    PluginEndpoint endpoint = resolve_plugin_endpoint(c.env, DockerTarget{c.host_flag, std::nullopt, std::nullopt});
    EXPECT_EQ(c.error, "") << "parsed, but expected an error";
    EXPECT_EQ(endpoint.transport, c.transport);
    EXPECT_EQ(endpoint.user, c.user);
    EXPECT_EQ(endpoint.host, c.host);
    EXPECT_EQ(endpoint.ssh_port, c.ssh_port);
    EXPECT_EQ(endpoint.plugin_port, c.plugin_port);
    EXPECT_EQ(endpoint.origin, c.origin);
  } catch (const Error &error) {
    EXPECT_EQ(error.what(), c.error);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, AddressTable,
    ::testing::Values(
        good("NothingSet", {}, std::nullopt, Transport::http, "", "localhost", 22, 3476, "default"),
        good("UnixDockerHost", {{"DOCKER_HOST", "unix:///var/run/docker.sock"}}, std::nullopt,
             Transport::http, "", "localhost", 22, 3476, "DOCKER_HOST"),
        good("TcpDockerHostForcesPluginPort", {{"DOCKER_HOST", "tcp://10.0.0.1:2376"}}, std::nullopt,
             Transport::http, "", "10.0.0.1", 22, 3476, "DOCKER_HOST"),
        good("DockerHostWithoutScheme", {{"DOCKER_HOST", "gpu1:2375"}}, std::nullopt, Transport::http,
             "", "gpu1", 22, 3476, "DOCKER_HOST"),
        good("DockerHostSsh", {{"DOCKER_HOST", "ssh://me@gpu1"}}, std::nullopt, Transport::ssh, "me",
             "gpu1", 22, 3476, "DOCKER_HOST"),
        good("DockerHostSshPort", {{"DOCKER_HOST", "ssh://me@gpu1:2222"}}, std::nullopt,
             Transport::ssh, "me", "gpu1", 2222, 3476, "DOCKER_HOST"),
        good("DockerHostIpv6", {{"DOCKER_HOST", "tcp://[::1]:2376"}}, std::nullopt, Transport::http,
             "", "::1", 22, 3476, "DOCKER_HOST"),
        good("HostFlagBeatsDockerHost", {{"DOCKER_HOST", "tcp://a:1"}}, "tcp://b:2", Transport::http,
             "", "b", 22, 3476, "-H"),
        good("NvHostBeatsAll", {{"NV_HOST", "http://c:3000"}, {"DOCKER_HOST", "tcp://a:1"}}, "tcp://b:2",
             Transport::http, "", "c", 22, 3000, "NV_HOST"),
        good("EmptyNvHostIgnored", {{"NV_HOST", ""}, {"DOCKER_HOST", "tcp://a:1"}}, std::nullopt,
             Transport::http, "", "a", 22, 3476, "DOCKER_HOST"),
        good("NvHostHostPortNoScheme", {{"NV_HOST", "10.0.0.1:2375"}}, std::nullopt, Transport::http,
             "", "10.0.0.1", 22, 2375, "NV_HOST"),
        good("NvHostTcpIsHttp", {{"NV_HOST", "tcp://gpu1:"}}, std::nullopt, Transport::http, "",
             "gpu1", 22, 3476, "NV_HOST"),
        good("NvHostHostOnly", {{"NV_HOST", "http://gpu1"}}, std::nullopt, Transport::http, "",
             "gpu1", 22, 3476, "NV_HOST"),
        good("NvHostTrailingSlash", {{"NV_HOST", "http://gpu1:3476/"}}, std::nullopt, Transport::http,
             "", "gpu1", 22, 3476, "NV_HOST"),
        good("NvHostNoHost", {{"NV_HOST", "http://:4000"}}, std::nullopt, Transport::http, "",
             "localhost", 22, 4000, "NV_HOST"),
        good("SshTrailingColon", {{"NV_HOST", "ssh://10.0.0.1:"}}, std::nullopt, Transport::ssh, "",
             "10.0.0.1", 22, 3476, "NV_HOST"),
        good("SshWithoutColon", {{"NV_HOST", "ssh://10.0.0.1"}}, std::nullopt, Transport::ssh, "",
             "10.0.0.1", 22, 3476, "NV_HOST"),
        good("SshSinglePortIsPlugins", {{"NV_HOST", "ssh://foo@10.0.0.1:3477"}}, std::nullopt,
             Transport::ssh, "foo", "10.0.0.1", 22, 3477, "NV_HOST"),
        good("SshTwoPorts", {{"NV_HOST", "ssh://foo@10.0.0.1:22:80"}}, std::nullopt, Transport::ssh,
             "foo", "10.0.0.1", 22, 80, "NV_HOST"),
        good("SshPortThenDefault", {{"NV_HOST", "ssh://foo@host:2222:"}}, std::nullopt,
             Transport::ssh, "foo", "host", 2222, 3476, "NV_HOST"),
        good("SshDefaultThenPort", {{"NV_HOST", "ssh://host::4000"}}, std::nullopt, Transport::ssh, "",
             "host", 22, 4000, "NV_HOST"),
        good("SshIpv6", {{"NV_HOST", "ssh://me@[::1]:2222:3476"}}, std::nullopt, Transport::ssh, "me",
             "::1", 2222, 3476, "NV_HOST"),
        good("HttpIpv6", {{"NV_HOST", "http://[fe80::1]:3476"}}, std::nullopt, Transport::http, "",
             "fe80::1", 22, 3476, "NV_HOST"),
        bad("BadScheme", {{"NV_HOST", "ftp://gpu1"}},
            "invalid remote host URI: ftp://gpu1 (scheme \"ftp\" is not http, tcp or ssh" + grammar),
        bad("UnixNvHost", {{"NV_HOST", "unix:///run/x.sock"}},
            "invalid remote host URI: unix:///run/x.sock (scheme \"unix\" is not http, tcp or ssh" + grammar),
        bad("Path", {{"NV_HOST", "http://gpu1:3476/v1.0"}},
            "invalid remote host URI: http://gpu1:3476/v1.0 (a path is not allowed" + grammar),
        bad("PortNotNumber", {{"NV_HOST", "http://gpu1:abc"}},
            "invalid remote host URI: http://gpu1:abc (port \"abc\" is not a number" + grammar),
        bad("PortZero", {{"NV_HOST", "http://gpu1:0"}},
            "invalid remote host URI: http://gpu1:0 (port 0 is out of range 1-65535" + grammar),
        bad("PortTooBig", {{"NV_HOST", "gpu1:70000"}},
            "invalid remote host URI: gpu1:70000 (port 70000 is out of range 1-65535" + grammar),
        bad("ThreePorts", {{"NV_HOST", "ssh://h:1:2:3"}},
            "invalid remote host URI: ssh://h:1:2:3 (too many ports" + grammar),
        bad("TwoPortsHttp", {{"NV_HOST", "http://h:22:80"}},
            "invalid remote host URI: http://h:22:80 (two ports are only meaningful with ssh:// (SSH "
            "port, then plugin port)" + grammar),
        bad("UserOnHttp", {{"NV_HOST", "http://me@h"}},
            "invalid remote host URI: http://me@h (a user is only meaningful with ssh://" + grammar),
        bad("OptionInjectionHost", {{"NV_HOST", "ssh://-oProxyCommand=x"}},
            "invalid remote host URI: ssh://-oProxyCommand=x (host \"-oProxyCommand=x\" is not a host "
            "name or address" + grammar),
        bad("OptionInjectionUser", {{"NV_HOST", "ssh://-x@h"}},
            "invalid remote host URI: ssh://-x@h (user \"-x\" is not a valid user name" + grammar),
        bad("UnbalancedBracket", {{"NV_HOST", "http://[::1:80"}},
            "invalid remote host URI: http://[::1:80 (unbalanced '[' in the host" + grammar),
        bad("Garbage", {{"NV_HOST", "h o s t"}},
            "invalid remote host URI: h o s t (host \"h o s t\" is not a host name or address" + grammar),
        bad("DockerHostBadScheme", {{"DOCKER_HOST", "ftp://x"}},
            "invalid docker host DOCKER_HOST=ftp://x (scheme \"ftp\" is not unix, tcp or ssh; expected "
            "unix://PATH, tcp://HOST[:PORT] or ssh://[USER@]HOST[:PORT])"),
        bad("DockerHostNoHost", {{"DOCKER_HOST", "tcp://:2375"}},
            "invalid docker host DOCKER_HOST=tcp://:2375 (no host; expected unix://PATH, "
            "tcp://HOST[:PORT] or ssh://[USER@]HOST[:PORT])")),
    nvd::test::RowName());

TEST(PluginEndpoint, UrlsAndDescriptions) {
  PluginEndpoint local;
  EXPECT_EQ(local.base_url(), "http://localhost:3476");
  PluginEndpoint v6 = parse_nv_host("http://[::1]:4000");
  EXPECT_EQ(v6.base_url(), "http://[::1]:4000");
  PluginEndpoint ssh = parse_nv_host("ssh://me@gpu1:2222:3477");
  EXPECT_EQ(ssh.base_url(), "http://localhost:3477");
  EXPECT_EQ(ssh.describe(), "ssh://me@gpu1:2222 -> http://localhost:3477");
}
