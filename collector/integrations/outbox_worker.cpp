#include "collector/integrations/outbox_worker.hpp"
#include "shared/util/log_levels.hpp"
#include "shared/util/log_safe.hpp"

#include <algorithm>

namespace triage::collector {

namespace {

constexpr auto kMinWait = std::chrono::milliseconds(20);
constexpr auto kPruneEvery = std::chrono::hours(1);

}  // namespace

OutboxWorker::OutboxWorker(Store& store, std::vector<std::unique_ptr<Connector>> connectors,
                           OutboxSettings settings, CollectorMetrics* metrics)
    : store_(store),
      connectors_(std::move(connectors)),
      settings_(settings),
      policy_(settings.retry),
      metrics_(metrics) {
  const std::size_t n = std::max<std::size_t>(1, settings_.workers);
  for (std::size_t i = 0; i < n; ++i) {
    tasks_.push_back(std::make_unique<PeriodicTask>(
        PeriodicTaskOptions{"outbox worker", settings_.poll_interval, true, "outbox"},
        PeriodicTask::PacedStep([this, i, rng = std::mt19937_64(std::random_device{}())]() mutable {
          return step(i, rng);
        })));
  }
}

OutboxWorker::~OutboxWorker() { stop(); }

void OutboxWorker::start() {
  for (auto& task : tasks_) task->start();
}

void OutboxWorker::wake() {
  for (auto& task : tasks_) task->wake();
}

void OutboxWorker::stop() {
  for (auto& task : tasks_) task->stop();
}

Connector* OutboxWorker::connector_for(std::string_view name) {
  for (auto& c : connectors_) {
    if (c->name() == name) return c.get();
  }
  return nullptr;
}

bool OutboxWorker::deliver_one(std::mt19937_64& rng) {
  const auto now = std::chrono::system_clock::now();
  auto claimed =
      store_.write([&](WriteTx& tx) { return tx.outbox().claim_outbox(now, 1, settings_.lease); });
  if (!claimed) {
    logs::integrations().warn("outbox: claiming messages: {}", claimed.error().message);
    return false;
  }
  if (claimed->empty()) return false;
  const OutboxMessage& m = claimed->front();
  auto target = store_.read().outbox().find_integration_target(m.target_id);
  if (!target) {
    logs::integrations().warn("outbox: reading target {}: {}", m.target_id, target.error().message);
    return true;  // the lease brings the message back
  }
  if (!*target) return true;  // deleted meanwhile, with its messages

  OutboxAttempt attempt;
  DeliveryOutcome outcome;
  Connector* connector = connector_for((*target)->connector);
  if (now - m.queued_at > settings_.retry.max_age) {
    outcome.result = DeliveryResult::kFailed;
    outcome.detail = "expired: not delivered within the maximum age";
    if (!m.last_error.empty()) outcome.detail += " (last error: " + m.last_error + ")";
  } else if (!connector) {
    outcome.result = DeliveryResult::kFailed;
    outcome.detail = "no connector `" + (*target)->connector + "` in this collector";
  } else {
    outcome = connector->deliver(**target, m, now);
  }
  attempt.at = std::chrono::system_clock::now();
  attempt.next_attempt_at = attempt.at;
  attempt.http_status = outcome.http_status;
  attempt.error = outcome.detail;
  attempt.disable_target = outcome.disable_target;
  const char* connector_name = (*target)->connector.c_str();
  switch (outcome.result) {
    case DeliveryResult::kDelivered:
      attempt.status = OutboxStatus::kDelivered;
      logs::integrations().debug("outbox: {} {} delivered to {} #{} (attempt {})", m.event_type,
                                 m.delivery_id, connector_name, m.target_id, m.attempts);
      break;
    case DeliveryResult::kFailed:
      attempt.status = OutboxStatus::kFailed;
      logs::integrations().warn("outbox: {} {} to {} #{} failed: {}", m.event_type, m.delivery_id,
                                connector_name, m.target_id, log_safe(outcome.detail));
      break;
    case DeliveryResult::kRetry: {
      const auto next = attempt.at + policy_.delay(m.attempts, rng);
      if (policy_.may_retry(m.attempts, m.queued_at, next)) {
        attempt.status = OutboxStatus::kPending;
        attempt.next_attempt_at = next;
        logs::integrations().info(
            "outbox: {} {} to {} #{}: attempt {} failed ({}); retry in {} ms", m.event_type,
            m.delivery_id, connector_name, m.target_id, m.attempts, log_safe(outcome.detail),
            std::chrono::duration_cast<std::chrono::milliseconds>(next - attempt.at).count());
      } else {
        attempt.status = OutboxStatus::kFailed;
        attempt.error += " (gave up after " + std::to_string(m.attempts) + " attempts)";
        logs::integrations().warn("outbox: {} {} to {} #{} failed for good: {}", m.event_type,
                                  m.delivery_id, connector_name, m.target_id,
                                  log_safe(attempt.error));
      }
      break;
    }
  }
  if (outcome.disable_target) {
    logs::integrations().warn("outbox: {} #{} deactivated: {}", connector_name, m.target_id,
                              *outcome.disable_target);
  }
  if (auto r = store_.write(
          [&](WriteTx& tx) { return tx.outbox().record_outbox_attempt(m.id, attempt); });
      !r) {
    // The lease brings the message back; the receiver dedupes by the event id.
    logs::integrations().error("outbox: recording the outcome of {}: {}", m.delivery_id,
                               r.error().message);
    return true;
  }
  if (metrics_) {
    if (attempt.status == OutboxStatus::kDelivered) metrics_->outbox_delivered.Increment();
    if (attempt.status == OutboxStatus::kFailed) metrics_->outbox_failed.Increment();
    if (attempt.status == OutboxStatus::kPending) metrics_->outbox_retries.Increment();
  }
  return true;
}

void OutboxWorker::housekeeping() {
  if (metrics_) {
    if (auto counts = store_.read().outbox().outbox_counts()) {
      std::int64_t pending = 0;
      for (const auto& [target, c] : *counts) pending += c.pending;
      metrics_->outbox_pending.Set(static_cast<double>(pending));
    }
  }
  const auto now = std::chrono::steady_clock::now();
  if (now >= next_prune_) {
    next_prune_ = now + kPruneEvery;
    auto pruned = store_.write([&](WriteTx& tx) {
      return tx.outbox().prune_outbox(std::chrono::system_clock::now() - settings_.retention);
    });
    if (!pruned) {
      logs::integrations().warn("outbox: pruning the delivery log: {}", pruned.error().message);
    } else if (*pruned > 0) {
      logs::integrations().info("outbox: pruned {} old deliveries from the log", *pruned);
    }
  }
}

std::chrono::milliseconds OutboxWorker::step(std::size_t index, std::mt19937_64& rng) {
  const bool worked = deliver_one(rng);
  if (index == 0) housekeeping();
  if (worked) return std::chrono::milliseconds(0);
  auto wait = settings_.poll_interval;
  if (auto due = store_.read().outbox().next_outbox_due(); due && *due) {
    auto until = std::chrono::duration_cast<std::chrono::milliseconds>(
        **due - std::chrono::system_clock::now());
    wait = std::clamp(until, std::chrono::milliseconds(kMinWait), settings_.poll_interval);
  }
  return wait;
}

}  // namespace triage::collector
