#pragma once
// Small builders for findings tests: a snapshot as the agent would fill it, one fact at a time.
// Every builder sets the fields the agent sets together (a filesystem gets sizes and percents),
// so a test changes only the number it is about.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "collector/findings/evaluate_findings.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::collector::testing {

namespace v1 = triage::v1;

constexpr std::uint64_t kMiB = 1024ULL * 1024;
constexpr std::uint64_t kGiB = 1024 * kMiB;
constexpr std::int64_t kMinuteMs = 60LL * 1000;
constexpr std::int64_t kHourMs = 60 * kMinuteMs;
constexpr std::int64_t kDayMs = 24 * kHourMs;
/// When test snapshots were "collected": 2025-06-15T12:00:00Z.
constexpr std::int64_t kAsOfMs = 1749988800000;

inline TimePoint as_of() { return TimePoint(std::chrono::milliseconds(kAsOfMs)); }

/// A snapshot with only its collection time set: every category absent.
inline v1::Snapshot empty_snapshot() {
  v1::Snapshot s;
  s.set_schema_version(1);
  s.set_collected_at_unix_ms(kAsOfMs);
  return s;
}

/// All findings, evaluated at the snapshot's own time.
inline std::vector<Finding> evaluate(const v1::Snapshot& s) {
  return evaluate_findings(s, as_of());
}

/// The findings of one rule.
inline std::vector<Finding> findings_of(const v1::Snapshot& s, const std::string& rule_id) {
  std::vector<Finding> out;
  for (auto& f : evaluate(s)) {
    if (f.rule_id == rule_id) out.push_back(std::move(f));
  }
  return out;
}

