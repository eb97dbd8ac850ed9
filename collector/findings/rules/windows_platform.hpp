#pragma once
// Whether a snapshot describes a Windows machine, for the rules whose suggested actions differ
// by platform (the Windows agent runs reboot-windows where Linux runs reboot).

#include "triage/v1/snapshot.pb.h"

namespace triage::collector::rules {

/// True when the snapshot's system section says Windows (os_id "windows", or Windows facts).
inline bool is_windows(const v1::Snapshot& snapshot) {
  return snapshot.system().os_id() == "windows" || snapshot.system().has_windows();
}

}  // namespace triage::collector::rules
