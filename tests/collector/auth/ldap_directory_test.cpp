// Staff sign-in with the company directory: the pure rules (filter escaping, DN comparison, role
// precedence) and LdapDirectory against a real OpenLDAP slapd started by the
// test (tests/support/slapd_server.hpp): LDAPS and StartTLS, the CA and host name checks, groups
// by search and by memberOf, disabled and group-less people, a directory down or silent.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "collector/auth/directory.hpp"
#include "collector/auth/ldap/ldap_directory.hpp"
#include "tests/collector/auth/ldap_test_directory.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::collector;
using triage::testing::LdapTestDirectory;

namespace {

std::unique_ptr<LdapDirectory> open_directory(const LdapSettings& settings) {
  auto opened = LdapDirectory::open(settings);
  if (!opened) FAIL(opened.error().message);
  return std::move(*opened);
}

// A TCP port that accepts connections (the kernel's backlog) and never says a word.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(fd_, 8) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("cannot open a silent listener");
    }
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace

TEST_CASE("a login or DN never changes the structure of an LDAP filter (RFC 4515)", "[ldap]") {
  CHECK(escape_filter_value("alice") == "alice");
  CHECK(escape_filter_value("*") == "\\2a");
  CHECK(escape_filter_value("a)(uid=*") == "a\\29\\28uid=\\2a");
  CHECK(escape_filter_value("back\\slash") == "back\\5cslash");
  CHECK(escape_filter_value(std::string("nul\0x", 5)) == "nul\\00x");
  CHECK(fill_filter("(&(uid={login})(cn={login}))", "login", "a*") == "(&(uid=a\\2a)(cn=a\\2a))");
  CHECK(fill_filter("(member={dn})", "dn", "cn=O\\, Brien,dc=x") ==
        "(member=cn=O\\5c, Brien,dc=x)");
  CHECK(fill_filter("(objectClass=person)", "login", "x") == "(objectClass=person)");
}

TEST_CASE("group DNs compare without case and without spaces around separators", "[ldap]") {
  CHECK(normalize_dn("CN=Help Desk, OU=Groups ,DC=Example") == "cn=help desk,ou=groups,dc=example");
  CHECK(normalize_dn("  cn = a + sn = b ,dc=x  ") == "cn=a+sn=b,dc=x");
  CHECK(normalize_dn("cn=two  spaces,dc=x") == "cn=two spaces,dc=x");
}

TEST_CASE("the highest role among a person's groups wins", "[ldap]") {
  RoleGroups groups;
  groups[static_cast<int>(Role::kViewer)] = {"cn=l1,dc=x"};
  groups[static_cast<int>(Role::kTechnician)] = {"cn=l2,dc=x", "cn=l2b,dc=x"};
  groups[static_cast<int>(Role::kSenior)] = {"cn=l3,dc=x"};
  groups[static_cast<int>(Role::kAdmin)] = {"CN=Admins, DC=x"};
  CHECK(role_for_groups({"cn=l1,dc=x"}, groups) == Role::kViewer);
  CHECK(role_for_groups({"cn=l1,dc=x", "cn=L2B,DC=X"}, groups) == Role::kTechnician);
  CHECK(role_for_groups({"cn=l3,dc=x", "cn=l1,dc=x"}, groups) == Role::kSenior);
  CHECK(role_for_groups({"cn=l1,dc=x", "cn=admins,dc=x", "cn=l3,dc=x"}, groups) == Role::kAdmin);
  CHECK_FALSE(role_for_groups({"cn=other,dc=x"}, groups));
  CHECK_FALSE(role_for_groups({}, groups));
}