/// A mounted filesystem of `size` with `used_percent` used (df semantics, no reserved blocks).
inline v1::Filesystem& add_filesystem(v1::Snapshot& s, const std::string& mount_point,
                                      double used_percent, std::uint64_t size = 100 * kGiB,
                                      const std::string& fs_type = "ext4") {
  auto* fs = s.mutable_hardware()->add_filesystems();
  fs->set_mount_point(mount_point);
  fs->set_device("/dev/sda" + std::to_string(s.hardware().filesystems_size()));
  fs->set_fs_type(fs_type);
  fs->set_size_bytes(size);
  auto used = static_cast<std::uint64_t>(static_cast<double>(size) * used_percent / 100.0);
  fs->set_used_bytes(used);
  fs->set_free_bytes(size - used);
  fs->set_used_percent(static_cast<float>(used_percent));
  fs->set_inodes_total(6'000'000);
  fs->set_inodes_used(600'000);
  fs->set_inodes_used_percent(10.0F);
  return *fs;
}

/// /proc/meminfo totals and the percents the agent derives from them.
inline v1::Memory& set_memory(v1::Snapshot& s, std::uint64_t total, std::uint64_t available,
                              std::uint64_t swap_total = 0, std::uint64_t swap_free = 0) {
  auto* m = s.mutable_hardware()->mutable_memory();
  m->set_total_bytes(total);
  m->set_available_bytes(available);
  m->set_free_bytes(available / 2);
  m->set_used_percent(static_cast<float>(100.0 * static_cast<double>(total - available) /
                                         static_cast<double>(total)));
  m->set_swap_total_bytes(swap_total);
  m->set_swap_free_bytes(swap_free);
  if (swap_total > 0) {
    m->set_swap_used_percent(static_cast<float>(
        100.0 * static_cast<double>(swap_total - swap_free) / static_cast<double>(swap_total)));
  }
  return *m;
}

inline v1::PressureStall stall(float avg10, float avg60, float avg300 = 0) {
  v1::PressureStall p;
  p.set_avg10(avg10);
  p.set_avg60(avg60);
  p.set_avg300(avg300);
  return p;
}

inline v1::ServiceUnit& add_unit(v1::Snapshot& s, const std::string& name,
                                 v1::ServiceUnit::ActiveState state, const std::string& sub) {
  auto* svc = s.mutable_software()->mutable_services();
  svc->set_systemd_running(true);
  auto* u = svc->add_units();
  u->set_name(name);
  u->set_load_state("loaded");
  u->set_active_state(state);
  u->set_sub_state(sub);
  if (state == v1::ServiceUnit::FAILED) svc->set_failed_count(svc->failed_count() + 1);
  return *u;
}

inline v1::Probe& add_probe(v1::Snapshot& s, v1::Probe::Kind kind, const std::string& target,
                            v1::Probe::Result result) {
  auto* p = s.mutable_network()->add_probes();
  p->set_kind(kind);
  p->set_target(target);
  p->set_result(result);
  if (result == v1::Probe::OK) p->set_latency_ms(3.5);
  return *p;
}

/// A physical disk with a SMART reading that passes.
inline v1::SmartStatus& add_smart_disk(v1::Snapshot& s, const std::string& name) {
  auto* d = s.mutable_hardware()->add_block_devices();
  d->set_name(name);
  d->set_kind(name.starts_with("nvme") ? v1::BlockDevice::NVME : v1::BlockDevice::DISK);
  d->set_model("Test Disk 512GB");
  d->set_size_bytes(512 * kGiB);
  auto* smart = d->mutable_smart();
  smart->set_health(v1::SmartStatus::PASSED);
  smart->set_power_on_hours(12000);
  return *smart;
}

inline v1::Process& add_process(v1::Snapshot& s, std::uint32_t pid, const std::string& name,
                                float cpu_percent, std::uint64_t rss_bytes = 100 * kMiB) {
  auto* p = s.mutable_software()->add_top_processes();
  p->set_pid(pid);
  p->set_ppid(1);
  p->set_user("alice");
  p->set_name(name);
  p->set_command_line("/usr/bin/" + name);
  p->set_cpu_percent(cpu_percent);
  p->set_rss_bytes(rss_bytes);
  p->set_start_time_unix_ms(kAsOfMs - 2 * kHourMs);
  p->set_state("R");
  p->set_threads(1);
  return *p;
}

/// Marks the kernel log readable, as it is when the agent runs as root.
inline v1::KernelLog& readable_kernel_log(v1::Snapshot& s) {
  auto* log = s.mutable_health()->mutable_kernel_log();
  log->set_readable(true);
  return *log;
}

inline v1::KernelEvent& add_kernel_event(v1::Snapshot& s, v1::KernelEvent::Kind kind) {
  auto* e = s.mutable_health()->mutable_kernel_log()->add_recent();
  e->set_kind(kind);
  e->set_time_unix_ms(kAsOfMs - kHourMs);
  return *e;
}

inline v1::Battery& add_battery(v1::Snapshot& s, const std::string& name, double full_wh,
                                double design_wh) {
  auto* b = s.mutable_hardware()->add_batteries();
  b->set_name(name);
  b->set_model("5B10W13975");
  b->set_full_wh(full_wh);
  b->set_design_wh(design_wh);
  b->set_health_percent(static_cast<float>(100.0 * full_wh / design_wh));
  b->set_cycle_count(400);
  return *b;
}

inline v1::PrintJob& add_print_job(v1::Snapshot& s, const std::string& printer,
                                   const std::string& id, std::int64_t age_ms, bool stuck) {
  auto* pr = s.mutable_health()->mutable_printing();
  pr->set_cups_available(true);
  auto* j = pr->add_jobs();
  j->set_id(id);
  j->set_printer(printer);
  j->set_user("alice");
  j->set_size_bytes(102400);
  j->set_submitted_unix_ms(kAsOfMs - age_ms);
  j->set_stuck(stuck);
  if (stuck) pr->set_stuck_jobs(pr->stuck_jobs() + 1);
  return *j;
}

inline v1::CrashDump& add_crash(v1::Snapshot& s, const std::string& program, std::int64_t age_ms,
                                v1::CrashDump::Kind kind = v1::CrashDump::APPORT) {
  auto* d = s.mutable_health()->add_crash_dumps();
  std::string file = program;
  std::replace(file.begin(), file.end(), '/', '_');
  d->set_path("/var/crash/" + file + "." + std::to_string(s.health().crash_dumps_size()) +
              ".crash");
  d->set_kind(kind);
  d->set_program(program);
  d->set_time_unix_ms(kAsOfMs - age_ms);
  d->set_size_bytes(2 * kMiB);
  return *d;
}

inline v1::Package& add_package(v1::Snapshot& s, const std::string& name,
                                const std::string& version, const std::string& arch = "amd64") {
  auto* p = s.mutable_software()->add_packages();
  p->set_name(name);
  p->set_arch(arch);
  p->set_source(v1::Package::DPKG);
  p->set_version(version);
  return *p;
}

inline v1::NetworkInterface& add_interface(v1::Snapshot& s, const std::string& name,
                                           const std::vector<std::string>& ipv4_addresses) {
  auto* i = s.mutable_network()->add_interfaces();
  i->set_name(name);
  i->set_kind(name == "lo" ? v1::NetworkInterface::LOOPBACK : v1::NetworkInterface::ETHERNET);
  i->set_state(v1::NetworkInterface::UP);
  for (const auto& a : ipv4_addresses) {
    auto* ip = i->add_addresses();
    ip->set_address(a);
    ip->set_prefix_length(24);
    ip->set_scope("global");
  }
  return *i;
}

/// Records a collector outcome, as the agent does for every collector it ran.
inline void add_status(v1::Snapshot& s, const std::string& name,
                       v1::CollectorStatus::Outcome outcome) {
  auto* c = s.add_collectors();
  c->set_name(name);
  c->set_outcome(outcome);
}

}  // namespace triage::collector::testing
