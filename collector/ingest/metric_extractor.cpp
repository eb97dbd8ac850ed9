#include "collector/ingest/metric_extractor.hpp"

#include <array>
#include <cctype>

namespace triage::collector {

namespace {

constexpr std::array<std::string_view, 7> kFixedNames = {
    "cpu.load1",     "cpu.load5",          "cpu.load15",        "memory.used_pct",
    "swap.used_pct", "battery.health_pct", "battery.charge_pct"};
constexpr std::size_t kMaxSegment = 64;

bool segment_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

// Read-only images (snaps, ISOs) are always full: charting them says nothing.
bool charted(const v1::Filesystem& fs) {
  return fs.has_used_percent() && fs.fs_type() != "squashfs" && fs.fs_type() != "iso9660";
}

}  // namespace

std::string mount_segment(std::string_view mount_point) {
  while (!mount_point.empty() && mount_point.front() == '/') mount_point.remove_prefix(1);
  if (mount_point.empty()) return "root";
  std::string out;
  for (char c : mount_point.substr(0, kMaxSegment)) out += segment_char(c) ? c : '_';
  return out;
}

std::vector<std::pair<std::string, double>> extract_metrics(const v1::Snapshot& snapshot) {
  std::vector<std::pair<std::string, double>> out;
  if (snapshot.health().has_load()) {
    const auto& load = snapshot.health().load();
    out.emplace_back("cpu.load1", load.load1());
    out.emplace_back("cpu.load5", load.load5());
    out.emplace_back("cpu.load15", load.load15());
  }
  const auto& hw = snapshot.hardware();
  if (hw.memory().has_used_percent())
    out.emplace_back("memory.used_pct", hw.memory().used_percent());
  if (hw.memory().has_swap_used_percent() && hw.memory().swap_total_bytes() > 0) {
    out.emplace_back("swap.used_pct", hw.memory().swap_used_percent());
  }
  std::size_t disks = 0;
  for (const auto& fs : hw.filesystems()) {
    if (!charted(fs)) continue;
    if (++disks > kMaxChartedFilesystems) break;
    out.emplace_back("disk." + mount_segment(fs.mount_point()) + ".used_pct", fs.used_percent());
  }
  for (const auto& battery : hw.batteries()) {
    if (!battery.has_health_percent() && !battery.has_charge_percent()) continue;
    if (battery.has_health_percent())
      out.emplace_back("battery.health_pct", battery.health_percent());
    if (battery.has_charge_percent())
      out.emplace_back("battery.charge_pct", battery.charge_percent());
    break;
  }
  return out;
}

bool is_metric_name(std::string_view name) {
  for (auto fixed : kFixedNames) {
    if (name == fixed) return true;
  }
  constexpr std::string_view kPrefix = "disk.", kSuffix = ".used_pct";
  if (name.size() <= kPrefix.size() + kSuffix.size() || !name.starts_with(kPrefix) ||
      !name.ends_with(kSuffix)) {
    return false;
  }
  auto segment = name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
  if (segment.size() > kMaxSegment) return false;
  for (char c : segment) {
    if (!segment_char(c)) return false;
  }
  return true;
}

}  // namespace triage::collector
