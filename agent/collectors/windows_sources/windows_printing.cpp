// Sources:
// - the "printers" answer (win_api_names.hpp): the Spooler service's state, and while it runs
//   PRINTER_INFO_2 (Status and Attributes bits, cJobs) and JOB_INFO_2 per printer;
// - with the spooler stopped, nobody answers EnumPrintersW: the printers are the subkeys of
//   HKLM\SYSTEM\CurrentControlSet\Control\Print\Printers (Port, Status, Attributes; the key's
//   DefaultSpoolDirectory), and each job the spooler left is a pair of files in that folder,
//   NNNNN.SHD (the job's description, UTF-16 strings: it names the printer) and NNNNN.SPL.
// A job is stuck as cups.cpp decides: waiting over 10 minutes, or its printer stopped, or (on
// Windows) the job itself in error, or no spooler running to print it.
#include "agent/collectors/windows_sources/windows_printing.hpp"

#include <algorithm>
#include <map>

#include "agent/collectors/text.hpp"
#include "agent/collectors/windows_sources/win_api_names.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"
#include "shared/util/time_format.hpp"

namespace triage::agent {
namespace {

constexpr std::int64_t kStuckAfterMs = 10 * 60 * 1000;
constexpr std::size_t kMaxPrinters = 100;
constexpr std::size_t kMaxJobs = 200;
constexpr std::size_t kMaxText = 200;
constexpr std::size_t kMaxShadowFileBytes = 64 * 1024;
constexpr std::string_view kPrintersKey =
    "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Print\\Printers";
constexpr std::string_view kDefaultSpoolDir = "C:\\Windows\\System32\\spool\\PRINTERS";

// PRINTER_INFO_2.Status bits.
constexpr std::uint64_t kPrinterPaused = 0x1;
constexpr std::uint64_t kPrinterError = 0x2;
constexpr std::uint64_t kPrinterPendingDeletion = 0x4;
constexpr std::uint64_t kPrinterPrinting = 0x400;
constexpr std::uint64_t kPrinterProcessing = 0x4000;
// PRINTER_INFO_2.Attributes: "Use printer offline", set by the user.
constexpr std::uint64_t kAttributeWorkOffline = 0x400;
// JOB_INFO_2.Status bits.
constexpr std::uint64_t kJobError = 0x2;
constexpr std::uint64_t kJobOffline = 0x20;
constexpr std::uint64_t kJobPaperOut = 0x40;
constexpr std::uint64_t kJobBlockedDevq = 0x200;
constexpr std::uint64_t kJobUserIntervention = 0x400;
constexpr std::uint64_t kJobTrouble =
    kJobError | kJobOffline | kJobPaperOut | kJobBlockedDevq | kJobUserIntervention;

struct Bit {
  std::uint64_t mask;
  std::string_view text;
  bool stops;  // the printer cannot print until someone acts
};
// PRINTER_STATUS_*, in the order a technician wants to read them.
constexpr Bit kPrinterBits[] = {
    {0x2, "error", true},
    {0x8, "paper jam", true},
    {0x10, "paper out", true},
    {0x40, "paper problem", true},
    {0x80, "offline", true},
    {0x1000, "not available", true},
    {0x40000, "no toner", true},
    {0x100000, "user intervention required", true},
    {0x400000, "door open", true},
    {0x1, "paused", true},
    {0x4, "pending deletion", false},
    {0x20, "manual feed", false},
    {0x800, "output bin full", false},
    {0x20000, "toner low", false},
    {0x80000, "page punt", false},
    {0x200000, "out of memory", false},
    {0x100, "I/O active", false},
    {0x200, "busy", false},
    {0x2000, "waiting", false},
    {0x8000, "initializing", false},
    {0x10000, "warming up", false},
    {0x1000000, "power save", false},
};

struct Status {
  v1::Printer::State state = v1::Printer::IDLE;
  std::string message;
};

Status printer_status(std::uint64_t status, std::uint64_t attributes) {
  Status s;
  bool stopped = (attributes & kAttributeWorkOffline) != 0;
  if (stopped) s.message = "used offline";
  for (const auto& bit : kPrinterBits) {
    if ((status & bit.mask) == 0) continue;
    stopped = stopped || bit.stops;
    if (!s.message.empty()) s.message += ", ";
    s.message += bit.text;
  }
  if (stopped) {
    s.state = v1::Printer::STOPPED;
  } else if ((status & (kPrinterPrinting | kPrinterProcessing)) != 0) {
    s.state = v1::Printer::PRINTING;
  }
  return s;
}

std::int64_t parse_time(std::string_view text) {
  auto t = parse_rfc3339(text);
  if (!t) return 0;
  return std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count();
}

/// Jobs are named as CUPS names them, "<printer>-<id>": ids are per spooler, not per printer
/// name, but the printer in the key keeps a job's identity readable.
std::string job_key(std::string_view printer, std::string_view id) {
  return std::string(printer) + "-" + std::string(id);
}

struct Spooled {
  std::vector<v1::Printer> printers;
  std::vector<std::pair<v1::PrintJob, std::uint64_t>> jobs;  // with their JOB_STATUS bits
};

Spooled from_answer(const nlohmann::json& printers, CollectContext& ctx) {
  Spooled s;
  for (const auto& p : printers) {
    if (!ctx.within_budget()) break;
    if (s.printers.size() >= kMaxPrinters) {
      ctx.note("more than " + std::to_string(kMaxPrinters) + " printers");
      break;
    }
    v1::Printer printer;
    printer.set_name(clean_text(json_text(p, "name"), kMaxText));
    if (printer.name().empty()) continue;
    auto status = json_uint(p, "status").value_or(0);
    auto st = printer_status(status, json_uint(p, "attributes").value_or(0));
    printer.set_state(st.state);
    printer.set_message(st.message);
    printer.set_accepting((status & kPrinterPendingDeletion) == 0);
    printer.set_is_default(json_bool(p, "default").value_or(false));
    printer.set_device_uri(clean_text(json_text(p, "port"), kMaxText));
    printer.set_queued_jobs(static_cast<std::uint32_t>(
        std::min<std::uint64_t>(json_uint(p, "jobs").value_or(0), UINT32_MAX)));
    auto list = p.is_object() ? p.find("job_list") : p.end();
    if (list != p.end() && list->is_array()) {
      for (const auto& j : *list) {
        if (s.jobs.size() >= kMaxJobs) break;
        auto id = json_text(j, "id");
        if (id.empty()) continue;
        v1::PrintJob job;
        job.set_id(clean_text(job_key(printer.name(), id), kMaxText));
        job.set_printer(printer.name());
        job.set_user(clean_text(json_text(j, "user"), kMaxText));
        job.set_size_bytes(json_uint(j, "size_bytes").value_or(0));
        job.set_submitted_unix_ms(parse_time(json_text(j, "submitted")));
        s.jobs.emplace_back(std::move(job), json_uint(j, "status").value_or(0));
      }
    }
    s.printers.push_back(std::move(printer));
  }
  return s;
}

/// UTF-16LE bytes of `text` (ASCII and Latin-1 are enough to find a printer's name).
std::string utf16_bytes(std::string_view utf8) {
  std::string out;
  for (char c : utf8) {
    out += c;
    out += '\0';
  }
  return out;
}

/// The spooler is stopped: printers from the registry, jobs from what it left on disk.
Spooled from_disk(WinHost& win, CollectContext& ctx) {
  Spooled s;
  auto root = win.registry(kPrintersKey);
  if (!root) return s;
  for (const auto& name : root->subkeys) {
    if (!ctx.within_budget() || s.printers.size() >= kMaxPrinters) break;
    auto key = win.registry(std::string(kPrintersKey) + "\\" + name);
    if (!key) continue;
    v1::Printer printer;
    printer.set_name(clean_text(key->text("Name").empty() ? name : key->text("Name"), kMaxText));
    auto st =
        printer_status(key->number("Status").value_or(0), key->number("Attributes").value_or(0));
    // Nothing prints without the spooler, whatever the printer's own state.
    printer.set_state(v1::Printer::STOPPED);
    printer.set_message(st.message.empty() ? "spooler not running"
                                           : "spooler not running, " + st.message);
    printer.set_accepting(false);
    printer.set_device_uri(clean_text(key->text("Port"), kMaxText));
    s.printers.push_back(std::move(printer));
  }
  std::sort(s.printers.begin(), s.printers.end(),
            [](const auto& a, const auto& b) { return a.name() < b.name(); });
  std::string dir = root->text("DefaultSpoolDirectory");
  if (dir.empty()) dir = kDefaultSpoolDir;
  auto files = win.list_directory(dir);
  if (!files) return s;
  std::map<std::string, std::uint64_t> spool_sizes;
  for (const auto& f : *files) {
    auto lower = to_lower(f.name);
    if (lower.ends_with(".spl")) spool_sizes[lower.substr(0, lower.size() - 4)] = f.size_bytes;
  }
  for (const auto& f : *files) {
    if (!ctx.within_budget() || s.jobs.size() >= kMaxJobs) break;
    auto lower = to_lower(f.name);
    if (f.directory || !lower.ends_with(".shd")) continue;
    auto stem = lower.substr(0, lower.size() - 4);
    // "00014.SHD" or "FP00014.SHD": the digits are the job id.
    auto digits = stem.substr(stem.rfind("fp", 0) == 0 ? 2 : 0);
    auto id = to_uint(digits);
    if (!id) continue;
    std::string printer;
    if (auto shadow = win.read_file(dir + "\\" + f.name, kMaxShadowFileBytes)) {
      for (const auto& p : s.printers) {
        if (shadow->find(utf16_bytes(p.name())) != std::string::npos) {
          printer = p.name();
          break;
        }
      }
    }
    v1::PrintJob job;
    job.set_id(clean_text(
        job_key(printer.empty() ? "unknown printer" : printer, std::to_string(*id)), kMaxText));
    job.set_printer(printer);
    auto spl = spool_sizes.find(stem);
    job.set_size_bytes(spl == spool_sizes.end() ? 0 : spl->second);
    job.set_submitted_unix_ms(f.modified_unix_ms);
    s.jobs.emplace_back(std::move(job), 0);
  }
  for (auto& p : s.printers) {
    auto n = std::count_if(s.jobs.begin(), s.jobs.end(),
                           [&](const auto& j) { return j.first.printer() == p.name(); });
    p.set_queued_jobs(static_cast<std::uint32_t>(n));
  }
  return s;
}

}  // namespace

Result<void> collect_windows_printing(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  auto answer = win->api(win_api::kPrinters);
  if (!answer) return fail("asking the print spooler", answer.error());
  auto* pr = out.mutable_health()->mutable_printing();
  pr->set_spooler("Windows print spooler");
  const nlohmann::json empty = nlohmann::json::object();
  const auto& spooler =
      answer->is_object() && answer->contains("spooler") ? (*answer)["spooler"] : empty;
  auto state = json_text(spooler, "state");
  if (!state.empty()) pr->set_spooler_running(state == "running");

  Spooled spooled;
  auto printers = answer->is_object() ? answer->find("printers") : answer->end();
  if (printers != answer->end() && printers->is_array()) {
    spooled = from_answer(*printers, ctx);
  } else if (pr->has_spooler_running() && !pr->spooler_running()) {
    spooled = from_disk(*win, ctx);
    ctx.note("spooler " + clean_text(state, 32) + ": printers from the registry");
  } else {
    auto why = json_text(*answer, "error");
    ctx.note(why.empty() ? "no printers in the answer" : clean_text(why, kMaxText));
  }
  if (!ctx.within_budget()) return ctx.over_budget();

  const auto now = ctx.host().now_unix_ms();
  const bool spooler_down = pr->has_spooler_running() && !pr->spooler_running();
  std::uint32_t stuck = 0;
  for (auto& [job, status] : spooled.jobs) {
    // By name, not by capturing the binding `job` (clang 15, the fuzz build, refuses that).
    const std::string& job_printer = job.printer();
    auto printer = std::find_if(spooled.printers.begin(), spooled.printers.end(),
                                [&](const auto& p) { return p.name() == job_printer; });
    bool stopped = printer != spooled.printers.end() &&
                   (printer->state() == v1::Printer::STOPPED || !printer->accepting());
    bool old = job.submitted_unix_ms() > 0 && now - job.submitted_unix_ms() > kStuckAfterMs;
    job.set_stuck(old || stopped || spooler_down || (status & kJobTrouble) != 0);
    stuck += job.stuck() ? 1 : 0;
  }
  for (auto& p : spooled.printers) *pr->add_printers() = std::move(p);
  for (auto& j : spooled.jobs) *pr->add_jobs() = std::move(j.first);
  pr->set_stuck_jobs(stuck);
  return {};
}

}  // namespace triage::agent
