// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/plugin_routes.hpp"

#include "nvd/plugin/device_selection.hpp"
#include "nvd/plugin/mesos.hpp"
#include "nvd/common/strings.hpp"
#include "nvd/plugin/text_render.hpp"

namespace nvd {
namespace {

constexpr const char *json_type = "application/json";

HttpAnswer text_answer(int status, std::string body) {
  HttpAnswer answer;
  answer.status = status;
  answer.body = std::move(body);
  if (answer.body.empty() || answer.body.back() != '\n')
    answer.body += '\n';
  return answer;
}

HttpAnswer json_answer(const nlohmann::json &body) {
  HttpAnswer answer;
  answer.content_type = json_type;
  answer.body = body.dump() + "\n";
  return answer;
}

} // namespace

bool parse_query(std::string_view query, std::map<std::string, std::string> &params) {
  params.clear();
  std::size_t start = 0;
  while (start <= query.size()) {
    std::size_t end = query.find('&', start);
    if (end == std::string_view::npos)
      end = query.size();
    std::string_view pair = query.substr(start, end - start);
    if (!pair.empty()) {
      std::size_t equals = pair.find('=');
      std::string key, value;
      if (!url_decode(pair.substr(0, equals), key))
        return false;
      if (equals != std::string_view::npos && !url_decode(pair.substr(equals + 1), value))
        return false;
      auto [it, inserted] = params.emplace(key, value);
      if (!inserted)
        it->second += " " + value;
    }
    start = end + 1;
  }
  return true;
}

HttpAnswer docker_cli_answer(const GpuInventory &inventory, std::string_view dev,
                             std::string_view vol, bool as_json) {
  DeviceSelection devices = select_devices(inventory, dev);
  if (!devices.error.empty())
    return text_answer(400, devices.error);
  VolumeSelection volumes = select_volumes(vol);
  if (!volumes.error.empty())
    return text_answer(400, volumes.error);

  // Every selection names the driver volume, the only one there is.
  std::vector<std::string> volume_args = {driver_volume_instance(inventory) + ":" +
                                          driver_volume_mount + ":ro"};
  std::vector<std::string> device_args = inventory.control_devices;
  for (std::size_t index : devices.indexes)
    device_args.push_back(inventory.devices[index].path);

  if (as_json)
    return json_answer(
        {{"VolumeDriver", "nvidia-docker"}, {"Volumes", volume_args}, {"Devices", device_args}});
  std::vector<std::string> words = {"--volume-driver=nvidia-docker"};
  for (const auto &volume : volume_args)
    words.push_back("--volume=" + volume);
  for (const auto &device : device_args)
    words.push_back("--device=" + device);
  return text_answer(200, join(words, " "));
}

namespace {

// The route's path: the target without its query and without "/v1.0".
std::string_view route_path(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  if (starts_with(path, "/v1.0/"))
    path.remove_prefix(5);
  return path;
}

} // namespace

bool route_reads_status(std::string_view target) {
  std::string_view path = route_path(target);
  return path == "/gpu/status" || path == "/gpu/status/json";
}

HttpAnswer route_request(const GpuInventory &inventory, std::string_view method,
                         std::string_view target) {
  std::size_t question = target.find('?');
  std::string_view path = route_path(target);
  std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);

  static const char *const routes[] = {"/gpu/info",  "/gpu/info/json",  "/gpu/status",
                                       "/gpu/status/json", "/docker/cli", "/docker/cli/json",
                                       "/mesos/cli"};
  bool known = false;
  for (const char *route : routes)
    known = known || path == route;
  if (!known)
    return text_answer(404, "404 page not found: " + printable(path));
  if (method != "GET") {
    HttpAnswer answer = text_answer(405, "method not allowed: " + printable(method) + " (use GET)");
    answer.headers["Allow"] = "GET";
    return answer;
  }

  std::map<std::string, std::string> params;
  if (!parse_query(query, params))
    return text_answer(400, "invalid query: " + printable(query));

  if (path == "/gpu/info")
    return text_answer(200, render_info_text(inventory));
  if (path == "/gpu/info/json")
    return json_answer(inventory_info_json(inventory));
  if (path == "/gpu/status")
    return text_answer(200, render_status_text(inventory));
  if (path == "/gpu/status/json")
    return json_answer(inventory_status_json(inventory));
  if (path == "/mesos/cli")
    return text_answer(200, render_mesos_cli(inventory));
  return docker_cli_answer(inventory, params["dev"], params["vol"], path == "/docker/cli/json");
}

} // namespace nvd
