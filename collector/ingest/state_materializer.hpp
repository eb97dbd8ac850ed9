#pragma once
// Keeps each device's current full snapshot materialized, so reading it is one row. Before a
// batch of reports commits, works out what the batch changes: a full snapshot becomes the
// state; a delta whose base_seq is the head of the device's chain extends it; any other delta
// is a gap: stored as received but not applied, the state stays at its last consistent point,
// marked stale, until a full snapshot heals it. Every new state also yields its metric points.
//
// Applying a delta means parsing, changing and rewriting the device's whole state (~50 KB).
// Under load (a large batch) a device whose state was written less than `defer_interval` ago
// only has its delta checked and stored; the deferred deltas are applied together later by
// flush_deferred(), once the interval has passed or when the writer is idle, so a device
// sending a delta every second costs one rewrite per interval. Until then its state reads as
// of its last write (`as_of` says when). Deferred deltas are in the reports table: after a
// restart they are found again from the state's seq on.
//
// Runs on the ingest writer thread, the only writer of states, so the states it reads cannot
// change before the batch commits.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "collector/storage/store.hpp"
#include "shared/util/clock.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::collector {

/// What committing one report did to its device's state.
enum class StateEffect {
  kNone,      ///< not a snapshot/delta, a duplicate, or a delta arriving while already stale
  kApplied,   ///< the report is now the device's current state
  kDeferred,  ///< a delta that extends the chain, applied later (flush_deferred)
  kGap,       ///< a delta that does not extend the state: stale from now on (ask for a snapshot)
};

struct MaterializerOptions {
  std::size_t max_report_bytes = 64 * 1024 * 1024;
  /// Batches of at least this many reports mean load: deltas may then be deferred.
  std::size_t defer_batch = 64;
  /// A device's state is rewritten at most this often under load.
  std::chrono::milliseconds defer_interval{30'000};
  /// Changes of one device's deferred deltas at most: past it a delta is applied at once, so
  /// that no device's state costs one pass more than this to bring up to date.
  std::size_t max_deferred_changes = 10'000;
  /// Changes applied in one deferred pass at most (a device is never split; one at least).
  std::size_t max_pass_changes = 50'000;
  /// A device's serialized state at most: a delta that would grow it past this is not
  /// applied (the state turns stale, and the device is asked for a full snapshot).
  std::size_t max_state_bytes = 16 * 1024 * 1024;
  /// The time source for the interval above (its steady time); tests set their own, so no
  /// decision depends on how long the machine has been up. Must outlive the materializer.
  const Clock* clock = &live_clock();
};

class StateMaterializer {
 public:
  explicit StateMaterializer(Store& store, MaterializerOptions options = {})
      : store_(store), options_(options) {}

  /// The reports with the states and points they produce; `effects[i]` is report i's effect.
  /// An error (the store could not be read) fails the whole batch.
  Result<IngestBatch> prepare(std::vector<StoredReport> reports, std::vector<StateEffect>& effects);

  /// The states of up to `max_devices` devices with deferred deltas (those whose interval has
  /// passed, or any when `idle`), with those deltas applied; `applied` gets their ids. Commit
  /// the batch with store_ingest(), then call committed(), or discard() on failure.
  Result<IngestBatch> flush_deferred(std::size_t max_devices, bool idle,
                                     std::vector<std::string>& applied);
  /// The batch from prepare() or flush_deferred() was committed / was not: forget or keep
  /// what it carried.
  void committed();
  void discard();

  /// Devices with deltas waiting to be applied.
  std::size_t deferred_devices() const { return deferred_count_; }

  /// What the writer knows of a device's chain beyond its stored state (writer thread only).
  struct Chain {
    std::uint64_t head = 0;               ///< last snapshot/delta accepted (applied or not)
    std::vector<std::uint64_t> deferred;  ///< accepted deltas not yet applied, in order
    std::size_t deferred_changes = 0;     ///< the changes those deltas carry
    /// When this writer last wrote its state; empty when it has not since it started (a
    /// state loaded after a restart is due at once, whatever the clock reads).
    std::optional<std::chrono::steady_clock::time_point> written;
  };

 private:
  /// Why a new state may not be stored (too many bytes or elements), or nothing.
  std::optional<std::string> over_state_limits(const v1::Snapshot& snapshot,
                                               const std::string& serialized) const;
  /// Whether `chain`'s state was written less than one interval before `now`.
  bool written_recently(const Chain& chain, std::chrono::steady_clock::time_point now) const;
  /// When `chain`'s deferred deltas may be applied under load.
  std::chrono::steady_clock::time_point due_at(const Chain& chain) const;

  /// The device's chain as staged for the pending batch (loaded on first sight).
  Result<Chain*> chain(const std::string& device_id, const std::optional<DeviceState>& head);

  Store& store_;
  MaterializerOptions options_;
  std::unordered_map<std::string, Chain> chains_;
  std::size_t deferred_count_ = 0;
  /// Chains as they will be once the pending batch commits (applied on committed()).
  std::unordered_map<std::string, Chain> staged_;
  /// Devices with deferred deltas by the time their state may be rewritten; an entry is
  /// checked against its chain when it comes up (the chain may have been written since).
  struct Due {
    std::chrono::steady_clock::time_point at;
    std::string device_id;
    bool operator>(const Due& other) const { return at > other.at; }
  };
  std::priority_queue<Due, std::vector<Due>, std::greater<>> due_;
  /// The devices of the pending flush_deferred() pass.
  std::vector<std::string> taken_;
  /// Where each batch's arena starts (what the largest report within the limits and its
  /// device's state take parsed); reused, never given back. Left uninitialized: its pages
  /// are only taken when a batch first needs them.
  static constexpr std::size_t kArenaBlockBytes = 8 * 1024 * 1024;
  std::unique_ptr<char[]> arena_block_ = std::make_unique_for_overwrite<char[]>(kArenaBlockBytes);
};

}  // namespace triage::collector
