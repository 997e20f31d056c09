// SPDX-License-Identifier: BSD-3-Clause
#include "nvd/client/transport/curl_api.hpp"

#include "nvd/common/error.hpp"

#include <dlfcn.h>
#include <mutex>
#include <string>

namespace nvd {
namespace {

template <class Function> void resolve(void *library, const char *name, Function &target) {
  void *symbol = ::dlsym(library, name);
  if (symbol == nullptr)
    throw Error(std::string("libcurl.so.4 lacks ") + name + " (is libcurl4 too old?)");
  // POSIX guarantees that a data pointer from dlsym converts to a function pointer.
  target = reinterpret_cast<Function>(symbol);
}

CurlApi load() {
  void *library = ::dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char *why = ::dlerror();
    throw Error(std::string("cannot load libcurl.so.4 (install the libcurl4 package): ") +
                (why != nullptr ? why : "unknown error"));
  }
  CurlApi api{};
  resolve(library, "curl_global_init", api.global_init);
  resolve(library, "curl_easy_init", api.easy_init);
  resolve(library, "curl_easy_setopt", api.easy_setopt);
  resolve(library, "curl_easy_perform", api.easy_perform);
  resolve(library, "curl_easy_getinfo", api.easy_getinfo);
  resolve(library, "curl_easy_cleanup", api.easy_cleanup);
  resolve(library, "curl_easy_strerror", api.easy_strerror);
  if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    throw Error("cannot initialise libcurl");
  return api; // the library stays loaded for the life of the process
}

} // namespace

const CurlApi &curl_api() {
  static std::once_flag once;
  static CurlApi api{};
  static std::string failure;
  std::call_once(once, [] {
    try {
      api = load();
    } catch (const Error &error) {
      failure = error.what();
    }
  });
  if (!failure.empty())
    throw Error(failure);
  return api;
}

} // namespace nvd
