// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <curl/curl.h>

namespace nvd {

// libcurl, loaded with dlopen the first time it is needed: a pass-through
// command never pays for loading it and its 30-odd dependencies.
struct CurlApi {
  CURLcode (*global_init)(long flags);
  CURL *(*easy_init)();
  CURLcode (*easy_setopt)(CURL *handle, CURLoption option, ...);
  CURLcode (*easy_perform)(CURL *handle);
  CURLcode (*easy_getinfo)(CURL *handle, CURLINFO info, ...);
  void (*easy_cleanup)(CURL *handle);
  const char *(*easy_strerror)(CURLcode code);
};

// The loaded library (initialised once). Throws Error when it cannot be loaded.
const CurlApi &curl_api();

} // namespace nvd
