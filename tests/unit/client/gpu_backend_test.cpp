// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/container_env.hpp"
#include "nvd/common/error.hpp"
#include "nvd/client/gpu_backend.hpp"
#include "nvd/client/system/nvml_host.hpp"

#include "support/args.hpp"

#include <gtest/gtest.h>

using namespace nvd;
using nvd::test::words;

TEST(GpuRequest, WhatMakesAGpuImage) {
  LabelRequest none, labelled;
  labelled.gpu_image = true;
  EXPECT_TRUE(gpu_request(labelled, {}, {}).wanted);
  EXPECT_FALSE(gpu_request(none, {}, {}).wanted);
  EXPECT_FALSE(gpu_request(none, {{"NVIDIA_VISIBLE_DEVICES", "void"}}, {}).wanted);
  EXPECT_FALSE(gpu_request(none, {{"NVIDIA_VISIBLE_DEVICES", ""}}, {}).wanted);
  EXPECT_TRUE(gpu_request(none, {{"NVIDIA_VISIBLE_DEVICES", "all"}}, {}).wanted);
  EXPECT_TRUE(gpu_request(none, {{"NVIDIA_REQUIRE_CUDA", "cuda>=12"}}, {}).wanted);
  EXPECT_TRUE(gpu_request(none, {{"CUDA_VERSION", "12.4.1"}}, {}).wanted);
  EXPECT_FALSE(gpu_request(none, {{"PATH", "/bin"}}, {}).wanted);
}

TEST(GpuRequest, SelectionComesFromNvGpuThenTheImage) {
  LabelRequest none;
  auto all = gpu_request(none, {{"NVIDIA_VISIBLE_DEVICES", "all"}}, {});
  EXPECT_EQ(all.selection.kind, GpuSelection::Kind::all);
  auto nothing = gpu_request(none, {{"NVIDIA_VISIBLE_DEVICES", "none"}}, {});
  EXPECT_EQ(nothing.selection.kind, GpuSelection::Kind::none);
  auto listed = gpu_request(none, {{"NVIDIA_VISIBLE_DEVICES", "0,2"}}, {});
  EXPECT_EQ(listed.selection.ids, (std::vector<std::string>{"0", "2"}));
  auto mig = gpu_request(none, {{"NVIDIA_VISIBLE_DEVICES", "MIG-1234,0:1"}}, {});
  EXPECT_EQ(mig.selection.ids, (std::vector<std::string>{"MIG-1234", "0:1"}));
  auto wins = gpu_request(none, {{"NVIDIA_VISIBLE_DEVICES", "0,2"}}, {{"NV_GPU", "1"}});
  EXPECT_EQ(wins.selection.ids, std::vector<std::string>{"1"});
  EXPECT_EQ(wins.selection.origin, "NV_GPU");
  auto defaulted = gpu_request(none, {{"CUDA_VERSION", "12"}}, {});
  EXPECT_EQ(defaulted.selection.kind, GpuSelection::Kind::all);
}

TEST(GpuRequest, RequirementsAndDisable) {
  LabelRequest none;
  auto request = gpu_request(none, {{"NVIDIA_REQUIRE_CUDA", "cuda>=12"}, {"NVIDIA_REQUIRE_ARCH", "arch>=8.0"},
                                    {"NVIDIA_DISABLE_REQUIRE", "1"}}, {});
  EXPECT_EQ(request.requirements.size(), 2u);
  EXPECT_TRUE(request.requirements_disabled);
  EXPECT_FALSE(gpu_request(none, {{"CUDA_VERSION", "12"}, {"NVIDIA_DISABLE_REQUIRE", "false"}}, {}).requirements_disabled);
}

TEST(GpuBackend, ArgumentsOfEachBackend) {
  GpuSelection all{GpuSelection::Kind::all, {}, "default"};
  GpuSelection two{GpuSelection::Kind::listed, {"0", "GPU-1234"}, "NV_GPU"};
  GpuSelection none{GpuSelection::Kind::none, {}, "NVIDIA_VISIBLE_DEVICES"};
  EXPECT_EQ(backend_arguments(Backend::cdi, all), std::vector<std::string>{"--device=nvidia.com/gpu=all"});
  EXPECT_EQ(backend_arguments(Backend::cdi, two),
            (std::vector<std::string>{"--device=nvidia.com/gpu=0", "--device=nvidia.com/gpu=GPU-1234"}));
  EXPECT_TRUE(backend_arguments(Backend::cdi, none).empty());
  EXPECT_EQ(backend_arguments(Backend::gpus, all), std::vector<std::string>{"--gpus=all"});
  EXPECT_EQ(backend_arguments(Backend::gpus, two), std::vector<std::string>{"--gpus=\"device=0,GPU-1234\""});
  EXPECT_TRUE(backend_arguments(Backend::gpus, none).empty());
  EXPECT_EQ(backend_arguments(Backend::runtime, two),
            (std::vector<std::string>{"--runtime=nvidia", "--env=NVIDIA_VISIBLE_DEVICES=0,GPU-1234"}));
  EXPECT_EQ(backend_arguments(Backend::runtime, none),
            (std::vector<std::string>{"--runtime=nvidia", "--env=NVIDIA_VISIBLE_DEVICES=none"}));
}

