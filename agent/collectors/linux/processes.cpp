// Running processes: counts by state and the top consumers of CPU and memory, with user and
// redacted command line. Sources /proc/<pid>/stat (sampled twice, process_sample_ms apart, on a
// live machine; lifetime average under --sysroot), /proc/<pid>/cmdline for the top entries,
// /proc/uptime, /proc/meminfo, /etc/passwd. Linux; any user (other users' command lines are
// readable by default); ~2 stat reads per process.
#include <unistd.h>

#include <algorithm>
#include <map>
#include <thread>

#include "agent/collectors/linux/meminfo.hpp"
#include "agent/collectors/linux/processes.hpp"
#include "agent/collectors/linux/uptime.hpp"
#include "agent/collectors/redact.hpp"
#include "agent/collectors/text.hpp"
#include "agent/collectors/top_processes.hpp"

namespace triage::agent {
namespace {

constexpr std::size_t kTopN = 10;

std::map<std::uint32_t, std::string> read_users(const FsRoot& fs) {
  std::map<std::uint32_t, std::string> users;
  if (auto text = fs.read("/etc/passwd", 4 * 1024 * 1024)) {
    for (auto line : split_lines(*text)) {
      auto f = split(line, ':');
      if (f.size() < 3) continue;
      if (auto uid = to_uint(f[2]))
        users.emplace(static_cast<std::uint32_t>(*uid), std::string(f[0]));
    }
  }
  return users;
}

std::map<std::uint32_t, ProcStat> sample(const FsRoot& fs, const std::vector<std::uint32_t>& pids,
                                         CollectContext& ctx, bool& stopped) {
  std::map<std::uint32_t, ProcStat> out;
  for (auto pid : pids) {
    if (!ctx.within_budget()) {
      stopped = true;
      break;
    }
    auto text = fs.read_prefix("/proc/" + std::to_string(pid) + "/stat", 4096);
    if (!text) continue;  // exited meanwhile
    if (auto st = parse_proc_stat(*text)) out.emplace(pid, *st);
  }
  return out;
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
  // "pid (comm with spaces) S ppid ...": comm ends at the last ')'.
  auto open = text.find('(');
  auto close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    return std::nullopt;
  ProcStat st;
  st.comm = std::string(text.substr(open + 1, close - open - 1));
  auto f = split_ws(text.substr(close + 1));
  // Fields after comm, 0-based: 0 state, 1 ppid, 11 utime, 12 stime, 17 num_threads,
  // 19 starttime, 21 rss (pages).
  if (f.size() < 22) return std::nullopt;
  st.state = std::string(f[0]);
  st.ppid = static_cast<std::uint32_t>(to_uint(f[1]).value_or(0));
  st.cpu_ticks = to_uint(f[11]).value_or(0) + to_uint(f[12]).value_or(0);
  st.threads = static_cast<std::uint32_t>(to_uint(f[17]).value_or(1));
  st.start_ticks = to_uint(f[19]).value_or(0);
  st.rss_pages = to_uint(f[21]).value_or(0);
  return st;
}

Result<void> collect_processes(CollectContext& ctx, v1::Snapshot& out) {
  const auto& fs = ctx.fs();
  auto entries = fs.list_dir("/proc");
  if (!entries) return fail(entries.error().message);
  std::vector<std::uint32_t> pids;
  for (const auto& e : *entries) {
    if (auto pid = to_uint(e); pid && *pid > 0 && *pid < (1u << 31))
      pids.push_back(static_cast<std::uint32_t>(*pid));
  }
  std::sort(pids.begin(), pids.end());
  const bool live = ctx.host().live();
  const double ticks_per_s = live ? static_cast<double>(::sysconf(_SC_CLK_TCK)) : 100.0;
  const std::uint64_t page = live ? static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE)) : 4096;
  double uptime_s = 0;
  if (auto up = fs.read_attr("/proc/uptime"))
    uptime_s = to_double(split_ws(*up).empty() ? "" : split_ws(*up)[0]).value_or(0);
  std::uint64_t mem_total = 0;
  if (auto mi = fs.read("/proc/meminfo", 64 * 1024)) mem_total = parse_meminfo(*mi).total_bytes();
  std::int64_t boot_ms = 0;
  if (auto st = fs.read("/proc/stat", 1024 * 1024))
    boot_ms = parse_boot_time(*st).value_or(0) * 1000;

