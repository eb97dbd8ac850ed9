#pragma once
// The company directory (LDAP / Active Directory) as sign-in sees it: it checks a person's
// password and says which of the four roles their groups give them. The LDAP implementation
// lives in collector/auth/ldap/; this header knows nothing of LDAP's wire or library, so the
// sign-in rules are testable with any implementation.

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/storage/records.hpp"

namespace triage::collector {

/// What the directory answered about one account.
enum class DirectoryVerdict {
  kAccepted,     ///< the account exists, is enabled, (sign-in) the password is right, has a role
  kRejected,     ///< no such enabled account (the user filter excludes disabled ones) or a
                 ///< wrong password: the user hears "wrong user name or password"
  kNoRole,       ///< the account is fine but in none of the groups mapped to a role
  kUnavailable,  ///< the directory could not be asked: down, timed out, TLS refused, misconfigured
};

struct DirectoryAnswer {
  DirectoryVerdict verdict = DirectoryVerdict::kUnavailable;
  Role role = Role::kViewer;  ///< kAccepted: the highest role the account's groups map to
  std::string dn;             ///< the account's entry, when it was found
  /// For the log and the audit: what went wrong, naming the directory, never a password.
  std::string detail;
  int round_trips = 0;  ///< LDAP requests sent (StartTLS, binds, searches)
};

/// The group DNs mapped to each role, indexed by Role (viewer, technician, senior, admin).
using RoleGroups = std::array<std::vector<std::string>, 4>;

/// The highest role any of `groups` maps to (admin > senior > technician > viewer), nothing
/// when none is mapped. DNs compare as normalize_dn() makes them.
std::optional<Role> role_for_groups(const std::vector<std::string>& groups,
                                    const RoleGroups& role_groups);

/// A DN in a form to compare: lower case (ASCII), without the spaces around `,`, `=` and `+`
/// and at either end. "CN=Help Desk, OU=Groups,DC=example" -> "cn=help desk,ou=groups,dc=example".
std::string normalize_dn(std::string_view dn);

/// `value` escaped for an LDAP search filter (RFC 4515): `*` `(` `)` `\` and NUL as \2a \28
/// \29 \5c \00, so a login or DN never changes the filter's structure.
std::string escape_filter_value(std::string_view value);

/// `pattern` with every `{name}` replaced by escape_filter_value(value).
std::string fill_filter(std::string_view pattern, std::string_view name, std::string_view value);

/// A directory that people sign in with. Calls block (network round trips, each bounded by the
/// implementation's timeout): call them from the login pool or a REST worker, never from an
/// I/O thread. Thread-safe.
class Directory {
 public:
  virtual ~Directory() = default;

  /// Finds the account of `login` with the service account, checks `password` by binding as
  /// the account, reads its groups and maps them to a role. An empty password is kRejected
  /// before anything is sent (an LDAP bind with a DN and no password is an anonymous bind that
  /// "succeeds").
  virtual DirectoryAnswer sign_in(std::string_view login, std::string_view password) = 0;

  /// The same without the password: is the account still there, enabled, and which role do its
  /// groups give now (the recheck of open sessions).
  virtual DirectoryAnswer look_up(std::string_view login) = 0;

  /// Names the directory in logs and audit records ("ldaps://dc1.example.com:636").
  virtual const std::string& source() const = 0;

  /// How long a directory user's sessions and API tokens work before the directory is asked
  /// again.
  virtual std::chrono::seconds recheck_interval() const = 0;

  /// When the directory cannot be reached at a recheck: how much longer past
  /// recheck_interval() the sessions keep working before they are refused (fail closed).
  virtual std::chrono::seconds unreachable_grace() const = 0;
};

}  // namespace triage::collector