TEST(GpuBackend, CommandThatAsksForGpus) {
  auto ask = [](const std::string &line) { return command_gpu_request(parse_command_line(words(line)).line); };
  EXPECT_EQ(ask("run --gpus all img"), "--gpus all");
  EXPECT_EQ(ask("run --runtime=nvidia img"), "--runtime=nvidia");
  EXPECT_EQ(ask("run --runtime runc img"), "");
  EXPECT_EQ(ask("run --device nvidia.com/gpu=0 img"), "--device nvidia.com/gpu=0");
  EXPECT_EQ(ask("run --device /dev/nvidia0 img"), "");
  EXPECT_EQ(ask("run -e NVIDIA_VISIBLE_DEVICES=1 img"), "-e NVIDIA_VISIBLE_DEVICES=1");
  EXPECT_EQ(ask("run -e NVIDIA_DRIVER_CAPABILITIES=all img"), "");
}

TEST(GpuBackend, NvBackend) {
  EXPECT_EQ(backend_from({}), std::nullopt);
  EXPECT_EQ(backend_from({{"NV_BACKEND", "auto"}}), std::nullopt);
  EXPECT_EQ(backend_from({{"NV_BACKEND", "cdi"}}), Backend::cdi);
  EXPECT_THROW(backend_from({{"NV_BACKEND", "CDI"}}), Error);
}

TEST(GpuBackend, DaemonInfo) {
  DaemonInfo info = parse_daemon_info(
      R"({"Runtimes":{"runc":{"path":"runc"},"nvidia":{"path":"nvidia-container-runtime"}},
          "CDISpecDirs":["/etc/cdi","/var/run/cdi"],
          "DiscoveredDevices":[{"Source":"cdi","ID":"nvidia.com/gpu=0"},{"Source":"other","ID":"x"}]})");
  EXPECT_EQ(info.runtimes, (std::vector<std::string>{"nvidia", "runc"}));
  EXPECT_EQ(info.cdi_devices, std::vector<std::string>{"nvidia.com/gpu=0"});
  EXPECT_EQ(info.cdi_spec_dirs.size(), 2u);
  DaemonInfo old = parse_daemon_info(R"({"Runtimes":{"runc":{}}})");
  EXPECT_TRUE(old.cdi_devices.empty());
  EXPECT_THROW(parse_daemon_info("fake docker ran info"), Error);
}

TEST(ContainerEnv, ImageThenEnvFilesThenFlags) {
  ParseResult parsed = parse_command_line(
      {"run", "-e", "A=flag", "--env-file", "/x.env", "-e", "HOSTVAR", "-e", "MISSING", "img"});
  auto env = container_environment({"A=image", "B=image", "C=image"}, parsed.line, {{"HOSTVAR", "h"}},
                                    [](const std::string &path) -> std::optional<std::string> {
                                      if (path == "/x.env")
                                        return std::string("# comment\n\n  B=file\nC\n");
                                      return std::nullopt;
                                    });
  EXPECT_EQ(env["A"], "flag");
  EXPECT_EQ(env["B"], "file");
  EXPECT_EQ(env["C"], "image"); // a bare name absent from the host leaves it
  EXPECT_EQ(env["HOSTVAR"], "h");
  EXPECT_EQ(env.count("MISSING"), 0u);
}

TEST(ContainerEnv, EnvFileErrors) {
  ParseResult parsed = parse_command_line({"run", "--env-file", "/missing.env", "img"});
  try {
    container_environment({}, parsed.line, {}, [](const std::string &) { return std::nullopt; });
    FAIL();
  } catch (const Error &error) {
    EXPECT_STREQ(error.what(), "--env-file /missing.env: cannot read it");
  }
  try {
    parse_env_file("GOOD=1\nBAD NAME=2\n", "x.env", {});
    FAIL();
  } catch (const Error &error) {
    EXPECT_STREQ(error.what(), "--env-file x.env: line 2: variable \"BAD NAME\" has white space or is empty");
  }
}

TEST(Nvml, NamesAndVersions) {
  EXPECT_EQ(nvml_brand_name(2), "tesla");
  EXPECT_EQ(nvml_brand_name(14), "nvidia");
  EXPECT_EQ(nvml_brand_name(13), "nvidiartx");
  EXPECT_EQ(nvml_brand_name(99), "unknown");
  EXPECT_EQ(nvml_brand_name(-1), "unknown");
  EXPECT_EQ(nvml_cuda_version(12020), "12.2");
  EXPECT_EQ(nvml_cuda_version(11080), "11.8");
  EXPECT_EQ(nvml_cuda_version(12040), "12.4");
}

TEST(CdiClient, OnlyDockerClientsBefore25AreRefused) {
  const std::string too_old = " reads --device=nvidia.com/gpu=N as a path; CDI devices need docker 25.0 or later";
  EXPECT_EQ(cdi_refusal_for_client("Docker version 20.10.24+dfsg1, build 297e128"),
            "docker client 20.10.24+dfsg1" + too_old);
  EXPECT_EQ(cdi_refusal_for_client("Docker version 24.0.9, build 2936816"), "docker client 24.0.9" + too_old);
  EXPECT_EQ(cdi_refusal_for_client("Docker version 1.13.1 build 092cba3"), "docker client 1.13.1" + too_old);
  for (const char *able : {"Docker version 25.0.0, build e758fe5", "Docker version 28.2.2, build e6534b4",
                           "Docker version 100.1.0, build x", "Docker version 25, build x"})
    EXPECT_EQ(cdi_refusal_for_client(able), "") << able;
  // Not docker's own line: nothing is known, nothing is refused.
  for (const char *unknown : {"", "podman version 4.3.1", "Docker version , build x", "Docker version v20.10",
                              "docker version 20.10.1", "Docker version 99999999999999999999.1",
                              "Docker version -1.0"})
    EXPECT_EQ(cdi_refusal_for_client(unknown), "") << unknown;
  EXPECT_EQ(cdi_refusal_for_client("Docker version 7.0\x1b[31m, build x"),
            "docker client 7.0\\x1b[31m" + too_old) << "escaped where not printable";
}
