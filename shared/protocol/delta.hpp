#pragma once
// Deltas between snapshots: what was added, removed or changed, addressed by stable keys
// (package name + arch + source, mount point, unit name...) declared in snapshot.proto with the
// (key) field option. Generic over the schema through protobuf reflection, so new fields and
// messages need no code here. Guarantee: apply_delta(a, diff_snapshots(a, b)) == b.

#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::protocol {

/// The changes turning `old_snap` into `new_snap`. Collector outcomes, schema version and
/// collection time travel whole in the Delta and are not "changes"; the collector outcomes only
/// when they differ from `old_snap`'s (an empty list means "as in the base"; a `new_snap`
/// without any status after an `old_snap` with some is the one REMOVED change of `collectors`).
v1::Delta diff_snapshots(const v1::Snapshot& old_snap, const v1::Snapshot& new_snap);

/// `base` with `delta` applied; fails when a change addresses something `base` lacks (the delta
/// was computed against another snapshot).
Result<v1::Snapshot> apply_delta(const v1::Snapshot& base, const v1::Delta& delta);

/// Applies `delta` to `snapshot` itself, without the copy (the collector's ingest applies
/// thousands a second). On failure `snapshot` may be partly changed: the caller discards it.
Result<void> apply_delta_in_place(v1::Snapshot& snapshot, const v1::Delta& delta);

/// True when the delta carries no change (collector timings alone do not count).
bool delta_is_empty(const v1::Delta& delta);

/// "software.packages[bash/amd64/DPKG]" for a change's path, for logs and people.
std::string describe_path(const v1::Change& change);

}  // namespace triage::protocol
