#pragma once
// The fleet's current findings (from each device's newest evaluated snapshot) and problems:
// one incident behind many tickets.
// Read through a ReadTx or a WriteTx (collector/storage/transaction.hpp); a read through a
// WriteTx sees that transaction's own writes.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/storage/ticket_records.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

/// The reads of this area.
class ProblemReader {
 public:
  virtual ~ProblemReader() = default;

  virtual Result<std::vector<DeviceFinding>> device_findings(std::string_view device_id) = 0;
  /// Grouped by rule, most devices first; `since`: only findings first seen at or after it.
  virtual Result<std::vector<FleetFinding>> fleet_findings(std::optional<TimePoint> since) = 0;
  virtual Result<std::optional<Problem>> find_problem(std::int64_t id) = 0;
  virtual Result<std::optional<Problem>> open_problem_for_rule(std::string_view rule_id) = 0;
  /// Newest first; `open`: only open (true) or only resolved (false) problems.
  virtual Result<std::vector<Problem>> list_problems(std::optional<bool> open) = 0;
  virtual Result<std::vector<Problem>> ticket_problems(std::int64_t ticket_id) = 0;
  /// Tickets not resolved or closed whose linked devices currently show `rule_id`.
  virtual Result<std::vector<std::int64_t>> open_tickets_with_finding(std::string_view rule_id) = 0;
};

/// The reads and writes of this area, reached from a WriteTx.
class ProblemRepository : public ProblemReader {
 public:
  /// Replaces the device's set: findings still present keep their first_seen.
  virtual Result<void> replace_device_findings(std::string_view device_id,
                                               const std::vector<DeviceFinding>& current,
                                               TimePoint now) = 0;
  /// Sets `problem.id`; kConflict when the rule has an open problem already.
  virtual Result<void> create_problem(Problem& problem) = 0;
  /// Stores title, open/resolved fields; `events` (one per linked ticket) in the same
  /// transaction.
  virtual Result<void> update_problem(const Problem& problem,
                                      const std::vector<TicketEvent>& events) = 0;
  /// False when already linked (then `event` is not written).
  virtual Result<bool> link_ticket_problem(std::int64_t ticket_id, std::int64_t problem_id,
                                           const TicketEvent& event) = 0;
  /// False when not linked.
  virtual Result<bool> unlink_ticket_problem(std::int64_t ticket_id, std::int64_t problem_id,
                                             const TicketEvent& event) = 0;
};

}  // namespace triage::collector
