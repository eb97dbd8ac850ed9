#include "agent/probes/probe_trust_store.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <chrono>
#include <memory>
#include <mutex>

namespace triage::agent {

namespace {

constexpr std::chrono::minutes kReuseFor{5};

struct StoreFree {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
using StorePtr = std::unique_ptr<X509_STORE, StoreFree>;

StorePtr load(const std::string& extra_pem) {
  StorePtr store(X509_STORE_new());
  if (!store || X509_STORE_set_default_paths(store.get()) != 1) return nullptr;
  if (!extra_pem.empty()) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(extra_pem.data(), static_cast<int>(extra_pem.size())), BIO_free);
    while (bio) {
      X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
      if (cert == nullptr) {
        ERR_clear_error();  // the end of the PEM text, not an error of the next handshake
        break;
      }
      X509_STORE_add_cert(store.get(), cert);
      X509_free(cert);
    }
  }
  return store;
}

struct Cache {
  std::mutex mutex;
  StorePtr store;
  std::string extra_pem;
  std::chrono::steady_clock::time_point loaded_at;
};

}  // namespace

X509_STORE* probe_trust_store(const std::string& extra_trust_pem) {
  static Cache cache;
  std::lock_guard lock(cache.mutex);
  const auto now = std::chrono::steady_clock::now();
  if (!cache.store || cache.extra_pem != extra_trust_pem || now - cache.loaded_at > kReuseFor) {
    auto fresh = load(extra_trust_pem);
    if (!fresh) return nullptr;
    cache.store = std::move(fresh);
    cache.extra_pem = extra_trust_pem;
    cache.loaded_at = now;
  }
  X509_STORE_up_ref(cache.store.get());
  return cache.store.get();
}

}  // namespace triage::agent
