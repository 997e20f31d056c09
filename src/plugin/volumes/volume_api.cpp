// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/volumes/volume_api.hpp"

#include "nvd/common/strings.hpp"
#include "nvd/plugin/driver/volume_plan.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <exception>

// How this API answers, case by case, beside what 1.0 did (its Go source):
//
// - Volume errors are HTTP 200 with {"Err": "..."}, as 1.0 and Docker's
//   documentation do; Docker shows the Err text as it is. The words are
//   1.0's ("bad volume format: NAME", ...), followed by what to do.
// - Requests that are not the protocol (bad JSON, a body that is not an
//   object, "Name" missing or not a string, another method than POST, an
//   unknown path) are 400, 405 or 404, still with an Err. 1.0 panicked in
//   the handler on bad JSON, so the connection dropped with no answer.
// - Names: 1.0 read <kind>_<digits and dots> and served the kind
//   "nvidia_driver" only; we keep that split and its two errors, and also
//   call "bad volume format" a version that is not dot-separated numbers
//   ("nvidia_driver_.." passed 1.0's pattern, and its Remove then deleted
//   the whole nvidia_driver folder).
// - Create of the current version builds it if needed. Create of another
//   version is 1.0's "invalid volume version" unless that volume is on disk
//   (left by an earlier driver; Docker creates it again when it forgot it).
// - Mount, Path and Get: the current version is built if missing; another
//   version is served while on disk, else "no such volume" (1.0's words).
// - Remove of a volume that is not there succeeds, as in 1.0: Docker's
//   record of it can then be dropped. Remove of a mounted volume is
//   refused ("volume in use"); 1.0 deleted it under the running container.
// - Unmount checks the name only, as 1.0: it never fails for a volume that
//   has gone, since Docker calls it while cleaning up.
// - Create's "Opts": 1.0 ignored them; we refuse any, since none exists.
//   Fields we do not know at the top level are ignored, for later engines.
// - The Accept header is not checked: 1.0 answered 406 to anything but
//   v1.1/v1.2, which only made the API harder to try by hand; Docker always
//   sends v1.2, and the answers are the same.

