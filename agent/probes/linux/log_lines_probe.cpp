#include "agent/probes/log_lines_probe.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>

#include "agent/collectors/redact.hpp"
#include "agent/probes/linux/journal_fields.hpp"
#include "shared/probes/probe_params.hpp"
#include "shared/util/fs_root.hpp"

namespace triage::agent {

namespace {

/// One message is cut at this many bytes (journal fields can be megabytes).
constexpr std::size_t kMaxMessageBytes = 2048;

std::optional<std::string> field(const JournalLibrary& sd, sd_journal* j, const char* name) {
  return journal_field(sd, j, name, kMaxMessageBytes);
}

std::string printable(std::string text, std::size_t cap) {
  return printable_journal_text(std::move(text), cap);
}

/// The journal's match terms for `source`, each a conjunction: a unit name (with a dot) matches
/// what the unit logged (_SYSTEMD_UNIT, set by journald itself) and what systemd said about it
/// — UNIT= only from PID 1 and OBJECT_SYSTEMD_UNIT= only from root, as `journalctl -u` reads
/// them, since any process may write those fields; a bare word is a syslog identifier ("sshd",
/// "kernel"; self-declared, like `journalctl -t`) or the unit of that name with ".service".
std::vector<std::vector<std::string>> source_terms(const std::string& source) {
  const bool unit = source.find('.') != std::string::npos;
  const auto unit_name = unit ? source : source + ".service";
  return {{"_SYSTEMD_UNIT=" + unit_name},
          {"UNIT=" + unit_name, "_PID=1"},
          {"OBJECT_SYSTEMD_UNIT=" + unit_name, "_UID=0"},
          {"SYSLOG_IDENTIFIER=" + source}};
}

int add_match(const JournalLibrary& sd, sd_journal* j, const std::string& term) {
  return sd.add_match(j, term.data(), term.size());
}

}  // namespace

void run_log_lines_probe(const v1::ProbePayload& request, ProbeBudget& budget,
                         const ProbeEnvironment& env, v1::ProbeResult& result) {
  const auto& params = request.log_lines();
  auto* out = result.mutable_log_lines();
  std::string library_error;
  const JournalLibrary* library = journal_library(library_error);
  if (library == nullptr) {
    out->set_error(library_error);
    return;
  }
  const JournalLibrary& sd = *library;
  const FsRoot fs(env.sysroot);
  sd_journal* raw = nullptr;
  const int opened = fs.is_live() ? sd.open(&raw, SD_JOURNAL_LOCAL_ONLY)
                                  : sd.open_directory(&raw, fs.root().c_str(), SD_JOURNAL_OS_ROOT);
  if (opened < 0) {
    out->set_error(std::string("the journal could not be opened: ") + std::strerror(-opened));
    return;
  }
  const std::unique_ptr<sd_journal, decltype(sd.close)> journal(raw, sd.close);
  std::uint64_t usage = 0;
  if (sd.get_usage(raw, &usage) >= 0 && usage == 0) {
    out->set_error("this endpoint keeps no journal files (/var/log/journal, /run/log/journal)");
    return;
  }
  sd.set_data_threshold(raw, kMaxMessageBytes + 64);

  // (PRIORITY=0 or ... or PRIORITY=rank) and TERM, one disjunction per source term.
  const int rank =
      probes::log_level_rank(params.min_level().empty() ? "warning" : params.min_level())
          .value_or(4);
  const auto terms = source_terms(params.source());
  int matched = 0;
  for (std::size_t i = 0; i < terms.size() && matched >= 0; ++i) {
    if (i > 0) matched = sd.add_disjunction(raw);
    for (int p = 0; p <= rank && matched >= 0; ++p) {
      matched = add_match(sd, raw, "PRIORITY=" + std::to_string(p));
    }
    for (const auto& term : terms[i]) {
      if (matched >= 0) matched = add_match(sd, raw, term);
    }
  }
  if (matched < 0) {
    // Without its filter the journal would answer with every unit's lines: say no instead.
    out->set_error(std::string("the journal filter could not be set: ") + std::strerror(-matched));
    return;
  }

  const auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const auto since_us =
      static_cast<std::uint64_t>(now_us) - std::uint64_t{params.since_minutes()} * 60'000'000u;
  sd.seek_tail(raw);
  std::vector<v1::LogLine> newest_first;
  std::size_t bytes = 0;
  while (sd.previous(raw) > 0) {
    if (budget.expired()) {
      budget.cut("time budget ran out after " + std::to_string(newest_first.size()) +
                 " journal lines");
      break;
    }
    std::uint64_t at_us = 0;
    if (sd.get_realtime_usec(raw, &at_us) < 0) continue;
    if (at_us < since_us) break;  // older than the window: the rest is older still
    if (newest_first.size() == params.max_lines()) {
      out->set_more(true);
      break;
    }
    v1::LogLine line;
    line.set_time_unix_ms(static_cast<std::int64_t>(at_us / 1000));
    int priority = 6;
    if (auto p = field(sd, raw, "PRIORITY"))
      std::from_chars(p->data(), p->data() + p->size(), priority);
    line.set_level(std::string(probes::log_level_name(priority)));
    line.set_source(printable(
        field(sd, raw, "_SYSTEMD_UNIT").value_or(field(sd, raw, "UNIT").value_or("")), 128));
    line.set_identifier(printable(
        field(sd, raw, "SYSLOG_IDENTIFIER").value_or(field(sd, raw, "_COMM").value_or("")), 64));
    std::uint32_t pid = 0;
    if (auto p = field(sd, raw, "_PID").value_or(field(sd, raw, "SYSLOG_PID").value_or(""));
        !p.empty()) {
      std::from_chars(p.data(), p.data() + p.size(), pid);
    }
    line.set_pid(pid);
    auto message = printable(field(sd, raw, "MESSAGE").value_or(""), kMaxMessageBytes);
    redact_log(message);
    line.set_message(std::move(message));
    bytes += line.ByteSizeLong() + 8;
    if (bytes > budget.output_bytes()) {
      budget.cut("output budget reached after " + std::to_string(newest_first.size()) +
                 " journal lines");
      break;
    }
    newest_first.push_back(std::move(line));
  }
  for (auto it = newest_first.rbegin(); it != newest_first.rend(); ++it) {
    *out->add_lines() = std::move(*it);
  }
}

}  // namespace triage::agent
