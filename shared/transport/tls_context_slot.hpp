#pragma once
// The TLS context a listener hands to its next connections, replaceable while it serves (a
// site certificate renewed and reloaded on SIGHUP): each connection takes the current context
// at its accept and keeps it, so a replacement never touches a connection already open.

#include <mutex>

#include "shared/transport/tls_context.hpp"

namespace triage::transport {

class TlsContextSlot {
 public:
  /// `initial` must not be null.
  explicit TlsContextSlot(SslContextPtr initial);

  /// The context for a connection accepted now. Any thread.
  SslContextPtr current() const;
  /// Connections accepted from now on use `next` (not null); open ones keep theirs. Any thread.
  void replace(SslContextPtr next);

 private:
  mutable std::mutex mutex_;
  SslContextPtr context_;
};

}  // namespace triage::transport
