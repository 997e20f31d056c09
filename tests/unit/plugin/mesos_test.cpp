// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/plugin/mesos.hpp"
#include "nvd/common/strings.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

using namespace nvd;

namespace {

std::string base64url_decode(const std::string &text) {
  static const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    buffer = (buffer << 6) | static_cast<unsigned>(alphabet.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

std::string zlib_uncompress(const std::string &bytes) {
  std::string out(1 << 20, '\0');
  uLongf size = static_cast<uLongf>(out.size());
  EXPECT_EQ(uncompress(reinterpret_cast<Bytef *>(out.data()), &size,
                       reinterpret_cast<const Bytef *>(bytes.data()), static_cast<uLong>(bytes.size())),
            Z_OK);
  out.resize(size);
  return out;
}

} // namespace

TEST(Base64Url, Rfc4648VectorsWithoutPadding) {
  EXPECT_EQ(base64url_unpadded(""), "");
  EXPECT_EQ(base64url_unpadded("f"), "Zg");
  EXPECT_EQ(base64url_unpadded("fo"), "Zm8");
  EXPECT_EQ(base64url_unpadded("foo"), "Zm9v");
  EXPECT_EQ(base64url_unpadded("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_unpadded("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64url_unpadded("foobar"), "Zm9vYmFy");
}

TEST(Base64Url, UsesUrlSafeAlphabet) {
  EXPECT_EQ(base64url_unpadded("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_unpadded("\xfb\xef\xbe"), "----");
}

TEST(MesosCli, AttributeDecodesToTheInfoJson) {
  GpuInventory inventory = parse_inventory(
      {{"Version", {{"Driver", "375.26"}, {"CUDA", "8.0"}}},
       {"Devices", {{{"UUID", "GPU-aaaa"}, {"Path", "/dev/nvidia0"}}, {{"UUID", "GPU-bbbb"}, {"Path", "/dev/nvidia1"}}}}},
      "test");
  std::string line = render_mesos_cli(inventory);
  ASSERT_TRUE(starts_with(line, "--attributes=gpus:")) << line;
  std::size_t space = line.find(' ');
  std::string encoded = line.substr(18, space - 18);
  EXPECT_EQ(encoded.find('='), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(zlib_uncompress(base64url_decode(encoded))),
            inventory_info_json(inventory));
  EXPECT_EQ(line.substr(space), " --resources=gpus:{GPU-aaaa,GPU-bbbb}");
}
