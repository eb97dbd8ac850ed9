#pragma once
// The antivirus: Microsoft Defender's status from its WMI provider, or on a workstation whose
// protection another product provides, what Windows Security Center knows of it. WMI; any
// user; two or three queries.

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

Result<void> collect_windows_defender(CollectContext& ctx, v1::Snapshot& out);

/// Security Center's productState of an antivirus: bit 12 set when it is on, bit 4 set when
/// its signatures are out of date (the documented reading of WSC_SECURITY_PRODUCT_STATE).
struct SecurityCenterState {
  bool enabled = false;
  bool signatures_out_of_date = false;
};
SecurityCenterState decode_product_state(std::uint32_t product_state);

}  // namespace triage::agent
