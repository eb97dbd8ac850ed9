#pragma once
// The company directory of the LDAP tests: one slapd per test process (SlapdServer) holding
// people and the groups of the four roles, and the [auth.ldap] settings that reach it.
//
// People (uid under ou=people; password: password(uid)):
//   vera (helpdesk-l1: viewer), tom (helpdesk-l2: technician), sam (helpdesk-l3: senior),
//   ada (helpdesk-l1 and triage-admins: admin), nora (only in an unmapped group),
//   dora (helpdesk-l1 but disabled: employeeType=disabled, which the user filter excludes),
//   and people the API tests change: milo (l1), rita (l2), gil (l2), lou (l1), lena (l1; also a
//   local account in the tests that use her), max (l3).

#include <string>

#include "collector/auth/ldap/ldap_settings.hpp"
#include "tests/support/slapd_server.hpp"

namespace triage::testing {

class LdapTestDirectory {
 public:
  static constexpr const char* kServiceDn = "cn=triage-svc,dc=example,dc=com";
  static constexpr const char* kPeople = "ou=people,dc=example,dc=com";
  static constexpr const char* kGroups = "ou=groups,dc=example,dc=com";

  /// The one directory of this test process, started on first use.
  static LdapTestDirectory& shared();

  static std::string password(const std::string& uid) { return "pw-" + uid + "-directory"; }
  static std::string dn(const std::string& uid) { return "uid=" + uid + "," + kPeople; }
  static std::string group(const std::string& cn) { return "cn=" + cn + "," + kGroups; }

  /// LDAPS with the right CA, groups by search under ou=groups, a 300 s recheck.
  collector::LdapSettings settings() const;
  SlapdServer& server() { return server_; }

 private:
  LdapTestDirectory();
  SlapdServer server_;
};

}  // namespace triage::testing
