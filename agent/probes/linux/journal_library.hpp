#pragma once
// libsystemd's journal reader, loaded the first time a log_lines probe or a live view runs rather
// than linked: a machine without libsystemd.so.0 (a distribution without systemd, a minimal
// container) still runs the agent, and there the probe says the library is missing instead of the
// agent failing to start; and the idle agent does not map libsystemd and what it pulls in
// (libgcrypt, liblz4, libzstd, liblzma, libcap) for a reader used only when a technician asks.

#include <systemd/sd-journal.h>

#include <string>

namespace triage::agent {

/// The sd-journal functions the probe calls, resolved from libsystemd.so.0.
struct JournalLibrary {
  decltype(&sd_journal_open) open = nullptr;
  decltype(&sd_journal_open_directory) open_directory = nullptr;
  decltype(&sd_journal_close) close = nullptr;
  decltype(&sd_journal_get_usage) get_usage = nullptr;
  decltype(&sd_journal_set_data_threshold) set_data_threshold = nullptr;
  decltype(&sd_journal_add_match) add_match = nullptr;
  decltype(&sd_journal_add_disjunction) add_disjunction = nullptr;
  decltype(&sd_journal_seek_tail) seek_tail = nullptr;
  decltype(&sd_journal_previous) previous = nullptr;
  decltype(&sd_journal_get_realtime_usec) get_realtime_usec = nullptr;
  decltype(&sd_journal_get_data) get_data = nullptr;
  // Following new entries (the live view's error lines).
  decltype(&sd_journal_next) next = nullptr;
  decltype(&sd_journal_get_fd) get_fd = nullptr;
  decltype(&sd_journal_process) process = nullptr;
};

/// The library, loaded once (thread-safe) and kept; nullptr with `error` set when it cannot
/// be loaded or lacks a function.
const JournalLibrary* journal_library(std::string& error);

}  // namespace triage::agent
