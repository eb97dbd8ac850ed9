#include "collector/auth/ldap/ldap_settings.hpp"

namespace triage::collector {

namespace {

tl::unexpected<Error> bad_key(std::string_view key, std::string_view what) {
  return fail(ErrorCode::kInvalid,
              "config key `auth.ldap." + std::string(key) + "`: " + std::string(what));
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

Result<void> check_ldap_settings(const LdapSettings& s) {
  if (!s.enabled()) return {};
  const bool ldaps = starts_with(s.url, "ldaps://");
  if (!ldaps && !starts_with(s.url, "ldap://")) {
    return bad_key("url", "expected ldaps://HOST[:PORT] or ldap://HOST[:PORT] (with starttls)");
  }
  if (s.url.find_first_of(" \t") != std::string::npos) {
    return bad_key("url", "one directory URL (put a load balancer or DNS name in front of many)");
  }
  if (!ldaps && !s.starttls) {
    return bad_key("url",
                   "plain ldap:// would send passwords in clear: use ldaps:// or set "
                   "`starttls = true`");
  }
  if (ldaps && s.starttls) {
    return bad_key("starttls", "ldaps:// is TLS from the start: StartTLS is for ldap:// URLs");
  }
  if (s.ca_file.empty()) {
    return bad_key("ca_file", "the PEM file of the CA that issued the directory's certificate");
  }
  if (s.bind_dn.empty() || s.bind_password_file.empty()) {
    return bad_key(s.bind_dn.empty() ? "bind_dn" : "bind_password_file",
                   "the service account that searches the directory needs `bind_dn` and "
                   "`bind_password_file`");
  }
  if (s.user_base.empty()) return bad_key("user_base", "where people's entries are (a DN)");
  if (s.user_filter.find("{login}") == std::string::npos) {
    return bad_key("user_filter",
                   "must contain {login}, e.g. (&(objectClass=person)(uid={login}))");
  }
  if (!s.group_base.empty() && s.group_filter.find("{dn}") == std::string::npos &&
      s.group_filter.find("{login}") == std::string::npos) {
    return bad_key("group_filter", "must contain {dn} or {login}, e.g. (member={dn})");
  }
  if (s.group_base.empty() && s.member_of_attribute.empty()) {
    return bad_key("member_of_attribute", "give it (memberOf) or `group_base`");
  }
  bool any = false;
  for (const auto& groups : s.role_groups) any = any || !groups.empty();
  if (!any) {
    return bad_key("role_groups",
                   "map at least one group to a role (viewer, technician, senior, admin): "
                   "nobody could sign in");
  }
  return {};
}

}  // namespace triage::collector
