// Print queues and jobs from CUPS via one `lpstat -d -p -a -o` (the scheduler's state is only
// exposed over IPP). A job waiting more than 10 minutes, or queued on a stopped printer, is
// stuck. Linux/macOS with CUPS; any user; one short command.
#include <time.h>

#include <algorithm>
#include <map>

#include "agent/collectors/linux/cups.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {
namespace {

constexpr std::int64_t kStuckAfterMs = 10 * 60 * 1000;

/// lpstat prints dates with the C locale's %c ("Mon Jun 10 09:12:33 2024") or, in some builds,
/// "Mon 10 Jun 2024 09:12:33 AM UTC".
std::int64_t parse_lpstat_time(std::string_view text, bool local_time) {
  std::string s(trim(text));
  for (const char* fmt :
       {"%a %b %d %H:%M:%S %Y", "%a %d %b %Y %I:%M:%S %p", "%a %d %b %Y %H:%M:%S"}) {
    tm t{};
    const char* end = ::strptime(s.c_str(), fmt, &t);
    if (end == nullptr) continue;
    t.tm_isdst = -1;
    time_t secs = local_time ? ::mktime(&t) : ::timegm(&t);
    if (secs > 0) return static_cast<std::int64_t>(secs) * 1000;
  }
  return 0;
}

}  // namespace

LpstatReport parse_lpstat(std::string_view text, bool local_time) {
  LpstatReport r;
  std::map<std::string, std::size_t> index;
  auto printer = [&](std::string_view name) -> v1::Printer& {
    auto it = index.find(std::string(name));
    if (it != index.end()) return r.printers[it->second];
    index[std::string(name)] = r.printers.size();
    r.printers.emplace_back();
    r.printers.back().set_name(std::string(name));
    r.printers.back().set_accepting(true);
    return r.printers.back();
  };
  v1::Printer* last = nullptr;
  for (auto line : split_lines(text)) {
    if (line.empty()) continue;
    if (line[0] == '\t' || line[0] == ' ') {
      // Indented reason under a printer line ("\tPaused", "\tUnable to connect").
      if (last && last->message().empty()) last->set_message(std::string(trim(line)));
      continue;
    }
    last = nullptr;
    auto f = split_ws(line);
    constexpr std::string_view kDefault = "system default destination:";
    if (line.starts_with(kDefault)) {
      r.default_printer = std::string(trim(line.substr(kDefault.size())));
    } else if (f.size() >= 3 && f[0] == "printer") {
      auto& p = printer(f[1]);
      last = &p;
      if (f[2] == "disabled")
        p.set_state(v1::Printer::STOPPED);
      else if (f[2] == "now" || line.find(" now printing ") != std::string_view::npos)
        p.set_state(v1::Printer::PRINTING);
      else if (line.find(" is idle") != std::string_view::npos)
        p.set_state(v1::Printer::IDLE);
    } else if (f.size() >= 3 && f[1] == "not" && f[2] == "accepting") {
      printer(f[0]).set_accepting(false);
      last = &printer(f[0]);
    } else if (f.size() >= 3 && f[1] == "accepting") {
      printer(f[0]).set_accepting(true);
    } else if (f.size() >= 4) {
      // Job: "Office_HP-42 alice 102400 <date>".
      auto dash = f[0].rfind('-');
      if (dash == std::string_view::npos || !to_uint(f[0].substr(dash + 1))) continue;
      v1::PrintJob job;
      job.set_id(std::string(f[0]));
      job.set_printer(std::string(f[0].substr(0, dash)));
      job.set_user(std::string(f[1]));
      job.set_size_bytes(to_uint(f[2]).value_or(0));
      auto date_at = static_cast<std::size_t>(f[3].data() - line.data());
      job.set_submitted_unix_ms(parse_lpstat_time(line.substr(date_at), local_time));
      r.jobs.push_back(std::move(job));
    }
  }
  return r;
}

Result<void> collect_cups(CollectContext& ctx, v1::Snapshot& out) {
  auto* pr = out.mutable_health()->mutable_printing();
  if (!ctx.host().has_program("lpstat")) {
    ctx.unavailable("CUPS not installed (no lpstat)");
    return {};
  }
  auto run = ctx.run({"lpstat", "-d", "-p", "-a", "-o"}, std::chrono::seconds(5), 1024 * 1024);
  if (!run) return fail(run.error().message);
  if (run->timed_out) return fail("lpstat " + run->describe() + " (cupsd hung?)");
  pr->set_cups_available(true);
  if (!run->succeeded() && run->stdout_text.empty()) {
    ctx.note("lpstat: " + std::string(trim(run->stderr_text)).substr(0, 200));
    return {};
  }
  auto report = parse_lpstat(run->stdout_text, ctx.host().live());
  auto now = ctx.host().now_unix_ms();
  std::uint32_t stuck = 0;
  for (auto& p : report.printers) {
    p.set_is_default(p.name() == report.default_printer);
    for (auto& j : report.jobs) {
      if (j.printer() != p.name()) continue;
      p.set_queued_jobs(p.queued_jobs() + 1);
      bool old = j.submitted_unix_ms() > 0 && now - j.submitted_unix_ms() > kStuckAfterMs;
      j.set_stuck(old || p.state() == v1::Printer::STOPPED || !p.accepting());
    }
  }
  for (auto& j : report.jobs) stuck += j.stuck() ? 1 : 0;
  for (auto& p : report.printers) *pr->add_printers() = std::move(p);
  for (auto& j : report.jobs) *pr->add_jobs() = std::move(j);
  pr->set_stuck_jobs(stuck);
  return {};
}

}  // namespace triage::agent
