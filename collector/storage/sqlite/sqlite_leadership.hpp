#pragma once
// SQLite's leadership: one collector process serves a SQLite data dir, so it leads every job.

#include "collector/storage/leadership.hpp"

namespace triage::collector {

class SqliteLeadership final : public Leadership {
 public:
  /// Always: nobody else runs the job.
  bool is_leader() override { return true; }
};

}  // namespace triage::collector