namespace nvd {

namespace {

using json = nlohmann::ordered_json;

// A volume name longer than this is nothing of ours (and is not echoed in full).
constexpr std::size_t max_name_length = 128;
constexpr std::string_view driver_kind = "nvidia_driver";

std::string shown_name(std::string_view name) {
  if (name.size() > max_name_length)
    return printable(name.substr(0, max_name_length)) + "...";
  return printable(name);
}

std::string dump(const json &value) {
  // replace: a volumes folder whose path is not UTF-8 must not throw here.
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

PluginApiAnswer answer_json(const json &body) {
  PluginApiAnswer answer;
  answer.body = dump(body);
  return answer;
}

PluginApiAnswer answer_error(int status, const std::string &error, const std::string &volume = "") {
  PluginApiAnswer answer;
  answer.status = status;
  answer.body = dump(json{{"Err", error}});
  answer.error = error;
  answer.volume = volume;
  return answer;
}

// What this host serves, for the "what to do" part of an error.
std::string host_volume_hint(VolumeOperations &operations) {
  try {
    std::string version = operations.current_version();
    return "this host's driver is " + version + ", its volume " + driver_volume_name(version);
  } catch (const std::exception &error) {
    return std::string("this host's driver version is unknown: ") + error.what();
  }
}

enum class Call { activate, create, remove, mount, unmount, path, get, list, capabilities };

struct Route {
  std::string_view path;
  Call call;
};

constexpr Route routes[] = {
    {"/Plugin.Activate", Call::activate},
    {"/VolumeDriver.Create", Call::create},
    {"/VolumeDriver.Remove", Call::remove},
    {"/VolumeDriver.Mount", Call::mount},
    {"/VolumeDriver.Unmount", Call::unmount},
    {"/VolumeDriver.Path", Call::path},
    {"/VolumeDriver.Get", Call::get},
    {"/VolumeDriver.List", Call::list},
    {"/VolumeDriver.Capabilities", Call::capabilities},
};

std::string route_list() {
  std::string list;
  for (const Route &route : routes)
    list += (list.empty() ? "" : ", ") + std::string(route.path);
  return list;
}

bool takes_a_name(Call call) {
  return call != Call::activate && call != Call::list && call != Call::capabilities;
}

bool is_blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// A request's body, checked; `problem` set when it is not the protocol.
struct Request {
  std::string name;
  std::string mount_id;
  std::vector<std::string> options;
  std::string problem;
};

std::string expected_shape(Call call) {
  switch (call) {
  case Call::create:
    return "{\"Name\": \"nvidia_driver_<version>\", \"Opts\": {}}";
  case Call::mount:
  case Call::unmount:
    return "{\"Name\": \"nvidia_driver_<version>\", \"ID\": \"<mount ID>\"}";
  default:
    return "{\"Name\": \"nvidia_driver_<version>\"}";
  }
}

Request read_request(Call call, std::string_view body) {
  Request request;
  auto fail = [&](const std::string &what) {
    request.problem = what + " (expected " +
                      (takes_a_name(call) ? expected_shape(call) : std::string("{} or nothing")) +
                      ")";
    return request;
  };
  if (is_blank(body)) {
    if (takes_a_name(call))
      return fail("the request body is empty");
    return request; // Docker sends nothing to Plugin.Activate.
  }
  json document = json::parse(body, nullptr, false);
  if (document.is_discarded())
    return fail("the request body is not valid JSON");
  if (!takes_a_name(call)) {
    if (!document.is_object() && !document.is_null())
      return fail("the request body must be a JSON object, not " +
                  std::string(document.type_name()));
    return request;
  }
  if (!document.is_object())
    return fail("the request body must be a JSON object, not " + std::string(document.type_name()));
  auto name = document.find("Name");
  if (name == document.end())
    return fail("the request has no \"Name\"");
  if (!name->is_string())
    return fail("\"Name\" must be a string, not " + std::string(name->type_name()));
  request.name = name->get<std::string>();
  if (call == Call::mount || call == Call::unmount) {
    auto id = document.find("ID");
    if (id != document.end() && !id->is_null()) {
      if (!id->is_string())
        return fail("\"ID\" must be a string, not " + std::string(id->type_name()));
      request.mount_id = id->get<std::string>();
      if (request.mount_id.size() > 256)
        return fail("\"ID\" is longer than 256 characters");
    }
  }
  if (call == Call::create) {
    auto options = document.find("Opts");
    if (options != document.end() && !options->is_null()) {
      if (!options->is_object())
        return fail("\"Opts\" must be an object, not " + std::string(options->type_name()));
      for (const auto &option : options->items())
        request.options.push_back(option.key());
    }
  }
  return request;
}

std::string volume_error(VolumeOutcome outcome, const std::string &shown, const VolumeReply &reply,
                         VolumeOperations &operations) {
  switch (outcome) {
  case VolumeOutcome::no_such_volume:
    return "no such volume: " + shown + " (" + host_volume_hint(operations) +
           ": create the container again with nvidia-docker)";
  case VolumeOutcome::invalid_version:
    return "invalid volume version: " + shown + " (" + host_volume_hint(operations) +
           ": ask for that one, as nvidia-docker does)";
  case VolumeOutcome::in_use:
    return "volume in use: " + shown + " (mounted by " + std::to_string(reply.mounts) +
           (reply.mounts == 1 ? " container" : " containers") + ": remove them first)";
  case VolumeOutcome::ok:
    break;
  }
  return "";
}

PluginApiAnswer answer_volume_call(VolumeOperations &operations, Call call,
                                   const Request &request) {
  const std::string shown = shown_name(request.name);
  VolumeName name = classify_volume_name(request.name);
  if (name.kind == VolumeNameKind::bad_format)
    return answer_error(200,
                        "bad volume format: " + shown +
                            " (a driver volume is named nvidia_driver_<driver version>; " +
                            host_volume_hint(operations) + ")",
                        shown);
  if (name.kind == VolumeNameKind::unsupported)
    return answer_error(200,
                        "unsupported volume: " + shown +
                            " (this plugin serves only the driver volume; " +
                            host_volume_hint(operations) + ")",
                        shown);
  if (!request.options.empty())
    return answer_error(200,
                        "unknown volume option: " + shown_name(request.options.front()) + " (" +
                            shown + " takes no options)",
                        shown);

  VolumeReply reply;
  switch (call) {
  case Call::create:
    reply = operations.create(name.version);
    break;
  case Call::remove:
    reply = operations.remove(name.version);
    break;
  case Call::mount:
    reply = operations.mount(name.version, request.mount_id);
    break;
  case Call::unmount:
    reply = operations.unmount(name.version, request.mount_id);
    break;
  case Call::path:
  case Call::get:
    reply = operations.path(name.version);
    break;
  default:
    break;
  }
  if (reply.outcome != VolumeOutcome::ok)
    return answer_error(200, volume_error(reply.outcome, shown, reply, operations), shown);

  PluginApiAnswer answer;
  switch (call) {
  case Call::mount:
  case Call::path:
    answer = answer_json(json{{"Mountpoint", reply.mountpoint}, {"Err", ""}});
    break;
  case Call::get:
    answer = answer_json(
        json{{"Volume", {{"Name", request.name}, {"Mountpoint", reply.mountpoint}}}, {"Err", ""}});
    break;
  default:
    answer = answer_json(json{{"Err", ""}});
    break;
  }
  answer.volume = shown;
  return answer;
}

PluginApiAnswer answer_call(VolumeOperations &operations, Call call, std::string_view body) {
  Request request = read_request(call, body);
  if (!request.problem.empty())
    return answer_error(400, request.problem, request.name.empty() ? "" : shown_name(request.name));
  switch (call) {
  case Call::activate:
    return answer_json(json{{"Implements", {"VolumeDriver"}}});
  case Call::capabilities:
    // "local": these volumes are this host's driver files, not shared storage.
    return answer_json(json{{"Capabilities", {{"Scope", "local"}}}});
  case Call::list: {
    json volumes = json::array();
    for (const VolumeListing &volume : operations.list())
      volumes.push_back(
          json{{"Name", driver_volume_name(volume.version)}, {"Mountpoint", volume.mountpoint}});
    return answer_json(json{{"Volumes", volumes}, {"Err", ""}});
  }
  default:
    break;
  }
  try {
    return answer_volume_call(operations, call, request);
  } catch (const std::exception &error) {
    // A failed build or an unreadable volumes folder: the volume named first,
    // then the reason, which says what to fix.
    const std::string shown = shown_name(request.name);
    return answer_error(500, shown + ": " + error.what(), shown);
  }
}

} // namespace

VolumeName classify_volume_name(std::string_view name) {
  VolumeName result;
  if (name.empty() || name.size() > max_name_length)
    return result;
  std::size_t last = name.rfind('_');
  if (last == std::string_view::npos || last == 0 || last + 1 == name.size())
    return result;
  std::string_view kind = name.substr(0, last), version = name.substr(last + 1);
  for (char c : kind)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'))
      return result;
  for (char c : version)
    if (!((c >= '0' && c <= '9') || c == '.'))
      return result;
  if (kind != driver_kind) {
    result.kind = VolumeNameKind::unsupported;
    return result;
  }
  std::optional<std::string> parsed = driver_version_of_volume(name);
  if (!parsed || parsed->size() > 64)
    return result;
  result.kind = VolumeNameKind::driver_volume;
  result.version = *parsed;
  return result;
}

PluginApiAnswer answer_plugin_request(VolumeOperations &operations, std::string_view method,
                                      std::string_view path, std::string_view body) {
  try {
    const Route *route = nullptr;
    for (const Route &candidate : routes)
      if (candidate.path == path)
        route = &candidate;
    if (route == nullptr)
      return answer_error(404, "unknown plugin API call: " + shown_name(path) +
                                   " (this plugin implements VolumeDriver: " + route_list() + ")");
    if (method != "POST")
      return answer_error(405, shown_name(method) + " " + std::string(path) +
                                   ": the plugin API takes POST requests only");
    return answer_call(operations, route->call, body);
  } catch (const std::exception &error) {
    // Listing the volumes folder failed, or memory ran out: still an answer.
    return answer_error(500, std::string("the volume plugin failed: ") + error.what());
  }
}

} // namespace nvd
