#include "collector/ingest/state_materializer.hpp"

#include <unordered_map>

#include <google/protobuf/arena.h>

#include <spdlog/spdlog.h>

#include "collector/ingest/metric_extractor.hpp"
#include "shared/protocol/codec.hpp"
#include "shared/protocol/delta.hpp"
#include "triage/v1/envelope.pb.h"

namespace triage::collector {

namespace {

struct Working {
  bool exists = false;  ///< a state row exists (or is created by this batch)
  DeviceState state;    ///< head fields; the snapshot bytes live in `snapshot` below
  /// On the batch's arena; loaded only when a delta must be applied.
  v1::Snapshot* snapshot = nullptr;
  bool snapshot_changed = false;
  bool changed = false;
};

// Snapshots are parsed, changed and serialized here by the thousand per second: on an arena
// their few thousand strings and messages each cost a pointer bump, and are freed at once.
google::protobuf::ArenaOptions arena_options() {
  google::protobuf::ArenaOptions options;
  options.start_block_size = 256 * 1024;
  options.max_block_size = 4 * 1024 * 1024;
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

}  // namespace

Result<IngestBatch> StateMaterializer::prepare(std::vector<StoredReport> reports,
                                               std::vector<StateEffect>& effects) {
  IngestBatch batch;
  effects.assign(reports.size(), StateEffect::kNone);
  std::unordered_map<std::string, Working> devices;
  google::protobuf::Arena arena(arena_options());

  for (std::size_t i = 0; i < reports.size(); ++i) {
    const auto& report = reports[i];
    if (report.kind != "snapshot" && report.kind != "delta") continue;
    auto [it, first] = devices.try_emplace(report.device_id);
    Working& w = it->second;
    if (first) {
      auto head = store_.device_state(report.device_id, /*with_snapshot=*/false);
      if (!head) return tl::unexpected(head.error());
      w.exists = head->has_value();
      if (w.exists) w.state = std::move(**head);
      w.state.device_id = report.device_id;
    }
    // Resent or late: the state is already past it.
    if (w.exists && report.seq <= w.state.seq) continue;
    auto* message = google::protobuf::Arena::CreateMessage<v1::AgentMessage>(&arena);
    if (!protocol::decode_agent_message_into(report.payload, max_report_bytes_, *message)) {
      continue;  // decoded once by the session already; stored as received
    }

    if (message->has_snapshot()) {
      w.snapshot = message->mutable_snapshot()->mutable_snapshot();
      w.state.seq = w.state.base_seq = report.seq;
      w.state.as_of = report.received_at;
      w.state.stale = false;
      w.state.gap_seq = 0;
      w.exists = w.changed = w.snapshot_changed = true;
      add_points(report.device_id, *w.snapshot, report.received_at, batch.points);
      effects[i] = StateEffect::kApplied;
      continue;
    }
    if (!message->has_delta()) continue;
    const auto& delta = message->delta().delta();
    std::string why;
    if (!w.exists) {
      why = "no full snapshot yet";
    } else if (w.state.stale) {
      continue;  // waiting for the snapshot asked for at the first gap
    } else if (delta.base_seq() != w.state.seq) {
      why = "its base is report " + std::to_string(delta.base_seq()) + ", the state is at " +
            std::to_string(w.state.seq);
    } else {
      if (!w.snapshot) {
        auto full = store_.device_state(report.device_id, /*with_snapshot=*/true);
        if (!full) return tl::unexpected(full.error());
        w.snapshot = google::protobuf::Arena::CreateMessage<v1::Snapshot>(&arena);
        if (!*full || !w.snapshot->ParseFromString((*full)->snapshot)) {
          w.snapshot = nullptr;
          why = "the stored state is unreadable";
        }
      }
      if (w.snapshot) {
        auto applied = protocol::apply_delta_in_place(*w.snapshot, delta);
        if (applied) {
          w.state.seq = report.seq;
          w.state.as_of = report.received_at;
          w.changed = w.snapshot_changed = true;
          add_points(report.device_id, *w.snapshot, report.received_at, batch.points);
          effects[i] = StateEffect::kApplied;
          continue;
        }
        why = applied.error().message;
        // Partly changed: dropped. Deltas of this batch applied before it are dropped with it:
        // the state turns stale below and a full snapshot replaces it.
        w.snapshot = nullptr;
        w.snapshot_changed = false;
      }
    }
    spdlog::info("device {}: delta #{} not applied ({}); asking for a full snapshot",
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
    DeviceState out = std::move(w.state);
    out.snapshot = w.snapshot->SerializeAsString();
    batch.states.push_back(std::move(out));
  }
  batch.reports = std::move(reports);
  return batch;
}

}  // namespace triage::collector
