#pragma once
// PostgreSQL: each device's current findings, their fleet-wide aggregation, and problems (one
// incident behind many tickets).

#include "collector/storage/postgres/pg_connector.hpp"
#include "collector/storage/problem_repository.hpp"

namespace triage::collector {

class PgProblemRepository final : public ProblemRepository {
 public:
  explicit PgProblemRepository(postgres::Connector& connector) : connector_(connector) {}

  Result<std::vector<DeviceFinding>> device_findings(std::string_view device_id) override;
  Result<std::vector<FleetFinding>> fleet_findings(std::optional<TimePoint> since) override;
  Result<std::optional<Problem>> find_problem(std::int64_t id) override;
  Result<std::optional<Problem>> open_problem_for_rule(std::string_view rule_id) override;
  Result<std::vector<Problem>> list_problems(std::optional<bool> open) override;
  Result<std::vector<Problem>> ticket_problems(std::int64_t ticket_id) override;
  Result<std::vector<std::int64_t>> open_tickets_with_finding(std::string_view rule_id) override;
  Result<void> replace_device_findings(std::string_view device_id,
                                       const std::vector<DeviceFinding>& current,
                                       TimePoint now) override;
  Result<void> create_problem(Problem& problem) override;
  Result<void> update_problem(const Problem& problem,
                              const std::vector<TicketEvent>& events) override;
  Result<bool> link_ticket_problem(std::int64_t ticket_id, std::int64_t problem_id,
                                   const TicketEvent& event) override;
  Result<bool> unlink_ticket_problem(std::int64_t ticket_id, std::int64_t problem_id,
                                     const TicketEvent& event) override;

 private:
  postgres::Connector& connector_;
};

}  // namespace triage::collector
