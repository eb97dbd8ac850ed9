#include "collector/storage/postgres/pg_leadership.hpp"

#include <spdlog/spdlog.h>

namespace triage::collector {

PgLeadership::PgLeadership(std::string conninfo, std::string job, PgLeadershipOptions options)
    : conninfo_(std::move(conninfo)),
      job_(std::move(job)),
      key_(lock_key(job_)),
      options_(options) {}

PgLeadership::~PgLeadership() = default;

std::int64_t PgLeadership::lock_key(std::string_view job) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  auto mix = [&](std::string_view text) {
    for (unsigned char c : text) {
      hash ^= c;
      hash *= 0x100000001b3ULL;
    }
  };
  mix("triage.leader/");
  mix(job);
  return static_cast<std::int64_t>(hash);
}

bool PgLeadership::is_leader() {
  std::lock_guard lock(mutex_);
  if (leading_) {
    // A session-level lock is held as long as its session: a statement that still works on
    // the connection proves the lead.
    if (conn_->query("SELECT 1")) return true;
    spdlog::warn("{}: lost the connection that held the lead; another node may lead it now", job_);
    leading_ = false;
    conn_.reset();
  }
  return try_to_lead();
}

bool PgLeadership::try_to_lead() {
  const auto now = std::chrono::steady_clock::now();
  if (next_try_ && now < *next_try_) return false;
  next_try_ = now + options_.retry;
  if (!conn_ || !conn_->reusable()) {
    conn_.reset();
    auto conn = postgres::Connection::connect(conninfo_);
    if (!conn) {
      spdlog::warn("{}: cannot try to lead: {}", job_, conn.error().message);
      return false;
    }
    conn_ = std::move(*conn);
  }
  auto taken = conn_->query("SELECT pg_try_advisory_lock($1)", key_);
  if (!taken || taken->empty()) {
    if (!taken) spdlog::warn("{}: cannot try to lead: {}", job_, taken.error().message);
    conn_.reset();
    return false;
  }
  leading_ = taken->boolean(0, 0);
  if (leading_) spdlog::info("{}: this node leads it now", job_);
  return leading_;
}

}  // namespace triage::collector
