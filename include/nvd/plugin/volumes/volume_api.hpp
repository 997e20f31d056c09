// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nvd {

// Docker's legacy volume plugin API, as a pure function over an interface of
// volume operations: the socket server only moves bytes (volume_plugin_server.hpp).

// How an operation on a (well-formed) driver volume went.
enum class VolumeOutcome {
  ok,
  no_such_volume,  // not the current version, and not on disk
  invalid_version, // Create of a version that is neither current nor on disk
  in_use,          // Remove of a mounted volume
};

struct VolumeReply {
  VolumeOutcome outcome = VolumeOutcome::ok;
  std::string mountpoint; // ok answers of create, mount and path
  std::size_t mounts = 0; // in_use: how many mounts hold the volume
};

struct VolumeListing {
  std::string version;
  std::string mountpoint;
};

// The volume operations behind the API. Versions are already validated
// (dot-separated numbers). Any method may throw Error (a failed build, an
// unknown driver version); the API answers it as an Err.
class VolumeOperations {
public:
  virtual ~VolumeOperations() = default;
  // The host's driver version now ("535.104.05").
  virtual std::string current_version() = 0;
  virtual VolumeReply create(const std::string &version) = 0;
  virtual VolumeReply remove(const std::string &version) = 0;
  // `mount_id`: Docker's ID of this mount ("" from engines that send none).
  virtual VolumeReply mount(const std::string &version, const std::string &mount_id) = 0;
  virtual VolumeReply unmount(const std::string &version, const std::string &mount_id) = 0;
  // Where the volume is (Path and Get).
  virtual VolumeReply path(const std::string &version) = 0;
  virtual std::vector<VolumeListing> list() = 0;
};

// The media type of every answer, as Docker expects it.
inline constexpr std::string_view plugin_content_type = "application/vnd.docker.plugins.v1+json";

// One answer of the plugin API, with what the request log needs.
struct PluginApiAnswer {
  int status = 200;
  std::string content_type = std::string(plugin_content_type);
  std::string body;
  std::string volume; // the name asked, printable, for the log ("" when none)
  std::string error;  // the Err sent, "" on success
};

// What a volume name is: 1.0 parsed names as <kind>_<digits and dots> and
// served only the kind "nvidia_driver".
enum class VolumeNameKind { driver_volume, bad_format, unsupported };
struct VolumeName {
  VolumeNameKind kind = VolumeNameKind::bad_format;
  std::string version; // driver_volume only
};
VolumeName classify_volume_name(std::string_view name);

// Answers one request of the volume plugin API: `path` as sent
// ("/VolumeDriver.Mount"), `body` the raw request body. Never throws.
PluginApiAnswer answer_plugin_request(VolumeOperations &operations, std::string_view method,
                                      std::string_view path, std::string_view body);

} // namespace nvd
