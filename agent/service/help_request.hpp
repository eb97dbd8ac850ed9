#pragma once
// End-user help requests (`triage-agent get-help "text"`): what a local user submits, how the
// daemon validates it (the submitter may be any local account), the HelpRequest report it
// becomes, and the progress messages the user sees until a ticket number exists.

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "shared/util/result.hpp"
#include "triage/v1/envelope.pb.h"

namespace triage::agent {

/// Longest help text accepted, in bytes.
inline constexpr std::size_t kMaxHelpTextBytes = 4000;

/// A validated request from a local user; uid and user come from the kernel, not the peer.
struct HelpSubmission {
  std::string text;
  std::string request_id;
  std::uint32_t uid = 0;
  std::string user;
};

/// Where a help request stands, as the person who asked sees it.
enum class HelpState { kQueued, kSent, kDelivered, kTicket, kRejected, kError };

struct HelpProgress {
  HelpState state = HelpState::kQueued;
  std::uint64_t seq = 0;
  std::string ticket_id;
  std::string message;  ///< errors and rejections
  /// Nothing more will follow on this connection.
  bool final() const {
    return state == HelpState::kTicket || state == HelpState::kDelivered ||
           state == HelpState::kRejected || state == HelpState::kError;
  }
};

/// A fresh idempotency key for one request (random, 32 hex digits).
std::string new_help_request_id();

/// Checks an IPC request {"type": "help", "text", "request_id"}: text present, bounded and
/// made printable UTF-8; request_id well-formed (a fresh one when absent).
Result<HelpSubmission> parse_help_submission(const nlohmann::json& request, std::uint32_t uid,
                                             const std::string& user);

/// The report carrying the request and the snapshot taken for it (seq set by the spool).
v1::AgentMessage help_report(const HelpSubmission& help, v1::Snapshot snapshot);

/// Progress as an IPC message, and back.
nlohmann::json progress_to_json(const HelpProgress& progress);
HelpProgress progress_from_json(const nlohmann::json& message);

/// One honest sentence for the end user.
std::string describe_progress(const HelpProgress& progress);

}  // namespace triage::agent
