#pragma once
// Problems: when one fault hits many endpoints ("DNS failing on 37 devices"), a coordinator
// opens one problem from the fleet finding and links the tickets it explains, so they are
// worked as one incident. Each link, unlink and the resolution land on the linked tickets'
// timelines. One open problem per findings rule.

#include <optional>
#include <string>
#include <vector>

#include "collector/storage/store.hpp"
#include "collector/tickets/outbox_planner.hpp"

namespace triage::collector {

struct NewProblem {
  std::string rule_id;
  std::string title;  ///< empty: "<rule id> across the fleet"
  /// Also link every ticket not yet resolved whose devices show the finding now.
  bool link_open_tickets = false;
};

struct OpenedProblem {
  Problem problem;
  std::vector<std::int64_t> linked;  ///< tickets linked by `link_open_tickets`
};

struct ProblemChange {
  std::optional<std::string> title;
  std::optional<bool> open;  ///< false resolves, true reopens
  std::string resolution;    ///< what fixed it (with `open = false`)
};

class ProblemService {
 public:
  /// `outbox` (may be null: nothing planned) enqueues what each change's events cause.
  explicit ProblemService(Store& store, OutboxPlanner* outbox = nullptr)
      : store_(store), outbox_(outbox) {}

  /// kInvalid for an unknown rule or bad title; kConflict when the rule has an open problem.
  Result<OpenedProblem> open(const NewProblem& request, const std::string& actor, TimePoint now);
  /// kNotFound when there is no such problem.
  Result<Problem> get(std::int64_t id);
  Result<Problem> update(std::int64_t id, const ProblemChange& change, const std::string& actor,
                         TimePoint now);
  /// False when already linked. kConflict for a resolved problem or a closed ticket.
  Result<bool> link(std::int64_t problem_id, std::int64_t ticket_id, const std::string& actor,
                    TimePoint now);
  /// False when not linked.
  Result<bool> unlink(std::int64_t problem_id, std::int64_t ticket_id, const std::string& actor,
                      TimePoint now);

 private:
  /// Links (or unlinks) the ticket with `event`, and enqueues what it causes, in one
  /// transaction; false when it was linked (not linked) already.
  Result<bool> change_link(std::int64_t ticket_id, std::int64_t problem_id,
                           const TicketEvent& event, bool link);

  Store& store_;
  OutboxPlanner* outbox_;
};

}  // namespace triage::collector
