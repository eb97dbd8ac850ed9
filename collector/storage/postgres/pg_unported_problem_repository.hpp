#pragma once
// PostgreSQL, not ported yet: fleet findings and problems. Every call fails with kUnavailable
// instead of crashing; the backend stays unselectable in open_store() until every area is ported.

#include "collector/storage/problem_repository.hpp"

namespace triage::collector {

class PgUnportedProblemRepository final : public ProblemRepository {
 public:
  Result<std::vector<DeviceFinding>> device_findings(std::string_view) override {
    return unavailable();
  }
  Result<std::vector<FleetFinding>> fleet_findings(std::optional<TimePoint>) override {
    return unavailable();
  }
  Result<std::optional<Problem>> find_problem(std::int64_t) override { return unavailable(); }
  Result<std::optional<Problem>> open_problem_for_rule(std::string_view) override {
    return unavailable();
  }
  Result<std::vector<Problem>> list_problems(std::optional<bool>) override { return unavailable(); }
  Result<std::vector<Problem>> ticket_problems(std::int64_t) override { return unavailable(); }
  Result<std::vector<std::int64_t>> open_tickets_with_finding(std::string_view) override {
    return unavailable();
  }
  Result<void> replace_device_findings(std::string_view, const std::vector<DeviceFinding>&,
                                       TimePoint) override {
    return unavailable();
  }
  Result<void> create_problem(Problem&) override { return unavailable(); }
  Result<void> update_problem(const Problem&, const std::vector<TicketEvent>&) override {
    return unavailable();
  }
  Result<bool> link_ticket_problem(std::int64_t, std::int64_t, const TicketEvent&) override {
    return unavailable();
  }
  Result<bool> unlink_ticket_problem(std::int64_t, std::int64_t, const TicketEvent&) override {
    return unavailable();
  }

 private:
  static tl::unexpected<Error> unavailable() {
    return fail(ErrorCode::kUnavailable, "problems: not yet supported by the PostgreSQL backend");
  }
};

}  // namespace triage::collector
