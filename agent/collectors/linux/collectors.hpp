#pragma once
// The Linux collectors: for each data source, its collect function (registered in catalog.cpp)
// and the pure parsers that carry its unit tests. Each source lives in its own .cpp file here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/fs_root.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

// ---- system

/// Fields of os-release(5) the snapshot keeps.
struct OsRelease {
  std::string pretty_name, name, id, version_id, codename;
};
/// Parses os-release text (KEY=value lines, shell quoting).
OsRelease parse_os_release(std::string_view text);
/// /etc/os-release, else /usr/lib/os-release; empty fields when neither is readable.
OsRelease read_os_release(const FsRoot& fs);
Result<void> collect_os_release(CollectContext& ctx, v1::Snapshot& out);

/// Hostname, kernel and machine identity from /proc/sys/kernel and /etc.
struct KernelIdentity {
  std::string hostname, release, version, arch, machine_id;
};
KernelIdentity read_kernel_identity(const FsRoot& fs);
/// uname(2) machine of the running kernel ("x86_64").
std::string live_machine_arch();
Result<void> collect_kernel(CollectContext& ctx, v1::Snapshot& out);

/// The "btime" (seconds since the epoch) of /proc/stat.
std::optional<std::int64_t> parse_boot_time(std::string_view proc_stat);
Result<void> collect_uptime(CollectContext& ctx, v1::Snapshot& out);

// ---- hardware

v1::Memory parse_meminfo(std::string_view text);
Result<void> collect_meminfo(CollectContext& ctx, v1::Snapshot& out);

v1::Cpu parse_cpuinfo(std::string_view text);
Result<void> collect_cpuinfo(CollectContext& ctx, v1::Snapshot& out);

/// SMBIOS chassis type code to its name ("Notebook").
std::string chassis_type_name(std::uint64_t code);
Result<void> collect_dmi(CollectContext& ctx, v1::Snapshot& out);

// ---- health

std::optional<v1::Load> parse_loadavg(std::string_view text);
/// One /proc/pressure/* file: its "some" and "full" lines.
struct PsiFile {
  std::optional<v1::PressureStall> some, full;
};
PsiFile parse_pressure(std::string_view text);
Result<void> collect_pressure(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
