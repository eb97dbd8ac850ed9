#pragma once
// Audit log records that cross the storage interface: what happened (AuditEvent), how it is
// stored as one link of the hash chain (AuditRecord), and signed chain heads (checkpoints).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "collector/storage/records.hpp"

namespace triage::collector {

/// Who acted.
enum class AuditActorKind {
  kUser,       ///< a staff account (actor: user name)
  kDevice,     ///< an enrolled or enrolling agent (actor: device id)
  kSystem,     ///< the collector itself (actor: "system")
  kCli,        ///< an administration command on the server (actor: "cli:<unix user>")
  kAnonymous,  ///< not authenticated (actor: a claimed name, or "anonymous")
};
const char* audit_actor_kind_name(AuditActorKind kind);

enum class AuditOutcome {
  kSuccess,
  kFailure,  ///< attempted and failed (wrong password)
  kDenied,   ///< refused by policy (revoked device, throttled, locked)
};
const char* audit_outcome_name(AuditOutcome outcome);

/// One security-relevant event as its producer describes it. Never put secrets (passwords,
/// tokens) in any field.
struct AuditEvent {
  TimePoint at;  ///< stored with millisecond precision
  std::string actor;
  AuditActorKind actor_kind = AuditActorKind::kSystem;
  std::string source;  ///< peer address "ip:port", "local" for the CLI, "" when none
  std::string type;    ///< dotted, e.g. "auth.login.succeeded", "device.revoked"
  std::string target;  ///< "kind:id" of what it acted on, e.g. "user:alice"; "" when none
  AuditOutcome outcome = AuditOutcome::kSuccess;
  nlohmann::json details = nlohmann::json::object();  ///< a JSON object
};

/// One stored link of the chain: the event's fields as text, exactly as hashed.
struct AuditRecord {
  std::uint64_t seq = 0;   ///< 1, 2, 3... without gaps
  std::int64_t at_ms = 0;  ///< Unix epoch milliseconds (UTC)
  std::string actor;
  std::string actor_kind;
  std::string source;
  std::string type;
  std::string target;
  std::string outcome;
  std::string details;    ///< compact JSON object text
  std::string prev_hash;  ///< hash of seq - 1 (64 zeros for seq 1)
  std::string hash;       ///< lowercase hex SHA-256 of the canonical encoding
};

/// A signed statement "the chain up to `seq` ends in `hash`".
struct AuditCheckpoint {
  std::uint64_t seq = 0;
  std::string hash;
  std::int64_t at_ms = 0;
  std::string key_id;     ///< public key id (SHA-256 of its DER SubjectPublicKeyInfo)
  std::string signature;  ///< lowercase hex Ed25519 signature
};

struct AuditFilter {
  std::optional<TimePoint> since;  ///< at >= since
  std::optional<TimePoint> until;  ///< at < until
  std::string type_prefix;         ///< [a-z0-9_.]* (checked by callers): "auth." matches auth.*
  std::string actor;               ///< exact
  std::string target;              ///< exact
  std::optional<std::uint64_t> before_seq;  ///< cursor: only seq < before_seq
  int limit = 100;
};

struct AuditPage {
  std::vector<AuditRecord> items;  ///< newest first
  bool more = false;               ///< older matching records exist
};

}  // namespace triage::collector
