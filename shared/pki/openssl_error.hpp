#pragma once
// Internal to shared/pki (not part of its API): turning the OpenSSL error queue into Result
// errors, and memory BIOs for PEM text.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <openssl/bio.h>
#include <openssl/err.h>

#include "shared/util/result.hpp"

namespace triage::pki::detail {

struct BioDeleter {
  void operator()(BIO* p) const { BIO_free_all(p); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

/// Empties the calling thread's OpenSSL error queue and returns its entries joined by "; "
/// (at most a few), or "" when it was empty.
inline std::string drain_openssl_errors() {
  std::string text;
  int kept = 0;
  while (unsigned long code = ERR_get_error()) {
    // The first entries name the root cause; the rest are usually the same failure rephrased
    // by each caller up the stack.
    if (kept++ >= 3) continue;
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!text.empty()) text += "; ";
    text += buf;
  }
  return text;
}

/// `context: <OpenSSL error text>`, clearing the error queue.
inline tl::unexpected<Error> openssl_fail(std::string_view context) {
  std::string detail = drain_openssl_errors();
  if (detail.empty()) detail = "OpenSSL reported no details";
  return fail(std::string(context) + ": " + detail);
}

/// A PEM passphrase callback that refuses. Passed to every PEM read: with a null callback
/// OpenSSL prompts on the terminal for any block carrying an encryption header.
inline int no_passphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) {
  return -1;
}

/// A read-only memory BIO over `data`; null (with an error queued) on allocation failure.
/// The caller bounds `data.size()` first: BIO lengths are `int`.
inline BioPtr memory_bio(std::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

/// A fresh writable memory BIO.
inline BioPtr writable_bio() { return BioPtr(BIO_new(BIO_s_mem())); }

/// Everything written so far to a memory BIO.
inline std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  if (size <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace triage::pki::detail
