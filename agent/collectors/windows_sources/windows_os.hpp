#pragma once
// The Windows installation: product, edition, version, build and update revision, install
// date, product type, host name, machine id and architecture. Registry only; any user; cheap.

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

Result<void> collect_windows_os(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
