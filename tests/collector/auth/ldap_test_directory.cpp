#include "tests/collector/auth/ldap_test_directory.hpp"

#include <fstream>
#include <vector>

namespace triage::testing {

namespace {

const std::vector<std::string> kPeopleUids = {"vera", "tom",  "sam", "ada", "nora", "dora",
                                              "milo", "rita", "gil", "lou", "lena", "max"};

std::string ldif() {
  std::string out =
      "dn: ou=people,dc=example,dc=com\nobjectClass: organizationalUnit\nou: people\n\n"
      "dn: ou=groups,dc=example,dc=com\nobjectClass: organizationalUnit\nou: groups\n\n"
      "dn: " +
      std::string(LdapTestDirectory::kServiceDn) +
      "\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: triage-svc\n"
      "userPassword: service-secret-123\n\n";
  for (const auto& uid : kPeopleUids) {
    out += "dn: " + LdapTestDirectory::dn(uid) + "\nobjectClass: inetOrgPerson\nuid: " + uid +
           "\ncn: " + uid + "\nsn: " + uid + "\nuserPassword: " + LdapTestDirectory::password(uid) +
           "\n";
    if (uid == "dora") out += "employeeType: disabled\n";
    out += "\n";
  }
  const std::pair<const char*, std::vector<std::string>> groups[] = {
      {"helpdesk-l1", {"vera", "ada", "dora", "milo", "lou", "lena"}},
      {"helpdesk-l2", {"tom", "rita", "gil"}},
      {"helpdesk-l3", {"sam", "max"}},
      {"triage-admins", {"ada"}},
      {"canteen", {"nora", "vera"}}};
  for (const auto& [cn, members] : groups) {
    out += "dn: " + LdapTestDirectory::group(cn) + "\nobjectClass: groupOfNames\ncn: " + cn + "\n";
    for (const auto& m : members) out += "member: " + LdapTestDirectory::dn(m) + "\n";
    out += "\n";
  }
  return out;
}

}  // namespace

LdapTestDirectory& LdapTestDirectory::shared() {
  static LdapTestDirectory directory;
  return directory;
}

LdapTestDirectory::LdapTestDirectory() : server_(ldif()) {
  std::ofstream(server_.dir() / "bind-password") << "service-secret-123\n";
}

collector::LdapSettings LdapTestDirectory::settings() const {
  collector::LdapSettings s;
  s.url = server_.ldaps_url();
  s.ca_file = server_.ca_file().string();
  s.bind_dn = kServiceDn;
  s.bind_password_file = (server_.dir() / "bind-password").string();
  s.user_base = kPeople;
  s.user_filter = "(&(objectClass=inetOrgPerson)(uid={login})(!(employeeType=disabled)))";
  s.group_base = kGroups;
  s.group_filter = "(&(objectClass=groupOfNames)(member={dn}))";
  s.role_groups[static_cast<int>(collector::Role::kViewer)] = {group("helpdesk-l1")};
  // Written as an admin might copy it from another tool: case and spaces differ.
  s.role_groups[static_cast<int>(collector::Role::kTechnician)] = {
      "CN=Helpdesk-L2, OU=Groups, DC=example, DC=com"};
  s.role_groups[static_cast<int>(collector::Role::kSenior)] = {group("helpdesk-l3")};
  s.role_groups[static_cast<int>(collector::Role::kAdmin)] = {group("triage-admins")};
  s.timeout = std::chrono::milliseconds(5000);
  return s;
}

}  // namespace triage::testing
