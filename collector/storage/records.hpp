#pragma once
// Plain records that cross the storage interface. No SQL, no HTTP, no Protobuf.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace triage::collector {

using TimePoint = std::chrono::system_clock::time_point;

enum class Role { kViewer, kTechnician, kSenior, kAdmin };

struct EnrollmentToken {
  std::string id;          ///< public identifier (for listing and audit)
  std::string token_hash;  ///< SHA-256 hex of the secret token; the token itself is never stored
  TimePoint created_at;
  TimePoint expires_at;
  int max_uses = 1;
  int uses = 0;
  std::string created_by;
  std::optional<TimePoint> revoked_at;  ///< a revoked token enrolls nothing more
};

struct Device {
  std::string id;  ///< UUID, also the CN of its certificate
  std::string hostname;
  std::string certificate_sha256;
  /// The certificate a renewal replaced, while the agent has not connected with the new one:
  /// still accepted, so that a renewal whose answer was lost does not lock the device out
  /// ("" when none).
  std::string previous_certificate_sha256;
  TimePoint enrolled_at;
  std::optional<TimePoint> last_seen;
  std::optional<TimePoint> revoked_at;
  std::string agent_version;
  std::string os_pretty_name;
  std::string kernel;
  std::string arch;
  /// "linux" or "windows" as the agent's hello says ("" before its first hello, or from an
  /// agent older than the field).
  std::string platform;
  std::string enrollment_token_id;
  /// The person using the device: an email or an external directory id ("" when unknown).
  std::string owner;
  /// Labels set by staff ("finance", "site:paris"), sorted, lower case.
  std::vector<std::string> tags;
};

/// Whether `device` may connect with the certificate of fingerprint `sha256`: its current one,
/// or the one its latest renewal replaced while the agent has not used the new one yet.
inline bool certificate_accepted(const Device& device, std::string_view sha256) {
  return device.certificate_sha256 == sha256 || (!device.previous_certificate_sha256.empty() &&
                                                 device.previous_certificate_sha256 == sha256);
}

/// A change to a device's registry entry by staff; unset fields stay as they are.
struct DeviceUpdate {
  std::optional<std::string> owner;
  std::optional<std::vector<std::string>> tags;
};

/// Facts an agent states in its hello; recorded as reported.
struct DeviceHelloFacts {
  std::string hostname;
  std::string agent_version;
  std::string os_pretty_name;
  std::string kernel;
  std::string arch;
  std::string platform;
};

/// A person signs in with a password; a service account is an integration's identity: no
/// password, API tokens minted by an admin, never an order's requester or approver.
enum class UserKind { kPerson, kService };

/// Where a person's identity lives: here (a local password, TOTP) or in the company directory
/// (LDAP / Active Directory: no local password; the directory checks the password and decides
/// the role at each sign-in and each recheck).
enum class UserSource { kLocal, kLdap };

struct User {
  std::int64_t id = 0;
  std::string name;
  Role role = Role::kViewer;
  std::string password_hash;  ///< empty for service accounts
  TimePoint created_at;
  bool disabled = false;
  UserKind kind = UserKind::kPerson;
  /// Set when someone else chose the password (an admin creating the account, a generated
  /// one) or an admin forced a reset: until the user sets their own, every request but the
  /// password change, `me` and logout is refused.
  bool must_change_password = false;
  /// The TOTP secret in force (base32); empty when the user has no second factor.
  std::string totp_secret;
  /// A TOTP secret shown at enrollment, in force once a first code from it is confirmed.
  std::string totp_pending;
  /// The last 30-second step a code was accepted in: a code of that step or before is refused.
  std::int64_t totp_last_step = 0;
  UserSource source = UserSource::kLocal;
  /// kLdap: when the directory last confirmed the account (sign-in or recheck).
  std::optional<TimePoint> directory_checked_at;
};

/// How a login session is presented: a bearer token or the console's session cookie.
enum class SessionKind { kBearer, kCookie };

/// A login session. Stored by hash only.
struct ApiSession {
  std::string token_hash;
  std::int64_t user_id = 0;
  TimePoint created_at;
  TimePoint expires_at;
  SessionKind kind = SessionKind::kBearer;
  std::string csrf_hash;  ///< SHA-256 hex of the CSRF token (cookie sessions only)
  /// Last request made with it (minute precision); its start until then.
  std::optional<TimePoint> last_seen_at;
  std::string source;               ///< the address it was opened from
  std::string user_agent;           ///< the User-Agent it was opened with (bounded)
  std::string method = "password";  ///< how its user proved who they are

  /// The public id: the first 16 hex digits of the token's hash (as credentials name it).
  std::string id() const { return token_hash.substr(0, 16); }
};

/// A long-lived bearer token for an integration, bound to one user. Stored by hash only.
struct ApiToken {
  std::string id;  ///< public identifier, also inside the token ("trt_<id>_<secret>")
  std::string token_hash;
  std::int64_t user_id = 0;
  std::string user_name;  ///< filled by reads (joined), ignored on insert
  std::string name;       ///< label chosen by the admin ("rt-connector")
  TimePoint created_at;
  TimePoint expires_at;
  std::optional<TimePoint> last_used_at;
  std::optional<TimePoint> revoked_at;
  std::string created_by;
};

/// Failed-login bookkeeping for one account name (known or not, so that lockout itself
/// does not reveal which names exist).
struct LoginThrottleState {
  int failures = 0;        ///< consecutive failures since the last success or lockout
  int lockouts = 0;        ///< consecutive lockouts (each one lasts longer)
  TimePoint locked_until;  ///< epoch when not locked
  TimePoint updated_at;
};

/// Failed-login bookkeeping for one client address, in the store so that every collector node
/// throttles the same client: a token bucket kept as the time it is full again (each failure
/// moves that time on by one token's refill). No row is a full bucket.
struct LoginClientThrottle {
  TimePoint full_at;  ///< from then on the client has its whole burst again
};

/// A change to a user by an admin; unset fields stay as they are.
struct UserUpdate {
  std::optional<Role> role;
  std::optional<bool> disabled;
  std::optional<bool> must_change_password;
};

/// A report from an agent as received: committed before it is acknowledged.
struct StoredReport {
  std::string device_id;
  std::uint64_t seq = 0;
  std::string kind;  ///< "snapshot", "delta", "help_request", "order_result"
  TimePoint received_at;
  std::string payload;  ///< the serialized report body
};

const char* role_name(Role role);
std::optional<Role> parse_role(std::string_view text);
const char* session_kind_name(SessionKind kind);
const char* user_kind_name(UserKind kind);
std::optional<UserKind> parse_user_kind(std::string_view text);
const char* user_source_name(UserSource source);
std::optional<UserSource> parse_user_source(std::string_view text);

}  // namespace triage::collector
