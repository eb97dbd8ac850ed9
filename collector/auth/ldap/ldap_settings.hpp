#pragma once
// [auth.ldap] of the collector's configuration: which directory staff sign in with, how the
// collector reaches it (LDAPS, or LDAP with StartTLS; the directory's CA and host name are
// always checked), how it finds a person and their groups, and which groups give which role.

#include <chrono>
#include <string>

#include "collector/auth/directory.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

struct LdapSettings {
  /// "ldaps://dc1.example.com:636" or "ldap://dc1.example.com:389" with `starttls`; "" = no
  /// directory sign-in.
  std::string url;
  bool starttls = false;
  /// PEM file of the CA(s) that issued the directory's certificate.
  std::string ca_file;
  /// The service account that searches for people and their groups, and its password's file
  /// (read once at start; one line).
  std::string bind_dn;
  std::string bind_password_file;
  /// Where people are and how one is found: `{login}` is replaced by the name typed at sign-in,
  /// escaped as RFC 4515 says. The filter should exclude disabled accounts.
  std::string user_base;
  std::string user_filter;
  /// Groups found by a search under `group_base` with `group_filter` (`{dn}`: the person's
  /// entry, `{login}`: the name typed); with no `group_base`, the person's own
  /// `member_of_attribute` values (Active Directory's memberOf, OpenLDAP's memberof overlay).
  std::string group_base;
  std::string group_filter = "(member={dn})";
  std::string member_of_attribute = "memberOf";
  /// Group DNs mapped to each role; the highest role of a person's groups wins.
  RoleGroups role_groups;
  /// Bounds every connect, TLS handshake and request to the directory.
  std::chrono::milliseconds timeout{5000};
  /// A directory user's sessions and API tokens are checked against the directory again when
  /// used this long after the last check.
  std::chrono::seconds recheck{300};
  /// When the directory is unreachable at a recheck, sessions keep working this much longer,
  /// then are refused until the directory answers again.
  std::chrono::seconds unreachable_grace{600};

  bool enabled() const { return !url.empty(); }
};

/// Checks what the keys mean together, naming the key (`auth.ldap.url` ...): plain ldap://
/// without `starttls` is refused, as are a missing CA file, bind DN, password file, user base
/// or a user filter without `{login}`, and a mapping of no group at all.
Result<void> check_ldap_settings(const LdapSettings& settings);

}  // namespace triage::collector