  bool stopped = false;
  auto first = sample(fs, pids, ctx, stopped);
  if (stopped) return ctx.over_budget();
  std::map<std::uint32_t, ProcStat> second;
  double window_s = 0;
  if (live && ctx.options().process_sample_ms > 0) {
    auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::milliseconds(ctx.options().process_sample_ms));
    second = sample(fs, pids, ctx, stopped);
    if (stopped) return ctx.over_budget();
    window_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }

  struct Row {
    std::uint32_t pid;
    ProcStat st;
    double cpu_percent;
  };
  std::vector<Row> rows;
  auto* sum = out.mutable_software()->mutable_process_summary();
  for (const auto& [pid, st0] : first) {
    const ProcStat& st = second.empty() ? st0 : (second.contains(pid) ? second.at(pid) : st0);
    double cpu = 0;
    if (window_s > 0 && second.contains(pid)) {
      cpu = 100.0 * static_cast<double>(st.cpu_ticks - std::min(st.cpu_ticks, st0.cpu_ticks)) /
            ticks_per_s / window_s;
    } else if (uptime_s > 0) {
      double age = uptime_s - static_cast<double>(st.start_ticks) / ticks_per_s;
      if (age > 0) cpu = 100.0 * static_cast<double>(st.cpu_ticks) / ticks_per_s / age;
    }
    sum->set_total(sum->total() + 1);
    sum->set_threads(sum->threads() + st.threads);
    if (st.state == "R") sum->set_running(sum->running() + 1);
    if (st.state == "Z") sum->set_zombies(sum->zombies() + 1);
    if (st.state == "D") sum->set_blocked(sum->blocked() + 1);
    rows.push_back({pid, st, cpu});
  }
  sum->set_sample_ms(static_cast<std::uint32_t>(window_s * 1000));

  // Top by CPU, then top by memory not already listed.
  std::vector<ProcessRank> ranks;
  ranks.reserve(rows.size());
  for (const auto& r : rows) ranks.push_back({r.pid, r.cpu_percent, r.st.rss_pages * page});
  std::vector<const Row*> top;
  for (auto i : rank_top_processes(ranks, kTopN)) top.push_back(&rows[i]);
  auto users = read_users(fs);
  for (const Row* r : top) {
    std::string dir = "/proc/" + std::to_string(r->pid);
    auto* p = out.mutable_software()->add_top_processes();
    p->set_pid(r->pid);
    p->set_ppid(r->st.ppid);
    p->set_name(r->st.comm);
    p->set_state(r->st.state);
    p->set_threads(r->st.threads);
    p->set_cpu_percent(static_cast<float>(r->cpu_percent));
    p->set_cpu_time_ms(
        static_cast<std::uint64_t>(static_cast<double>(r->st.cpu_ticks) * 1000.0 / ticks_per_s));
    p->set_rss_bytes(r->st.rss_pages * page);
    if (mem_total > 0)
      p->set_memory_percent(static_cast<float>(100.0 * static_cast<double>(p->rss_bytes()) /
                                               static_cast<double>(mem_total)));
    if (boot_ms > 0)
      p->set_start_time_unix_ms(
          boot_ms +
          static_cast<std::int64_t>(static_cast<double>(r->st.start_ticks) * 1000.0 / ticks_per_s));
    // Real uid from status (the owner of /proc/<pid> is the effective one; fixtures cannot
    // carry file ownership).
    std::uint32_t uid = fs.stat(dir).uid;
    if (auto status = fs.read_prefix(dir + "/status", 8192)) {
      for (auto l : split_lines(*status)) {
        if (!l.starts_with("Uid:")) continue;
        auto f = split_ws(l.substr(4));
        if (!f.empty()) uid = static_cast<std::uint32_t>(to_uint(f[0]).value_or(uid));
      }
    }
    auto user = users.find(uid);
    p->set_user(user != users.end() ? user->second : std::to_string(uid));
    auto cmdline = fs.read_prefix(dir + "/cmdline", 16 * 1024);
    // Redacted here, before the line leaves this collector.
    std::string line = cmdline ? redact_cmdline(*cmdline) : std::string();
    p->set_command_line(line.empty() ? "[" + r->st.comm + "]" : line);
  }
  return {};
}

}  // namespace triage::agent
