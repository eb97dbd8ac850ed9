#include "shared/transport/tls_context_slot.hpp"

#include <utility>

namespace triage::transport {

TlsContextSlot::TlsContextSlot(SslContextPtr initial) : context_(std::move(initial)) {}

SslContextPtr TlsContextSlot::current() const {
  std::lock_guard lock(mutex_);
  return context_;
}

void TlsContextSlot::replace(SslContextPtr next) {
  std::lock_guard lock(mutex_);
  context_ = std::move(next);
}

}  // namespace triage::transport
