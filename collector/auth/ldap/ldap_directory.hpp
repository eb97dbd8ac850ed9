#pragma once
// The company directory over LDAP (OpenLDAP's libldap): LDAPS or LDAP with StartTLS, the
// certificate checked against the configured CA and the host name, TLS 1.2 at least. Each call
// opens its own connection (sign-ins are rare next to their TLS handshake; nothing is shared
// between threads) bounded by the configured timeout at each step.
//
// Round trips: sign-in = [StartTLS] + service bind + user search + [group search] + user bind;
// recheck = the same without the user bind.

#include <memory>
#include <string>
#include <utility>

#include "collector/auth/directory.hpp"
#include "collector/auth/ldap/ldap_settings.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

class LdapDirectory final : public Directory {
 public:
  /// Checks `settings` (check_ldap_settings), the CA file and reads the service account's
  /// password file (its first line). Talks to no server: a directory that is down at start
  /// only fails sign-ins.
  static Result<std::unique_ptr<LdapDirectory>> open(LdapSettings settings);

  DirectoryAnswer sign_in(std::string_view login, std::string_view password) override;
  DirectoryAnswer look_up(std::string_view login) override;
  const std::string& source() const override { return settings_.url; }
  std::chrono::seconds recheck_interval() const override { return settings_.recheck; }
  std::chrono::seconds unreachable_grace() const override { return settings_.unreachable_grace; }

 private:
  LdapDirectory(LdapSettings settings, std::string bind_password)
      : settings_(std::move(settings)), bind_password_(std::move(bind_password)) {}

  /// sign_in() with a password, look_up() without.
  DirectoryAnswer ask(std::string_view login, const std::string_view* password);

  LdapSettings settings_;
  std::string bind_password_;
};

}  // namespace triage::collector
