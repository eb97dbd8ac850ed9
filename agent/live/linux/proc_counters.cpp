#include "agent/live/linux/proc_counters.hpp"

#include <charconv>
#include <vector>

namespace triage::agent::live {

namespace {

std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const auto start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

std::uint64_t number(std::string_view text) {
  std::uint64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

template <class Fn>
void each_line(std::string_view text, Fn&& fn) {
  while (!text.empty()) {
    const auto end = text.find('\n');
    fn(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

}  // namespace

std::optional<CpuTicks> parse_cpu_ticks(std::string_view proc_stat) {
  std::optional<CpuTicks> out;
  each_line(proc_stat, [&](std::string_view line) {
    if (out || line.substr(0, 4) != "cpu ") return;
    const auto f = fields_of(line);
    if (f.size() < 5) return;
    CpuTicks ticks;
    // user nice system idle iowait irq softirq steal (guest time is inside user already).
    for (std::size_t i = 1; i < f.size() && i <= 8; ++i) {
      const auto v = number(f[i]);
      ticks.total += v;
      if (i != 4 && i != 5) ticks.busy += v;
    }
    out = ticks;
  });
  return out;
}

MemoryCounters parse_meminfo(std::string_view meminfo) {
  MemoryCounters out;
  std::uint64_t swap_total = 0, swap_free = 0;
  each_line(meminfo, [&](std::string_view line) {
    const auto f = fields_of(line);
    if (f.size() < 2) return;
    const auto kib = number(f[1]) * 1024;
    if (f[0] == "MemTotal:")
      out.total_bytes = kib;
    else if (f[0] == "MemAvailable:")
      out.available_bytes = kib;
    else if (f[0] == "SwapTotal:")
      swap_total = kib;
    else if (f[0] == "SwapFree:")
      swap_free = kib;
  });
  out.swap_used_bytes = swap_total > swap_free ? swap_total - swap_free : 0;
  return out;
}

ByteCounters sum_disk_bytes(std::string_view diskstats, const std::set<std::string>& disks) {
  ByteCounters out;
  each_line(diskstats, [&](std::string_view line) {
    const auto f = fields_of(line);
    // major minor name reads merged sectors_read ms writes merged sectors_written ...
    if (f.size() < 10 || disks.count(std::string(f[2])) == 0) return;
    out.read += number(f[5]) * 512;
    out.write += number(f[9]) * 512;
  });
  return out;
}

ByteCounters sum_interface_bytes(std::string_view net_dev) {
  ByteCounters out;
  each_line(net_dev, [&](std::string_view line) {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return;  // the two header lines
    const auto name = fields_of(line.substr(0, colon));
    if (name.size() != 1 || name[0] == "lo") return;
    const auto f = fields_of(line.substr(colon + 1));
    // receive: bytes packets errs drop fifo frame compressed multicast; transmit: bytes ...
    if (f.size() < 9) return;
    out.read += number(f[0]);
    out.write += number(f[8]);
  });
  return out;
}

std::optional<ProcessCounters> parse_process_stat(std::string_view stat) {
  const auto open = stat.find('(');
  const auto close = stat.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return std::nullopt;
  }
  const auto f = fields_of(stat.substr(close + 1));
  // After the name: state(0) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
  // utime(11) stime(12) ... rss(21).
  if (f.size() < 22) return std::nullopt;
  ProcessCounters out;
  out.name = std::string(stat.substr(open + 1, close - open - 1));
  out.cpu_ticks = number(f[11]) + number(f[12]);
  out.rss_pages = number(f[21]);
  return out;
}

}  // namespace triage::agent::live
