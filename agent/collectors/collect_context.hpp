#pragma once
// What a collector gets to work with: the filesystem root, the host (kernel state, programs),
// the snapshot options and its budget.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "agent/collectors/budget.hpp"
#include "agent/collectors/host.hpp"
#include "agent/collectors/snapshot_options.hpp"
#include "shared/util/fs_root.hpp"
#include "shared/util/result.hpp"

namespace triage::agent {

/// Context of one collector run. Owned by the framework; valid for the run only.
class CollectContext {
 public:
  CollectContext(const FsRoot& fs, Host& host, const SnapshotOptions& options, BudgetMeter& meter)
      : fs_(fs), host_(host), options_(options), meter_(meter) {}

  const FsRoot& fs() const { return fs_; }
  Host& host() { return host_; }
  const SnapshotOptions& options() const { return options_; }

  /// Cooperative budget check: call it in every loop over entries. Once it returns false the
  /// collector must stop and `return ctx.over_budget();` — its output is discarded anyway.
  bool within_budget() { return meter_.within(); }
  /// The error a collector returns when within_budget() said no.
  tl::unexpected<Error> over_budget() const { return fail("over budget: " + meter_.reason()); }

  /// Runs a program through the host with a timeout and an output cap; its CPU time counts
  /// against this collector's budget. Never more than the remaining wall budget.
  Result<RunResult> run(std::vector<std::string> argv, std::chrono::milliseconds timeout,
                        std::size_t output_cap = 1024 * 1024);

  /// Adds a remark to the collector's status message ("smartctl not installed").
  void note(std::string text);
  /// Marks the source as absent on this machine: the outcome becomes UNAVAILABLE.
  void unavailable(std::string why);

  const std::string& notes() const { return notes_; }
  bool is_unavailable() const { return unavailable_; }

 private:
  const FsRoot& fs_;
  Host& host_;
  const SnapshotOptions& options_;
  BudgetMeter& meter_;
  std::string notes_;
  bool unavailable_ = false;
};

}  // namespace triage::agent
