#pragma once
// A Request Tracker 5 REST2 client: creates tickets, posts internal comments with attachments,
// reads a ticket's status and lists its attachments. Every answer is hostile input: bounded
// in time and size, parsed strictly, and checked for the shape each call expects.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "collector/integrations/rt/rt_answers.hpp"
#include "shared/transport/http_types.hpp"
#include "shared/transport/tls_context.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

struct RtSettings {
  std::chrono::milliseconds connect_timeout{5'000};
  /// RT spends ~0.3 s hashing the password of every basic-auth request; comments with
  /// attachments take longer.
  std::chrono::milliseconds request_timeout{30'000};
  std::size_t max_response_bytes = 1024 * 1024;
};

/// How triage authenticates to RT: an RT auth token (preferred) or a user's password.
struct RtCredentials {
  std::string token;
  std::string username;
  std::string password;
};

/// Parses the stored credentials ({"token": ...} or {"username": ..., "password": ...}).
Result<RtCredentials> parse_rt_credentials(std::string_view text);

/// Checks an RT base URL: https://, or http:// to a loopback address only (a local RT or a
/// test server), no user info, query or fragment, at most 2048 bytes.
Result<void> check_rt_url(std::string_view url);

struct RtFile {
  std::string name;
  std::string content_type;
  std::string content;  ///< raw bytes (sent base64)
};

class RtClient {
 public:
  /// kInvalid for a URL check_rt_url refuses.
  static Result<RtClient> create(std::string_view base_url, RtCredentials credentials,
                                 transport::SslContextPtr tls, RtSettings settings);

  /// Creates a ticket; its RT id.
  RtResult<std::string> create_ticket(const std::string& queue, const std::string& requester,
                                      const std::string& subject, const std::string& body);
  /// Adds an internal comment (never a correspondence: requesters do not see it).
  RtResult<void> comment(const std::string& ticket_id, const std::string& subject,
                         const std::string& text, const std::vector<RtFile>& files);
  /// The ticket's Status ("new", "open", "resolved", ...).
  RtResult<std::string> ticket_status(const std::string& ticket_id);
  /// The ticket's attachments (every MIME part), newest first, at most `limit`.
  RtResult<std::vector<RtAttachmentInfo>> attachments(const std::string& ticket_id,
                                                      std::size_t limit = 200);
  /// Ids of tickets whose subject contains `marker` (no quotes or backslashes), oldest first.
  RtResult<std::vector<std::string>> find_tickets(const std::string& marker);
  /// Whether one of the ticket's comments has this subject (the idempotency check).
  RtResult<bool> has_subject(const std::string& ticket_id, const std::string& subject);

 private:
  RtClient() = default;
  /// One request; the answer parsed as JSON (object or array per `want_array`).
  RtResult<nlohmann::json> call(transport::http::verb method, const std::string& path,
                                const std::optional<nlohmann::json>& body, bool want_array);

  bool tls_ = true;
  std::string host_;
  std::string port_;
  std::string base_path_;  ///< without a trailing '/'
  RtCredentials credentials_;
  transport::SslContextPtr tls_context_;
  RtSettings settings_;
};

}  // namespace triage::collector
