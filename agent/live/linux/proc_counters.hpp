#pragma once
// The kernel counters the Linux live sampler reads, parsed from /proc text as pure functions
// (so the rates can be checked on fixed text): CPU time, memory, bytes moved by disks and by
// network interfaces, and one process's CPU time and resident size.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace triage::agent::live {

struct CpuTicks {
  std::uint64_t busy = 0;
  std::uint64_t total = 0;
};

/// The "cpu" line of /proc/stat: busy is everything but idle and iowait.
std::optional<CpuTicks> parse_cpu_ticks(std::string_view proc_stat);

struct MemoryCounters {
  std::uint64_t total_bytes = 0;
  std::uint64_t available_bytes = 0;
  std::uint64_t swap_used_bytes = 0;
};

/// /proc/meminfo (kB values).
MemoryCounters parse_meminfo(std::string_view meminfo);

struct ByteCounters {
  std::uint64_t read = 0;   ///< disks: read; interfaces: received
  std::uint64_t write = 0;  ///< disks: written; interfaces: sent
};

/// /proc/diskstats summed over `disks` only (whole physical disks: a partition or a device
/// mapper volume would count the same bytes twice). Sectors are 512 bytes there, whatever the
/// disk's own sector size.
ByteCounters sum_disk_bytes(std::string_view diskstats, const std::set<std::string>& disks);

/// /proc/net/dev summed over every interface but loopback.
ByteCounters sum_interface_bytes(std::string_view net_dev);

struct ProcessCounters {
  std::string name;
  std::uint64_t cpu_ticks = 0;  ///< user + system
  std::uint64_t rss_pages = 0;
};

/// /proc/PID/stat (the name may hold spaces and parentheses: it ends at the last ')').
std::optional<ProcessCounters> parse_process_stat(std::string_view stat);

}  // namespace triage::agent::live
