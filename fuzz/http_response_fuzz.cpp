// SPDX-License-Identifier: BSD-3-Clause
// The HTTP response reader, fed the input in pieces whose sizes come from the
// input itself: it ends complete or failed, never over its size cap.
#include "nvd/client/transport/http_wire.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  size_t step = 1 + data[0] % 64;
  nvd::HttpResponseReader reader(4096);
  std::string_view rest(reinterpret_cast<const char *>(data) + 1, size - 1);
  while (!rest.empty() && reader.state() == nvd::HttpResponseReader::State::incomplete) {
    size_t take = step < rest.size() ? step : rest.size();
    reader.feed(rest.substr(0, take));
    rest.remove_prefix(take);
  }
  reader.end_of_stream();
  if (reader.state() == nvd::HttpResponseReader::State::incomplete || reader.body().size() > 4096)
    std::abort();
  return 0;
}
