#pragma once
// Which reported filesystem holds a path, so a rule can tell whether cleaning the journal, the
// package cache or temp files would free space on the filesystem that is full.

#include <string_view>

#include "triage/v1/snapshot.pb.h"

namespace triage::collector::rules {

/// True when `mount_point` is the longest reported mount point containing `path`.
bool mount_holds_path(const v1::HardwareInfo& hardware, std::string_view mount_point,
                      std::string_view path);

}  // namespace triage::collector::rules
