#include "agent/collectors/snapshot_taker.hpp"

#include <algorithm>
#include <exception>
#include <optional>

#include "agent/collectors/text.hpp"

namespace triage::agent {
namespace {

using v1::CollectorStatus;

bool contains(const std::vector<std::string>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

std::int64_t to_unix_ms(CooldownTracker::Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

SnapshotTaker::SnapshotTaker(SnapshotOptions options)
    : SnapshotTaker(std::move(options), collector_catalog(), nullptr) {}

SnapshotTaker::SnapshotTaker(SnapshotOptions options, std::span<const CollectorSpec> catalog,
                             HostPtr host,
                             std::function<CooldownTracker::Clock::time_point()> clock)
    : options_(std::move(options)),
      fs_(options_.sysroot),
      catalog_(catalog),
      host_(std::move(host)),
      clock_(clock ? std::move(clock) : [] { return CooldownTracker::Clock::now(); }) {
  if (!host_) host_ = make_host(fs_);
}

v1::Snapshot SnapshotTaker::take() {
  v1::Snapshot snapshot;
  snapshot.set_schema_version(kSnapshotSchemaVersion);
  snapshot.set_collected_at_unix_ms(host_->now_unix_ms());
  for (const auto& spec : catalog_) {
    auto category = category_name(spec.category);
    if (!options_.only_categories.empty() && !contains(options_.only_categories, category))
      continue;
    run_one(spec, snapshot);
  }
  return snapshot;
}

void SnapshotTaker::run_one(const CollectorSpec& spec, v1::Snapshot& snapshot) {
  CollectorStatus* status = snapshot.add_collectors();
  status->set_name(std::string(spec.name));
  status->set_category(std::string(category_name(spec.category)));
  if (contains(options_.disabled_categories, status->category())) {
    status->set_outcome(CollectorStatus::DISABLED);
    status->set_message("category turned off in the agent configuration");
    return;
  }
  auto now = clock_();
  std::optional<std::int64_t> cooling;
  if (auto until = cooldown_.cooling_until(spec.name, now)) cooling = to_unix_ms(*until);
  if (auto it = options_.cooling_until_unix_ms.find(spec.name);
      it != options_.cooling_until_unix_ms.end() && it->second > to_unix_ms(now)) {
    cooling = std::max(cooling.value_or(0), it->second);
  }
  if (cooling) {
    status->set_outcome(CollectorStatus::COOLING_DOWN);
    status->set_message("skipped: went over budget earlier");
    status->set_retry_after_unix_ms(*cooling);
    return;
  }
  if (spec.needs_root && host_->live() && !host_->is_root()) {
    status->set_outcome(CollectorStatus::UNAVAILABLE);
    status->set_message("needs root");
    return;
  }

  BudgetMeter meter(spec.budget);
  CollectContext ctx(fs_, *host_, options_, meter);
  v1::Snapshot scratch;
  Result<void> result;
  // The one catch boundary of a collector run: nothing it does may end the snapshot.
  try {
    result = spec.collect(ctx, scratch);
  } catch (const std::exception& e) {
    result = fail(std::string("internal error: ") + e.what());
  } catch (...) {
    result = fail("internal error: unknown exception");
  }
  meter.within();
  status->set_cpu_ms(static_cast<std::uint32_t>(meter.cpu_used().count()));
  status->set_wall_ms(static_cast<std::uint32_t>(meter.wall_used().count()));
  status->set_peak_heap_bytes(meter.peak_heap_bytes());

  if (meter.exceeded()) {
    auto until = cooldown_.record_over_budget(spec.name, now);
    status->set_outcome(CollectorStatus::OVER_BUDGET);
    status->set_message("stopped: " + meter.reason() + "; output discarded, cooling down");
    status->set_retry_after_unix_ms(to_unix_ms(until));
    return;
  }
  cooldown_.record_ok(spec.name);
  if (!result) {
    status->set_outcome(CollectorStatus::FAILED);
    status->set_message(result.error().message);
    return;
  }
  status->set_outcome(ctx.is_unavailable() ? CollectorStatus::UNAVAILABLE : CollectorStatus::OK);
  status->set_message(ctx.notes());
  sanitize_strings(scratch);
  snapshot.MergeFrom(scratch);
}

}  // namespace triage::agent
