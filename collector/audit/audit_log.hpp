#pragma once
// The audit log of security-relevant events: logins, enrollments, revocations, tokens, user
// administration (and, as they come, orders, approvals, results, catalog changes). Records
// are hash-chained in the store; checkpoints signed with the collector's Ed25519 key anchor
// the chain against a rewrite of the whole table. See docs/security.md, "Audit log".

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>

#include "collector/storage/store.hpp"
#include "shared/pki/openssl_ptr.hpp"
#include "shared/util/rate_limiter.hpp"

namespace triage::collector {

class CollectorMetrics;

struct AuditLogOptions {
  /// Signs checkpoints (not owned; outlives the log). None: no checkpoints are written.
  EVP_PKEY* signing_key = nullptr;
  /// A checkpoint after this many events recorded through this log...
  std::uint64_t checkpoint_every = 100;
  /// ...or when checkpoint_if_due() runs this long after the last one with new events.
  std::chrono::seconds checkpoint_interval{600};
  /// Flood protection for record_limited(): per key, and over all keys together.
  RateLimit per_key{5, 1, 10'000};
  RateLimit overall{100, 60, 1};
};

class AuditLog {
 public:
  /// `metrics` may be null (CLI commands).
  AuditLog(Store& store, AuditLogOptions options = {}, CollectorMetrics* metrics = nullptr);

  /// Appends `event` as the next link of the chain inside `tx`: reads the head and writes the
  /// record that follows it in the same transaction, so concurrent writers (other processes
  /// and collector nodes included) never fork the chain. No metrics, no checkpoints.
  static Result<AuditRecord> append(WriteTx& tx, const AuditEvent& event);

  /// Appends one event to the chain. A failure is logged, counted and returned; callers of
  /// events that must not get lost make the change itself fail (see record_with()).
  Result<AuditRecord> record(const AuditEvent& event);

  /// Runs `change` (writes through `tx`) and records the event it returns in the same
  /// transaction: the change is committed only together with its audit record. `change` may
  /// run more than once (see Store::write()).
  Result<AuditRecord> record_with(const std::function<Result<AuditEvent>(WriteTx&)>& change);

  /// record() unless `key` (e.g. a device id or address) or all limited events together
  /// exceeded their budget, so a hostile client cannot flood the log. False when dropped.
  bool record_limited(std::string_view key, const AuditEvent& event);

  /// Signs the current chain head unless a checkpoint covers it already. Nothing without a
  /// signing key. Returns the checkpoint written, if any.
  Result<std::optional<AuditCheckpoint>> checkpoint(TimePoint now);

  /// checkpoint() when events were recorded and the interval passed; logs failures.
  void checkpoint_if_due(TimePoint now);

 private:
  void recorded(TimePoint now);
  void failed(const Error& error, std::string_view type);

  Store& store_;
  AuditLogOptions options_;
  CollectorMetrics* metrics_;
  RateLimiter per_key_;
  RateLimiter overall_;
  std::atomic<std::uint64_t> since_checkpoint_{0};
  std::mutex checkpoint_mutex_;
  TimePoint last_checkpoint_{};
};

}  // namespace triage::collector
