#pragma once
// Leadership of a background job that must run once across the cluster (the order expiry
// sweep, retention, the RT status poller): of all the collector processes sharing one store,
// one leads each such job at a time, and a job skips its run where this process does not lead.
// Implementations sit beside their backends: a SQLite data dir is served by one process, which
// always leads (sqlite/sqlite_leadership.hpp); on PostgreSQL a node leads while it holds a
// session-level advisory lock on a connection of its own (postgres/pg_leadership.hpp), so a
// node that dies gives the lead up with its connection. open_leadership() (open_store.hpp)
// picks one.

#include <memory>

namespace triage::collector {

/// One job's leadership, as this process sees it.
class Leadership {
 public:
  virtual ~Leadership() = default;

  /// Whether this process leads the job now; asked before each run. A process that does not
  /// lead tries to take the lead on the way (at most every few seconds); a leader checks that
  /// it still holds it. Thread-safe. Giving the lead up is destroying the object.
  virtual bool is_leader() = 0;
};

using LeadershipPtr = std::unique_ptr<Leadership>;

/// Whether a job with this leadership runs now: always when there is none (nullptr: one process
/// and no cluster, as in tests and tools).
inline bool leads(Leadership* leadership) {
  return leadership == nullptr || leadership->is_leader();
}

}  // namespace triage::collector
