#include "collector/audit/audit_log.hpp"

#include <spdlog/spdlog.h>

#include "collector/audit/audit_chain.hpp"
#include "collector/metrics/collector_metrics.hpp"

namespace triage::collector {

namespace {

std::int64_t epoch_ms(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

AuditLog::AuditLog(Store& store, AuditLogOptions options, CollectorMetrics* metrics)
    : store_(store),
      options_(options),
      metrics_(metrics),
      per_key_(options.per_key),
      overall_(options.overall) {}

void AuditLog::recorded(TimePoint now) {
  if (metrics_) metrics_->audit_events("recorded").Increment();
  if (options_.signing_key && ++since_checkpoint_ >= options_.checkpoint_every) {
    if (auto c = checkpoint(now); !c) {
      spdlog::error("audit checkpoint failed: {}", c.error().message);
    }
  }
}

void AuditLog::failed(const Error& error, std::string_view type) {
  if (metrics_) metrics_->audit_events("failed").Increment();
  spdlog::error("audit event {} NOT recorded: {}", type, error.message);
}

Result<AuditRecord> AuditLog::append(WriteTx& tx, const AuditEvent& event) {
  auto head = tx.audit().audit_head();
  if (!head) return tl::unexpected(head.error());
  auto record = *head ? next_audit_record(event, (*head)->seq, (*head)->hash)
                      : next_audit_record(event, 0, kAuditGenesisHash);
  if (auto r = tx.audit().insert_audit_record(record); !r) return tl::unexpected(r.error());
  return record;
}

Result<AuditRecord> AuditLog::record(const AuditEvent& event) {
  auto stored = store_.write([&](WriteTx& tx) { return append(tx, event); });
  if (!stored) {
    failed(stored.error(), event.type);
    return stored;
  }
  recorded(event.at);
  return stored;
}

Result<AuditRecord> AuditLog::record_with(
    const std::function<Result<AuditEvent>(WriteTx&)>& change) {
  bool change_done = false;
  std::string type;
  auto stored = store_.write([&](WriteTx& tx) -> Result<AuditRecord> {
    change_done = false;
    auto event = change(tx);
    if (!event) return tl::unexpected(event.error());
    change_done = true;
    type = event->type;
    return append(tx, *event);
  });
  if (!stored) {
    // A refused change (unknown user, conflict...) is no audit failure; a failed append is.
    if (change_done) failed(stored.error(), type);
    return stored;
  }
  recorded(TimePoint(std::chrono::milliseconds(stored->at_ms)));
  return stored;
}

bool AuditLog::record_limited(std::string_view key, const AuditEvent& event) {
  const auto mono = RateLimiter::Clock::now();
  if (per_key_.blocked_for(key, mono) || overall_.blocked_for("*", mono)) {
    if (metrics_) metrics_->audit_events("suppressed").Increment();
    return false;
  }
  per_key_.consume(key, mono);
  overall_.consume("*", mono);
  return record(event).has_value();
}

Result<std::optional<AuditCheckpoint>> AuditLog::checkpoint(TimePoint now) {
  if (!options_.signing_key) return std::optional<AuditCheckpoint>();
  std::lock_guard lock(checkpoint_mutex_);
  since_checkpoint_ = 0;
  last_checkpoint_ = now;
  // The head may include events written by other processes (CLI commands): sign what the
  // store holds, not what this log counted.
  auto head = store_.read().audit().audit_head();
  if (!head) return tl::unexpected(head.error());
  if (!*head) return std::optional<AuditCheckpoint>();
  auto existing = store_.read().audit().audit_checkpoints();
  if (!existing) return tl::unexpected(existing.error());
  if (!existing->empty() && existing->back().seq >= (*head)->seq) {
    return std::optional<AuditCheckpoint>();
  }
  auto signed_head =
      sign_audit_checkpoint(options_.signing_key, (*head)->seq, (*head)->hash, epoch_ms(now));
  if (!signed_head) return tl::unexpected(signed_head.error());
  auto inserted =
      store_.write([&](WriteTx& tx) { return tx.audit().insert_audit_checkpoint(*signed_head); });
  if (!inserted) return tl::unexpected(inserted.error());
  if (!*inserted) return std::optional<AuditCheckpoint>();
  // The log line is a copy outside the database: shipped elsewhere, it anchors the chain.
  spdlog::info("audit checkpoint: seq {} hash {}", signed_head->seq, signed_head->hash);
  if (metrics_) metrics_->audit_checkpoints.Increment();
  return std::optional<AuditCheckpoint>(std::move(*signed_head));
}

void AuditLog::checkpoint_if_due(TimePoint now) {
  if (!options_.signing_key || since_checkpoint_ == 0) return;
  {
    std::lock_guard lock(checkpoint_mutex_);
    if (now - last_checkpoint_ < options_.checkpoint_interval) return;
  }
  if (auto c = checkpoint(now); !c) {
    spdlog::error("audit checkpoint failed: {}", c.error().message);
  }
}

}  // namespace triage::collector
