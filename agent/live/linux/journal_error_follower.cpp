#include "agent/live/linux/journal_error_follower.hpp"

#include <charconv>
#include <cstring>

#include "agent/collectors/redact.hpp"
#include "agent/live/live_sampler.hpp"
#include "agent/probes/linux/journal_fields.hpp"
#include "shared/probes/probe_params.hpp"
#include "shared/util/fs_root.hpp"

namespace triage::agent::live {

namespace {

/// Lines read past per sample at most, kept or skipped: a flood of errors costs the agent a
/// bounded amount of work each second (the rest is read in the seconds after).
constexpr int kMaxLinesReadPerSample = 2000;

}  // namespace

JournalErrorFollower::JournalErrorFollower(const std::string& sysroot) {
  sd_ = journal_library(error_);
  if (sd_ == nullptr) return;
  const FsRoot fs(sysroot.empty() ? "/" : sysroot);
  const int opened = fs.is_live()
                         ? sd_->open(&journal_, SD_JOURNAL_LOCAL_ONLY)
                         : sd_->open_directory(&journal_, fs.root().c_str(), SD_JOURNAL_OS_ROOT);
  if (opened < 0) {
    journal_ = nullptr;
    error_ = std::string("the journal could not be opened: ") + std::strerror(-opened);
    return;
  }
  sd_->set_data_threshold(journal_, kLiveErrorLineBytes + 64);
  int matched = 0;
  for (int p = 0; p <= 3 && matched >= 0; ++p) {  // emerg, alert, crit, err: one disjunction
    const auto term = "PRIORITY=" + std::to_string(p);
    matched = sd_->add_match(journal_, term.data(), term.size());
  }
  // get_fd sets up the inotify watch that lets process() see journal files rotated in.
  if (matched < 0 || sd_->get_fd(journal_) < 0 || sd_->seek_tail(journal_) < 0) {
    error_ = "the journal could not be followed";
    sd_->close(journal_);
    journal_ = nullptr;
    return;
  }
  // Positioned on the newest entry: next() returns only what comes after it.
  sd_->previous(journal_);
}

JournalErrorFollower::~JournalErrorFollower() {
  if (journal_ != nullptr) sd_->close(journal_);
}

std::uint32_t JournalErrorFollower::read_new(
    google::protobuf::RepeatedPtrField<v1::LiveLogLine>& out, int max_lines) {
  if (journal_ == nullptr) return 0;
  sd_->process(journal_);
  std::uint32_t left_out = 0;
  int kept = 0;
  for (int read = 0; read < kMaxLinesReadPerSample && sd_->next(journal_) > 0; ++read) {
    if (kept == max_lines) {
      ++left_out;
      continue;
    }
    v1::LiveLogLine line;
    std::uint64_t at_us = 0;
    if (sd_->get_realtime_usec(journal_, &at_us) >= 0) {
      line.set_time_unix_ms(static_cast<std::int64_t>(at_us / 1000));
    }
    int priority = 3;
    if (auto p = journal_field(*sd_, journal_, "PRIORITY", 8)) {
      std::from_chars(p->data(), p->data() + p->size(), priority);
    }
    line.set_level(std::string(probes::log_level_name(priority)));
    line.set_source(printable_journal_text(
        journal_field(*sd_, journal_, "_SYSTEMD_UNIT", 128).value_or(""), 128));
    line.set_identifier(printable_journal_text(
        journal_field(*sd_, journal_, "SYSLOG_IDENTIFIER", 64)
            .value_or(journal_field(*sd_, journal_, "_COMM", 64).value_or("")),
        64));
    auto message = printable_journal_text(
        journal_field(*sd_, journal_, "MESSAGE", kLiveErrorLineBytes).value_or(""),
        kLiveErrorLineBytes);
    redact_log(message);
    line.set_message(std::move(message));
    *out.Add() = std::move(line);
    ++kept;
  }
  return left_out;
}

}  // namespace triage::agent::live
