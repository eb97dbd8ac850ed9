// Error counts per unit over the last 24 hours from the systemd journal, via
// `journalctl -p err --since=-24h -o json` (the journal file format is only read safely by
// libsystemd). Linux/systemd; root sees the system journal; output capped at 8 MiB.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "agent/collectors/linux/journal.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {

std::map<std::string, std::uint32_t> count_journal_errors(std::string_view json_lines) {
  std::map<std::string, std::uint32_t> counts;
  for (auto line : split_lines(json_lines)) {
    if (line.empty() || line[0] != '{') continue;
    auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) continue;
    std::string unit;
    for (const char* field : {"_SYSTEMD_UNIT", "SYSLOG_IDENTIFIER", "_COMM"}) {
      auto it = j.find(field);
      if (it != j.end() && it->is_string()) {
        unit = it->get<std::string>();
        break;
      }
    }
    if (unit.empty()) unit = "kernel";
    ++counts[unit];
  }
  return counts;
}

Result<void> collect_journal(CollectContext& ctx, v1::Snapshot& out) {
  auto* j = out.mutable_health()->mutable_journal();
  j->set_window_hours(24);
  if (!ctx.fs().is_directory("/var/log/journal") && !ctx.fs().is_directory("/run/log/journal")) {
    ctx.unavailable("no systemd journal on this machine");
    return {};
  }
  if (!ctx.host().has_program("journalctl")) {
    ctx.unavailable("journalctl not installed");
    return {};
  }
  auto run = ctx.run({"journalctl", "-p", "err", "--since=-24h", "-o", "json",
                      "--output-fields=_SYSTEMD_UNIT,SYSLOG_IDENTIFIER,_COMM", "--no-pager", "-q"},
                     std::chrono::seconds(10), 8 * 1024 * 1024);
  if (!run) return fail(run.error().message);
  if (run->timed_out) return fail("journalctl " + run->describe());
  j->set_available(true);
  auto counts = count_journal_errors(run->stdout_text);
  std::vector<std::pair<std::string, std::uint32_t>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end(), [](auto& a, auto& b) {
    return a.second > b.second || (a.second == b.second && a.first < b.first);
  });
  std::uint32_t total = 0;
  for (const auto& [unit, n] : sorted) {
    total += n;
    if (j->units_size() >= 30) continue;
    auto* u = j->add_units();
    u->set_unit(unit);
    u->set_count(n);
  }
  j->set_total(total);
  j->set_truncated(run->stdout_truncated);
  return {};
}

}  // namespace triage::agent