TEST_CASE("LdapDirectory against a real slapd", "[ldap][integration]") {
  auto& dir = LdapTestDirectory::shared();
  auto settings = dir.settings();

  SECTION("each role through a group search over LDAPS, in as few round trips as promised") {
    auto directory = open_directory(settings);
    const std::pair<const char*, Role> people[] = {{"vera", Role::kViewer},
                                                   {"tom", Role::kTechnician},
                                                   {"sam", Role::kSenior},
                                                   {"ada", Role::kAdmin}};
    for (const auto& [login, role] : people) {
      INFO(login);
      auto a = directory->sign_in(login, LdapTestDirectory::password(login));
      CHECK(a.verdict == DirectoryVerdict::kAccepted);
      CHECK(a.role == role);
      CHECK(a.dn == LdapTestDirectory::dn(login));
      // service bind + user search + group search + user bind
      CHECK(a.round_trips == 4);
      auto again = directory->look_up(login);
      CHECK(again.verdict == DirectoryVerdict::kAccepted);
      CHECK(again.role == role);
      CHECK(again.round_trips == 3);
    }
  }
  SECTION("each role through memberOf over LDAP with StartTLS") {
    settings.url = dir.server().ldap_url();
    settings.starttls = true;
    settings.group_base.clear();
    auto directory = open_directory(settings);
    auto a = directory->sign_in("ada", LdapTestDirectory::password("ada"));
    CHECK(a.verdict == DirectoryVerdict::kAccepted);
    CHECK(a.role == Role::kAdmin);
    CHECK(a.round_trips == 4);  // StartTLS + service bind + user search + user bind
    CHECK(directory->sign_in("tom", LdapTestDirectory::password("tom")).role == Role::kTechnician);
  }
  SECTION("a wrong password, an unknown name and a disabled person are refused alike") {
    auto directory = open_directory(settings);
    CHECK(directory->sign_in("vera", "not-her-password").verdict == DirectoryVerdict::kRejected);
    CHECK(directory->sign_in("nobody", "whatever-password").verdict == DirectoryVerdict::kRejected);
    CHECK(directory->sign_in("dora", LdapTestDirectory::password("dora")).verdict ==
          DirectoryVerdict::kRejected);
    CHECK(directory->look_up("dora").verdict == DirectoryVerdict::kRejected);
    // A filter injection finds nobody rather than everybody.
    CHECK(directory->sign_in("*", "whatever-password").verdict == DirectoryVerdict::kRejected);
  }
  SECTION("an empty password never reaches the directory") {
    auto directory = open_directory(settings);
    auto a = directory->sign_in("vera", "");
    CHECK(a.verdict == DirectoryVerdict::kRejected);
    CHECK(a.round_trips == 0);
  }
  SECTION("a person in no mapped group has no role") {
    auto directory = open_directory(settings);
    auto a = directory->sign_in("nora", LdapTestDirectory::password("nora"));
    CHECK(a.verdict == DirectoryVerdict::kNoRole);
    // The password is checked first: a wrong one is a wrong password, not "no role".
    CHECK(directory->sign_in("nora", "not-her-password").verdict == DirectoryVerdict::kRejected);
  }
  SECTION("a directory certificate from another CA is refused") {
    settings.ca_file = dir.server().other_ca_file().string();
    auto directory = open_directory(settings);
    auto a = directory->sign_in("vera", LdapTestDirectory::password("vera"));
    CHECK(a.verdict == DirectoryVerdict::kUnavailable);
    CHECK(a.round_trips == 1);  // the service bind that never got through TLS
    settings.url = dir.server().ldap_url();
    settings.starttls = true;
    auto starttls = open_directory(settings)->sign_in("vera", LdapTestDirectory::password("vera"));
    CHECK(starttls.verdict == DirectoryVerdict::kUnavailable);
    CHECK_THAT(starttls.detail, Catch::Contains("StartTLS"));
  }
  SECTION("a certificate for another host name is refused") {
    // The certificate names 127.0.0.1 and directory.test, not localhost.
    settings.url = "ldaps://localhost:" + std::to_string(dir.server().ldaps_port());
    auto a = open_directory(settings)->sign_in("vera", LdapTestDirectory::password("vera"));
    CHECK(a.verdict == DirectoryVerdict::kUnavailable);
  }
  SECTION("a directory that is down or silent is unavailable, not a wrong password") {
    settings.url = "ldaps://127.0.0.1:" + std::to_string(testing::free_loopback_port());
    auto down = open_directory(settings)->sign_in("vera", LdapTestDirectory::password("vera"));
    CHECK(down.verdict == DirectoryVerdict::kUnavailable);
    CHECK_THAT(down.detail, Catch::Contains(settings.url));

    SilentListener silent;
    settings.timeout = std::chrono::milliseconds(300);
    settings.url = "ldap://127.0.0.1:" + std::to_string(silent.port());
    settings.starttls = true;
    CHECK(open_directory(settings)->look_up("vera").verdict == DirectoryVerdict::kUnavailable);
    settings.url = "ldaps://127.0.0.1:" + std::to_string(silent.port());
    settings.starttls = false;
    CHECK(open_directory(settings)->look_up("vera").verdict == DirectoryVerdict::kUnavailable);
  }
  SECTION("a wrong service account password is the configuration's fault") {
    const auto file = dir.server().dir() / "wrong-bind-password";
    std::ofstream(file) << "not-the-service-password\n";
    settings.bind_password_file = file.string();
    auto a = open_directory(settings)->sign_in("vera", LdapTestDirectory::password("vera"));
    CHECK(a.verdict == DirectoryVerdict::kUnavailable);
    CHECK_THAT(a.detail, Catch::Contains("bind_password_file"));
  }
  SECTION("open() checks the files it needs") {
    settings.ca_file = (dir.server().dir() / "missing.pem").string();
    auto refused = LdapDirectory::open(settings);
    REQUIRE_FALSE(refused);
    CHECK_THAT(refused.error().message, Catch::Contains("auth.ldap.ca_file"));
    settings = dir.settings();
    settings.bind_password_file = (dir.server().dir() / "missing-password").string();
    refused = LdapDirectory::open(settings);
    REQUIRE_FALSE(refused);
    CHECK_THAT(refused.error().message, Catch::Contains("auth.ldap.bind_password_file"));
  }
}
