// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/mesos.hpp"

#include "nvd/common/error.hpp"

#include <zlib.h>

namespace nvd {

std::string base64url_unpadded(std::string_view bytes) {
  static const char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto byte = [&](std::size_t at) { return static_cast<unsigned char>(bytes[at]); };
  for (; i + 3 <= bytes.size(); i += 3) {
    unsigned triple = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += alphabet[(triple >> 18) & 63];
    out += alphabet[(triple >> 12) & 63];
    out += alphabet[(triple >> 6) & 63];
    out += alphabet[triple & 63];
  }
  std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    unsigned triple = byte(i) << 16;
    out += alphabet[(triple >> 18) & 63];
    out += alphabet[(triple >> 12) & 63];
  } else if (rest == 2) {
    unsigned triple = (byte(i) << 16) | (byte(i + 1) << 8);
    out += alphabet[(triple >> 18) & 63];
    out += alphabet[(triple >> 12) & 63];
    out += alphabet[(triple >> 6) & 63];
  }
  return out;
}

std::string zlib_compress(std::string_view bytes) {
  uLongf size = compressBound(static_cast<uLong>(bytes.size()));
  std::string out(size, '\0');
  int status = compress2(reinterpret_cast<Bytef *>(out.data()), &size,
                         reinterpret_cast<const Bytef *>(bytes.data()),
                         static_cast<uLong>(bytes.size()), Z_DEFAULT_COMPRESSION);
  if (status != Z_OK)
    throw Error("zlib compression failed (status " + std::to_string(status) + ")");
  out.resize(size);
  return out;
}

std::string render_mesos_cli(const GpuInventory &inventory) {
  std::string uuids;
  for (const auto &device : inventory.devices) {
    if (!uuids.empty())
      uuids += ',';
    uuids += device.uuid;
  }
  std::string info = inventory_info_json(inventory).dump();
  return "--attributes=gpus:" + base64url_unpadded(zlib_compress(info)) +
         " --resources=gpus:{" + uuids + "}";
}

} // namespace nvd
