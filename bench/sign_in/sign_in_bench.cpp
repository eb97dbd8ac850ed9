// Sign-in latency per method, through the login guard as the login route runs it (throttles,
// lockout, password or directory check, the account and the session in SQLite), without the
// HTTPS hop to the collector:
//   local     a local account's scrypt password check
//   ldaps     the company directory over LDAPS, groups by a search
//   starttls  the company directory over LDAP + StartTLS, groups from memberOf
// against a real OpenLDAP slapd the bench starts on 127.0.0.1 (tests/support/slapd_server.hpp).
// Prints p50/p99/max per method and the directory round trips of one sign-in.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

#include <CLI/CLI.hpp>

#include "collector/auth/accounts.hpp"
#include "collector/auth/ldap/ldap_directory.hpp"
#include "collector/auth/login_guard.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "tests/support/slapd_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace tc = triage::collector;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kPassword = "bench-password-123";

std::string directory_ldif() {
  return "dn: ou=people,dc=example,dc=com\nobjectClass: organizationalUnit\nou: people\n\n"
         "dn: ou=groups,dc=example,dc=com\nobjectClass: organizationalUnit\nou: groups\n\n"
         "dn: cn=svc,dc=example,dc=com\nobjectClass: organizationalRole\n"
         "objectClass: simpleSecurityObject\ncn: svc\nuserPassword: svc-password-123\n\n"
         "dn: uid=bench,ou=people,dc=example,dc=com\nobjectClass: inetOrgPerson\nuid: bench\n"
         "cn: bench\nsn: bench\nuserPassword: " +
         std::string(kPassword) +
         "\n\n"
         "dn: cn=l2,ou=groups,dc=example,dc=com\nobjectClass: groupOfNames\ncn: l2\n"
         "member: uid=bench,ou=people,dc=example,dc=com\n";
}

struct Stats {
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
};

Stats stats(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[std::min(ms.size() - 1,
                       static_cast<std::size_t>(q * static_cast<double>(ms.size())))];
  };
  return {at(0.50), at(0.99), ms.back()};
}

// `count` sign-ins of `name` through `guard`, each timed.
std::vector<double> run(tc::LoginGuard& guard, tc::Store& store, const std::string& name,
                        int count) {
  std::vector<double> ms;
  for (int i = 0; i < count; ++i) {
    tc::LoginAttempt attempt;
    attempt.name = name;
    attempt.password = kPassword;
    attempt.client = "127.0.0.1";
    const auto start = Clock::now();
    auto r = guard.login(store, attempt, std::chrono::system_clock::now());
    const auto took = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (!r) {
      std::fprintf(stderr, "sign-in of %s failed: %s\n", name.c_str(),
                   r.error().error.message.c_str());
      std::exit(1);
    }
    ms.push_back(took);
  }
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sign-in latency per method against a real slapd"};
  int count = 200;
  app.add_option("--count", count, "sign-ins per method")->check(CLI::Range(10, 100000));
  CLI11_PARSE(app, argc, argv);

  triage::testing::SlapdServer slapd(directory_ldif());
  triage::testing::TempDir dir;
  std::ofstream(dir.path() / "svc-password") << "svc-password-123\n";
  auto store = std::move(*tc::SqliteStore::open((dir.path() / "c.db").string()));
  if (!tc::create_user(*store, "local", tc::Role::kTechnician, kPassword,
                       std::chrono::system_clock::now())) {
    std::fprintf(stderr, "cannot create the local user\n");
    return 1;
  }

  tc::LdapSettings ldaps;
  ldaps.url = slapd.ldaps_url();
  ldaps.ca_file = slapd.ca_file().string();
  ldaps.bind_dn = "cn=svc,dc=example,dc=com";
  ldaps.bind_password_file = (dir.path() / "svc-password").string();
  ldaps.user_base = "ou=people,dc=example,dc=com";
  ldaps.user_filter = "(&(objectClass=inetOrgPerson)(uid={login}))";
  ldaps.group_base = "ou=groups,dc=example,dc=com";
  ldaps.role_groups[static_cast<int>(tc::Role::kTechnician)] = {
      "cn=l2,ou=groups,dc=example,dc=com"};
  auto starttls = ldaps;
  starttls.url = slapd.ldap_url();
  starttls.starttls = true;
  starttls.group_base.clear();

  std::printf("%-9s %6s %9s %9s %9s %12s\n", "method", "count", "p50_ms", "p99_ms", "max_ms",
              "round_trips");
  {
    tc::LoginGuard guard(tc::LoginSettings{});
    auto s = stats(run(guard, *store, "local", count));
    std::printf("%-9s %6d %9.2f %9.2f %9.2f %12s\n", "local", count, s.p50_ms, s.p99_ms, s.max_ms,
                "-");
  }
  for (const auto& [label, settings] :
       {std::pair{"ldaps", ldaps}, std::pair{"starttls", starttls}}) {
    auto opened = tc::LdapDirectory::open(settings);
    if (!opened) {
      std::fprintf(stderr, "%s\n", opened.error().message.c_str());
      return 1;
    }
    std::shared_ptr<tc::Directory> directory = std::move(*opened);
    const int trips = directory->sign_in("bench", kPassword).round_trips;
    tc::LoginGuard guard(tc::LoginSettings{}, directory);
    auto s = stats(run(guard, *store, "bench", count));
    std::printf("%-9s %6d %9.2f %9.2f %9.2f %12d\n", label, count, s.p50_ms, s.p99_ms, s.max_ms,
                trips);
  }
  return 0;
}
