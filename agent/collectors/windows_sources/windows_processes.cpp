// Source: the answer of win_api::kProcesses. CPU shares come from the CPU time each process
// used between the gatherer's two samples; a process seen once (started or ended between them)
// gets its lifetime average, as on a machine without a sampling window.
#include "agent/collectors/windows_sources/windows_processes.hpp"

#include <array>
#include <string>
#include <vector>

#include "agent/collectors/text.hpp"
#include "agent/collectors/top_processes.hpp"
#include "agent/collectors/windows_sources/win_api_names.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"
#include "agent/collectors/windows_sources/windows_command_line.hpp"

namespace triage::agent {
namespace {

// Per list (busiest, largest), as many as a technician reads on one screen.
constexpr std::size_t kTopN = 15;
constexpr std::size_t kMaxProcesses = 65536;
constexpr std::size_t kMaxName = 256;
constexpr std::size_t kMaxCommandLine = 512;
// Windows allows 32767 characters; what follows is not read (as /proc/<pid>/cmdline on Linux).
constexpr std::size_t kMaxRawCommandLine = 16 * 1024;
// Windows' own processes without a command line; shown as "[name]" like Linux kernel threads,
// so nobody is offered to kill them.
constexpr std::array<std::string_view, 5> kSystemProcesses = {
    "System", "Registry", "Memory Compression", "Secure System", "System Idle Process"};

bool is_system_process(std::uint32_t pid, std::string_view name) {
  if (pid <= 4) return true;
  for (auto s : kSystemProcesses) {
    if (name == s) return true;
  }
  return false;
}

}  // namespace

Result<void> collect_windows_processes(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  auto answer = win->api(win_api::kProcesses);
  if (!answer) {
    if (answer.error().code == ErrorCode::kNotFound) {
      ctx.unavailable("processes: " + answer.error().message);
      return {};
    }
    return fail("listing processes", answer.error());
  }
  auto list = answer->is_object() ? answer->find("processes") : answer->end();
  if (!answer->is_object() || list == answer->end() || !list->is_array())
    return fail("the processes answer has no list of processes");

  const std::uint64_t sample_ms = json_uint(*answer, "sample_ms").value_or(0);
  const std::uint64_t memory_total = json_uint(*answer, "memory_total_bytes").value_or(0);
  const std::int64_t now = ctx.host().now_unix_ms();
  std::vector<const nlohmann::json*> rows;
  std::vector<ProcessRank> ranks;
  std::uint64_t threads = 0;
  for (const auto& item : *list) {
    if (!ctx.within_budget()) return ctx.over_budget();
    if (rows.size() == kMaxProcesses) {
      ctx.note("process list capped at " + std::to_string(kMaxProcesses));
      break;
    }
    auto pid = json_uint(item, "pid");
    if (!pid || *pid > 0xFFFFFFFFu) continue;
    ProcessRank rank;
    rank.pid = static_cast<std::uint32_t>(*pid);
    rank.resident_bytes = json_uint(item, "working_set_bytes").value_or(0);
    if (auto window_us = json_uint(item, "cpu_window_us"); window_us && sample_ms > 0) {
      rank.cpu_percent =
          100.0 * static_cast<double>(*window_us) / 1000.0 / static_cast<double>(sample_ms);
    } else if (auto start = json_uint(item, "start_unix_ms");
               start && static_cast<std::int64_t>(*start) < now) {
      rank.cpu_percent = 100.0 * static_cast<double>(json_uint(item, "cpu_time_ms").value_or(0)) /
                         static_cast<double>(now - static_cast<std::int64_t>(*start));
    }
    threads += json_uint(item, "threads").value_or(0);
    rows.push_back(&item);
    ranks.push_back(rank);
  }
  auto* sw = out.mutable_software();
  auto* sum = sw->mutable_process_summary();
  sum->set_total(static_cast<std::uint32_t>(rows.size()));
  sum->set_threads(static_cast<std::uint32_t>(std::min<std::uint64_t>(threads, 0xFFFFFFFFu)));
  sum->set_sample_ms(static_cast<std::uint32_t>(std::min<std::uint64_t>(sample_ms, 60000)));

  for (auto i : rank_top_processes(ranks, kTopN)) {
    if (!ctx.within_budget()) return ctx.over_budget();
    const auto& item = *rows[i];
    auto* p = sw->add_top_processes();
    p->set_pid(ranks[i].pid);
    p->set_ppid(static_cast<std::uint32_t>(json_uint(item, "ppid").value_or(0)));
    p->set_name(clean_text(trim(json_text(item, "name")), kMaxName));
    p->set_user(clean_text(trim(json_text(item, "user")), kMaxName));
    p->set_threads(static_cast<std::uint32_t>(json_uint(item, "threads").value_or(0)));
    p->set_cpu_percent(static_cast<float>(ranks[i].cpu_percent));
    p->set_cpu_time_ms(json_uint(item, "cpu_time_ms").value_or(0));
    p->set_rss_bytes(ranks[i].resident_bytes);
    if (memory_total > 0) {
      p->set_memory_percent(static_cast<float>(100.0 * static_cast<double>(p->rss_bytes()) /
                                               static_cast<double>(memory_total)));
    }
    if (auto start = json_uint(item, "start_unix_ms"); start && *start < (1ULL << 62))
      p->set_start_time_unix_ms(static_cast<std::int64_t>(*start));
    // Redacted here, before the line leaves this source.
    auto raw = json_text(item, "command_line");
    if (raw.size() > kMaxRawCommandLine) raw.resize(kMaxRawCommandLine);
    auto line = clean_text(redact_windows_command_line(raw, kMaxCommandLine), kMaxCommandLine);
    if (line.empty() && is_system_process(p->pid(), p->name())) line = "[" + p->name() + "]";
    p->set_command_line(std::move(line));
  }
  if (json_bool(*answer, "truncated").value_or(false)) ctx.note("the process list was cut short");
  return {};
}

}  // namespace triage::agent
