#include "collector/ingest/state_materializer.hpp"

#include <algorithm>
#include <unordered_set>
#include <utility>

#include <google/protobuf/arena.h>

#include "collector/ingest/metric_extractor.hpp"
#include "shared/protocol/codec.hpp"
#include "shared/protocol/delta.hpp"
#include "shared/protocol/message_limits.hpp"
#include "shared/util/log_levels.hpp"
#include "triage/v1/envelope.pb.h"

namespace triage::collector {

namespace {

using Clock = std::chrono::steady_clock;
using google::protobuf::Arena;

struct Working {
  bool exists = false;  ///< a state row exists (or is created by this batch)
  DeviceState state;    ///< head fields; the snapshot bytes live in `snapshot` below
  /// The stored state's snapshot bytes, when read with the batch's heads (not parsed yet).
  std::optional<std::string> stored_snapshot;
  /// On the batch's arena; loaded only when a delta must be applied.
  v1::Snapshot* snapshot = nullptr;
  /// The device's chain, staged for this batch.
  StateMaterializer::Chain* chain = nullptr;
  bool snapshot_changed = false;
  bool changed = false;
  /// The batch's last report that became this device's state.
  std::optional<std::size_t> last_applied;
};

// Snapshots are parsed, changed and serialized here by the thousand per second: on an arena
// their thousands of messages each cost a pointer bump, and are freed at once. The arena starts
// in `block`, kept from batch to batch: a large report no longer maps fresh pages (and the
// kernel zeroes them) only to hand them back when the batch is done.
google::protobuf::ArenaOptions arena_options(char* block, std::size_t size) {
  google::protobuf::ArenaOptions options;
  options.start_block_size = 256 * 1024;
  options.max_block_size = 4 * 1024 * 1024;
  options.initial_block = block;
  options.initial_block_size = size;
  return options;
}

TimePoint point_time(const v1::Snapshot& snapshot, TimePoint received) {
  if (snapshot.collected_at_unix_ms() <= 0) return received;
  return TimePoint(std::chrono::milliseconds(snapshot.collected_at_unix_ms()));
}

void add_points(const std::string& device_id, const v1::Snapshot& snapshot, TimePoint received,
                std::vector<MetricPoint>& out) {
  const TimePoint t = point_time(snapshot, received);
  for (auto& [name, value] : extract_metrics(snapshot)) {
    out.push_back(MetricPoint{device_id, std::move(name), t, value});
  }
}

/// Parses a stored state's snapshot onto `arena`; nullptr (with `why`) when unreadable.
v1::Snapshot* parse_state(const std::string* stored, Arena& arena, std::string& why) {
  auto* snapshot = Arena::CreateMessage<v1::Snapshot>(&arena);
  if (stored == nullptr || !snapshot->ParseFromString(*stored)) {
    why = "the stored state is unreadable";
    return nullptr;
  }
  return snapshot;
}

/// Applies the stored deltas `seqs` in order; the received time of the last one applied goes
/// to `as_of`. False (with `why`) at the first that cannot be read or applied.
Result<bool> apply_stored(Store& store, const std::string& device_id,
                          const std::vector<std::uint64_t>& seqs, std::size_t max_bytes,
                          v1::Snapshot& snapshot, Arena& arena, TimePoint& as_of,
                          std::string& why) {
  for (auto seq : seqs) {
    auto report = store.read().reports().find_report(device_id, seq);
    if (!report) return tl::unexpected(report.error());
    auto* message = Arena::CreateMessage<v1::AgentMessage>(&arena);
    if (!*report || !protocol::decode_agent_message_into((*report)->payload, max_bytes, *message) ||
        !message->has_delta()) {
      why = "deferred report " + std::to_string(seq) + " is missing or unreadable";
      return false;
    }
    if (auto r = protocol::apply_delta_in_place(snapshot, message->delta().delta()); !r) {
      why = r.error().message;
      return false;
    }
    as_of = (*report)->received_at;
  }
  return true;
}

}  // namespace

std::optional<std::string> StateMaterializer::over_state_limits(
    const v1::Snapshot& snapshot, const std::string& serialized) const {
  if (serialized.size() > options_.max_state_bytes) {
    return std::to_string(serialized.size()) + " bytes (the limit is " +
           std::to_string(options_.max_state_bytes) + ")";
  }
  if (protocol::count_elements(snapshot) > protocol::kMaxMessageElements) {
    return "more than " + std::to_string(protocol::kMaxMessageElements) +
           " list elements (the limit of a snapshot)";
  }
  return std::nullopt;
}

bool StateMaterializer::written_recently(const Chain& chain, Clock::time_point now) const {
  return chain.written && now - *chain.written < options_.defer_interval;
}

Clock::time_point StateMaterializer::due_at(const Chain& chain) const {
  return chain.written ? *chain.written + options_.defer_interval : options_.clock->steady_now();
}

Result<StateMaterializer::Chain*> StateMaterializer::chain(const std::string& device_id,
                                                           const std::optional<DeviceState>& head) {
  if (auto staged = staged_.find(device_id); staged != staged_.end()) return &staged->second;
  auto known = chains_.find(device_id);
  if (known == chains_.end()) {
    // First sight since start: deltas stored but not applied before a restart are found
    // again after the state's seq (other reports share the device's sequence).
    Chain loaded;
    loaded.head = head ? head->seq : 0;
    if (head && !head->stale) {
      auto last = store_.read().reports().last_report_seq(device_id);
      if (!last) return tl::unexpected(last.error());
      for (auto seq = head->seq + 1; seq <= *last && seq <= head->seq + 10'000; ++seq) {
        auto report = store_.read().reports().find_report(device_id, seq);
        if (!report) return tl::unexpected(report.error());
        if (!*report || (*report)->kind != "delta") continue;
        auto message =
            protocol::decode_agent_message((*report)->payload, options_.max_report_bytes);
        if (!message || message->delta().delta().base_seq() != loaded.head) break;
        loaded.deferred.push_back(seq);
        loaded.deferred_changes +=
            static_cast<std::size_t>(message->delta().delta().changes_size());
        loaded.head = seq;
      }
    }
    if (!loaded.deferred.empty()) {
      ++deferred_count_;
      due_.push(Due{due_at(loaded), device_id});  // never written since the start: due now
    }
    known = chains_.emplace(device_id, std::move(loaded)).first;
  }
  return &staged_.emplace(device_id, known->second).first->second;
}

void StateMaterializer::committed() {
  for (auto& [id, chain] : staged_) {
    auto& kept = chains_[id];
    deferred_count_ -= kept.deferred.empty() ? 0 : 1;
    deferred_count_ += chain.deferred.empty() ? 0 : 1;
    // Its first deferred delta: due one interval after its state was written.
    if (kept.deferred.empty() && !chain.deferred.empty()) {
      due_.push(Due{due_at(chain), id});
    }
    kept = std::move(chain);
  }
  staged_.clear();
  taken_.clear();
}

void StateMaterializer::discard() {
  staged_.clear();
  // A pass that did not commit leaves its devices due again.
  const auto now = options_.clock->steady_now();
  for (auto& id : taken_) due_.push(Due{now, std::move(id)});
  taken_.clear();
}

Result<IngestBatch> StateMaterializer::prepare(std::vector<StoredReport> reports,
                                               std::vector<StateEffect>& effects) {
  IngestBatch batch;
  effects.assign(reports.size(), StateEffect::kNone);
  staged_.clear();
  std::unordered_map<std::string, Working> devices;
  Arena arena(arena_options(arena_block_.get(), kArenaBlockBytes));
  const bool under_load = reports.size() >= options_.defer_batch;
  const auto now = options_.clock->steady_now();

  // The batch's devices in one read, not one per device: to a networked store each read is
  // a round trip that every report in the batch waits for. Below the load mark every delta is
  // applied at once, so their snapshots come along; under load most are deferred, and the
  // few due are read one by one below.
  std::vector<std::string> ids;
  bool any_delta = false;
  for (const auto& report : reports) {
    if (report.kind != "snapshot" && report.kind != "delta") continue;
    any_delta = any_delta || report.kind == "delta";
    ids.push_back(report.device_id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  const bool with_snapshots = any_delta && !under_load;
  auto heads = store_.read().reports().device_states(ids, with_snapshots);
  if (!heads) return tl::unexpected(heads.error());

  for (std::size_t i = 0; i < reports.size(); ++i) {
    const auto& report = reports[i];
    if (report.kind != "snapshot" && report.kind != "delta") continue;
    auto [it, first] = devices.try_emplace(report.device_id);
    Working& w = it->second;
    if (first) {
      std::optional<DeviceState> head;
      if (auto found = heads->find(report.device_id); found != heads->end()) {
        head = std::move(found->second);
        if (with_snapshots) w.stored_snapshot = std::exchange(head->snapshot, {});
      }
      w.exists = head.has_value();
      if (w.exists) w.state = *head;
      w.state.device_id = report.device_id;
      auto staged = chain(report.device_id, head);
      if (!staged) return tl::unexpected(staged.error());
      w.chain = *staged;
    }
    Chain& chain = *w.chain;
    // Resent or late: the chain is already past it.
    if (w.exists && report.seq <= chain.head) continue;
    auto* message = Arena::CreateMessage<v1::AgentMessage>(&arena);
    if (!protocol::decode_agent_message_into(report.payload, options_.max_report_bytes, *message)) {
      continue;  // decoded once by the session already; stored as received
    }

    if (message->has_snapshot()) {
      w.snapshot = message->mutable_snapshot()->mutable_snapshot();
      w.state.seq = w.state.base_seq = report.seq;
      w.state.as_of = report.received_at;
      w.state.stale = false;
      w.state.gap_seq = 0;
      w.exists = w.changed = w.snapshot_changed = true;
      chain.head = report.seq;
      chain.deferred.clear();
      chain.deferred_changes = 0;
      chain.written = now;
      effects[i] = StateEffect::kApplied;
      w.last_applied = i;
      continue;
    }
    if (!message->has_delta()) continue;
    const auto& delta = message->delta().delta();
    std::string why;
    if (!w.exists) {
      why = "no full snapshot yet";
    } else if (w.state.stale) {
      continue;  // waiting for the snapshot asked for at the first gap
    } else if (delta.base_seq() != chain.head) {
      why = "its base is report " + std::to_string(delta.base_seq()) + ", the chain is at " +
            std::to_string(chain.head);
    } else if (under_load && !w.snapshot && written_recently(chain, now) &&
               chain.deferred_changes + static_cast<std::size_t>(delta.changes_size()) <=
                   options_.max_deferred_changes) {
      chain.deferred.push_back(report.seq);
      chain.deferred_changes += static_cast<std::size_t>(delta.changes_size());
      chain.head = report.seq;
      effects[i] = StateEffect::kDeferred;
      continue;
    } else {
      if (!w.snapshot) {
        if (!w.stored_snapshot) {
          auto full =
              store_.read().reports().device_state(report.device_id, /*with_snapshot=*/true);
          if (!full) return tl::unexpected(full.error());
          if (*full) w.stored_snapshot = std::move((*full)->snapshot);
        }
        w.snapshot = parse_state(w.stored_snapshot ? &*w.stored_snapshot : nullptr, arena, why);
        w.stored_snapshot.reset();  // parsed (or unreadable): the bytes are not needed again
        if (w.snapshot && !chain.deferred.empty()) {
          // What was deferred goes first (they are stored already, in earlier batches).
          auto ok = apply_stored(store_, report.device_id, chain.deferred,
                                 options_.max_report_bytes, *w.snapshot, arena, w.state.as_of, why);
          if (!ok) return tl::unexpected(ok.error());
          if (!*ok) w.snapshot = nullptr;
        }
      }
      if (w.snapshot) {
        auto applied = protocol::apply_delta_in_place(*w.snapshot, delta);
        if (applied) {
          w.state.seq = report.seq;
          w.state.as_of = report.received_at;
          w.changed = w.snapshot_changed = true;
          chain.head = report.seq;
          chain.deferred.clear();
          chain.deferred_changes = 0;
          chain.written = now;
          effects[i] = StateEffect::kApplied;
          w.last_applied = i;
          continue;
        }
        why = applied.error().message;
      }
      // Partly changed: dropped, with the deltas of this batch applied before it: the state
      // turns stale below and a full snapshot replaces it.
      w.snapshot = nullptr;
      w.snapshot_changed = false;
      chain.deferred.clear();
      chain.deferred_changes = 0;
    }
    logs::ingest().info("device {}: delta #{} not applied ({}); asking for a full snapshot",
                        report.device_id, report.seq, why);
    effects[i] = StateEffect::kGap;
    if (w.exists) {
      w.state.stale = true;
      w.state.gap_seq = report.seq;
      w.changed = true;
    }
  }

  for (auto& [id, w] : devices) {
    if (!w.changed) continue;
    if (!w.snapshot_changed) {
      // Only the stale mark is new; the stored snapshot stays as it is.
      batch.stale_marks.push_back(StaleMark{id, w.state.gap_seq});
      continue;
    }
    std::string serialized = w.snapshot->SerializeAsString();
    if (auto why = over_state_limits(*w.snapshot, serialized)) {
      // Grown past what one device may hold: the stored state stays, stale, and the report
      // that grew it answers with a request for a full snapshot.
      logs::ingest().warn(
          "device {}: state at report #{} would hold {}; not applied, asking for a "
          "full snapshot",
          id, w.state.seq, *why);
      if (w.last_applied) effects[*w.last_applied] = StateEffect::kGap;
      batch.stale_marks.push_back(StaleMark{id, w.state.seq});
      continue;
    }
    // One set of metric points per new state (the newest), however many deltas it took.
    add_points(id, *w.snapshot, w.state.as_of, batch.points);
    DeviceState out = std::move(w.state);
    out.snapshot = std::move(serialized);
    batch.states.push_back(std::move(out));
  }
  batch.reports = std::move(reports);
  return batch;
}

Result<IngestBatch> StateMaterializer::flush_deferred(std::size_t max_devices, bool idle,
                                                      std::vector<std::string>& applied) {
  IngestBatch batch;
  staged_.clear();
  applied.clear();
  if (deferred_count_ == 0) return batch;
  const auto now = options_.clock->steady_now();
  // The devices of this pass: under load those due, in due order, without looking at the
  // others; when idle, any with deferred deltas. Either way no more changes than a pass may
  // apply, so that the writer is back to the reports soon.
  taken_.clear();
  std::size_t pass_changes = 0;
  if (idle) {
    for (auto& [id, kept] : chains_) {
      if (taken_.size() >= max_devices) break;
      if (kept.deferred.empty()) continue;
      if (!taken_.empty() && pass_changes + kept.deferred_changes > options_.max_pass_changes)
        break;
      pass_changes += kept.deferred_changes;
      taken_.push_back(id);
    }
  } else {
    // A device may be queued more than once (queued again after an idle pass applied it).
    std::unordered_set<std::string> seen;
    while (!due_.empty() && taken_.size() < max_devices && due_.top().at <= now) {
      auto id = due_.top().device_id;
      due_.pop();
      auto it = chains_.find(id);
      if (it == chains_.end() || it->second.deferred.empty()) continue;  // applied since
      if (!seen.insert(id).second) continue;
      if (written_recently(it->second, now)) {
        // Written since it was queued (a snapshot, an idle pass): due later.
        due_.push(Due{due_at(it->second), std::move(id)});
        continue;
      }
      if (!taken_.empty() &&
          pass_changes + it->second.deferred_changes > options_.max_pass_changes) {
        due_.push(Due{now, std::move(id)});  // the next pass's
        break;
      }
      pass_changes += it->second.deferred_changes;
      taken_.push_back(std::move(id));
    }
  }
  Arena arena(arena_options(arena_block_.get(), kArenaBlockBytes));
  for (const auto& id : taken_) {
    auto& kept = chains_.at(id);
    // One read of the state, snapshot included: its head fields are the new state's too.
    auto head = store_.read().reports().device_state(id, /*with_snapshot=*/true);
    if (!head) return tl::unexpected(head.error());
    Chain& chain = staged_.emplace(id, kept).first->second;
    std::string why;
    v1::Snapshot* snapshot = nullptr;
    TimePoint as_of{};
    if (*head && !(*head)->stale) {
      snapshot = parse_state(&(*head)->snapshot, arena, why);
    } else {
      why = "the state is stale";
    }
    if (snapshot) {
      auto ok = apply_stored(store_, id, chain.deferred, options_.max_report_bytes, *snapshot,
                             arena, as_of, why);
      if (!ok) return tl::unexpected(ok.error());
      if (!*ok) snapshot = nullptr;
    }
    const std::uint64_t last = chain.deferred.back();
    chain.deferred.clear();
    chain.deferred_changes = 0;
    chain.written = now;
    if (!snapshot) {
      // Cannot happen with a chain checked at ingest, unless the store lost a report: the
      // state stays where it was, and the next delta (a gap) asks for a full snapshot.
      logs::ingest().warn("device {}: deferred deltas up to #{} not applied ({})", id, last, why);
      if (*head && !(*head)->stale) batch.stale_marks.push_back(StaleMark{id, last});
      continue;
    }
    std::string serialized = snapshot->SerializeAsString();
    if (auto why = over_state_limits(*snapshot, serialized)) {
      // Stale: the next hello ack asks the agent for a full snapshot.
      logs::ingest().warn("device {}: state at report #{} would hold {}; not applied", id, last,
                          *why);
      batch.stale_marks.push_back(StaleMark{id, last});
      continue;
    }
    DeviceState out = std::move(**head);  // its old snapshot is replaced below
    out.seq = last;
    out.as_of = as_of;
    add_points(id, *snapshot, as_of, batch.points);
    out.snapshot = std::move(serialized);
    batch.states.push_back(std::move(out));
    applied.push_back(id);
  }
  return batch;
}

}  // namespace triage::collector
