#pragma once
// The error lines (priority err and above) the journal receives while a live view runs: opened
// at the start and positioned at its end, so only what is logged from then on is read, a
// bounded number per sample.

#include <cstdint>
#include <memory>
#include <string>

#include "agent/probes/linux/journal_library.hpp"
#include "google/protobuf/repeated_ptr_field.h"
#include "triage/v1/live.pb.h"

namespace triage::agent::live {

class JournalErrorFollower {
 public:
  /// The journal of the machine under `sysroot` ("" or "/": this one). When it cannot be
  /// opened the follower reads nothing and error() says why.
  explicit JournalErrorFollower(const std::string& sysroot);
  ~JournalErrorFollower();
  JournalErrorFollower(const JournalErrorFollower&) = delete;
  JournalErrorFollower& operator=(const JournalErrorFollower&) = delete;

  /// Appends at most `max_lines` new error lines to `out`; returns how many more there were
  /// (read and skipped, so the next sample starts after them).
  std::uint32_t read_new(google::protobuf::RepeatedPtrField<v1::LiveLogLine>& out, int max_lines);

  const std::string& error() const { return error_; }

 private:
  const JournalLibrary* sd_ = nullptr;
  sd_journal* journal_ = nullptr;
  std::string error_;
};

}  // namespace triage::agent::live
