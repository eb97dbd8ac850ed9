#pragma once
// A collector: one data source, one category, one budget. The catalog (catalog.cpp) is the one
// explicit table of them.

#include <span>
#include <string_view>

#include "agent/collectors/budget.hpp"
#include "agent/collectors/category.hpp"
#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// Fills its own fields of `out` (a fresh, otherwise empty snapshot). Must not throw; an error
/// is recorded as FAILED for this collector only, and its partial output is dropped.
using CollectFn = Result<void> (*)(CollectContext& ctx, v1::Snapshot& out);

/// One entry of the catalog.
struct CollectorSpec {
  std::string_view name;
  Category category;
  Budget budget;
  /// Skipped (UNAVAILABLE) on a live machine when the agent does not run as root.
  bool needs_root = false;
  CollectFn collect = nullptr;
};

/// The collectors of this platform, in run order.
std::span<const CollectorSpec> collector_catalog();

}  // namespace triage::agent
