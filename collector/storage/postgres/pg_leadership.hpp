#pragma once
// PostgreSQL's leadership of one job: a session-level advisory lock (pg_try_advisory_lock),
// held on a connection of this object's own for as long as it leads. The lock lives as long as
// the session: a node that dies (kill -9, a lost network) ends its session and so gives the
// lead up, and another node takes it when it next tries. A follower tries at each
// is_leader(), at most once per `retry`; a leader checks its session at each is_leader().

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "collector/storage/leadership.hpp"
#include "collector/storage/postgres/pg_connection.hpp"

namespace triage::collector {

struct PgLeadershipOptions {
  /// How often a follower tries to take the lead (and to reconnect after losing the server).
  std::chrono::milliseconds retry{5000};
};

class PgLeadership final : public Leadership {
 public:
  /// Connects lazily (at the first is_leader()): a database down at start only delays the lead.
  PgLeadership(std::string conninfo, std::string job, PgLeadershipOptions options = {});
  /// Closes the connection, which releases the lock.
  ~PgLeadership() override;
  PgLeadership(const PgLeadership&) = delete;
  PgLeadership& operator=(const PgLeadership&) = delete;

  bool is_leader() override;

  /// The advisory lock key of `job`: the same on every node and build (FNV-1a 64 of
  /// "triage.leader/" and the job's name).
  static std::int64_t lock_key(std::string_view job);

 private:
  /// Takes the lead when free; under mutex_.
  bool try_to_lead();

  const std::string conninfo_;
  const std::string job_;
  const std::int64_t key_;
  const PgLeadershipOptions options_;
  std::mutex mutex_;
  std::unique_ptr<postgres::Connection> conn_;
  bool leading_ = false;
  std::optional<std::chrono::steady_clock::time_point> next_try_;
};

}  // namespace triage::collector
