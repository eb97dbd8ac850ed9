#pragma once
// The cheap identifying facts sent in every Hello, read without running the full catalog.

#include "shared/util/fs_root.hpp"
#include "triage/v1/hello.pb.h"

namespace triage::agent {

/// Hostname, os-release, kernel, architecture, machine id and one logged-in user (the first
/// live utmp session). A handful of small files; never fails (missing facts stay empty).
v1::DeviceFacts read_device_facts(const FsRoot& fs);

}  // namespace triage::agent
