// [auth.ldap] in the collector's config, and sign-in with the company directory through the REST
// API (the router, the login handler, the login guard, the store and the audit log as the collector
// wires them) against a real slapd: roles, first-sign-in accounts, the lockout, refusals and their
// audit, local accounts that win, and the recheck that ends the sessions of a person disabled or
// ungrouped in the directory.

#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "collector/api/api_router.hpp"
#include "collector/audit/audit_log.hpp"
#include "collector/auth/accounts.hpp"
#include "collector/auth/ldap/ldap_directory.hpp"
#include "collector/enrollment/enrollment_service.hpp"
#include "collector/metrics/collector_metrics.hpp"
#include "collector/server/collector_config.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "collector/tickets/ticket_service.hpp"
#include "shared/pki/secrets.hpp"
#include "tests/collector/auth/ldap_test_directory.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/recorded_agent_channel.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::collector;
using triage::testing::LdapTestDirectory;

namespace {

class NoEnrichment final : public EnrichmentScheduler {
 public:
  void enrich(std::int64_t, const std::string&, const std::string&) override {}
};

struct Answer {
  int status = 0;
  nlohmann::json body;
};

// The collector's API over a fresh SQLite store, signing staff in with `settings`' directory.
struct World {
  testing::TempDir dir;
  std::unique_ptr<SqliteStore> store;
  testing::RecordedAgentChannel agents;
  CollectorMetrics metrics;
  NoEnrichment enrichment;
  std::unique_ptr<EnrollmentService> enrollment;
  std::unique_ptr<TicketService> tickets;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<ApiRouter> router;
  transport::PeerIdentity peer;

  explicit World(const LdapSettings& settings) {
    store = std::move(*SqliteStore::open((dir.path() / "c.db").string()));
    enrollment = std::make_unique<EnrollmentService>(*store, nullptr, nullptr, "");
    tickets = std::make_unique<TicketService>(*store, SlaPolicy{}, &enrichment);
    audit = std::make_unique<AuditLog>(*store);
    peer.remote_address = "127.0.0.1";
    use_directory(settings);
  }

  // A router as a collector restarted with `settings` would have (same store).
  void use_directory(const LdapSettings& settings) {
    auto opened = LdapDirectory::open(settings);
    REQUIRE(opened);
    ApiServices services{*store, agents, *enrollment, metrics, *tickets, enrichment, *audit, {}};
    services.directory = std::move(*opened);
    router = std::make_unique<ApiRouter>(std::move(services));
  }

  Answer call(http::verb method, const std::string& target, const std::string& token,
              const nlohmann::json& body = nullptr) {
    HttpRequest req{method, target, 11};
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    if (!body.is_null()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body.dump();
    }
    req.prepare_payload();
    auto res = router->handle(req, peer);
    Answer a;
    a.status = static_cast<int>(res.result_int());
    a.body = res.body().empty() ? nlohmann::json() : nlohmann::json::parse(res.body());
    return a;
  }

  Answer login(const std::string& name, const std::string& password) {
    return call(http::verb::post, "/api/v1/auth/login", "",
                {{"name", name}, {"password", password}});
  }

  // Signs `uid` in with their directory password; the bearer token.
  std::string token_of(const std::string& uid) {
    auto a = login(uid, LdapTestDirectory::password(uid));
    REQUIRE(a.status == 200);
    return a.body["token"].get<std::string>();
  }

  std::vector<AuditRecord> audit_of(const std::string& type) {
    AuditFilter filter;
    filter.type_prefix = type;
    auto page = store->read().audit().list_audit(filter);
    REQUIRE(page);
    return page->items;
  }

  std::optional<User> user(const std::string& name) {
    auto found = store->read().auth().find_user_by_name(name);
    REQUIRE(found);
    return *found;
  }
};

nlohmann::json details(const AuditRecord& r) { return nlohmann::json::parse(r.details); }

Result<CollectorConfig> load(const std::string& text) {
  testing::TempDir dir;
  auto path = dir.path() / "c.toml";
  std::ofstream(path) << text;
  return load_collector_config(path);
}

}  // namespace

TEST_CASE("[auth.ldap] is read whole and refuses what would be unsafe or useless",
          "[ldap][config]") {
  const std::string ad = R"toml(
[auth.ldap]
url = "ldaps://dc1.example.com:636"
ca_file = "/etc/triage/directory-ca.pem"
bind_dn = "CN=triage-svc,OU=Service Accounts,DC=example,DC=com"
bind_password_file = "/etc/triage/ldap-bind-password"
user_base = "OU=Staff,DC=example,DC=com"
user_filter = "(&(objectClass=user)(sAMAccountName={login})(!(userAccountControl:1.2.840.113556.1.4.803:=2)))"
timeout_ms = 3000
recheck_seconds = 120
unreachable_grace_seconds = 60

[auth.ldap.role_groups]
viewer = ["CN=Helpdesk L1,OU=Groups,DC=example,DC=com"]
admin = ["CN=Triage Admins,OU=Groups,DC=example,DC=com"]
)toml";
  auto config = load(ad);
  REQUIRE(config);
  const auto& l = config->ldap;
  CHECK(l.enabled());
  CHECK(l.url == "ldaps://dc1.example.com:636");
  CHECK_FALSE(l.starttls);
  CHECK(l.group_base.empty());
  CHECK(l.member_of_attribute == "memberOf");
  CHECK(l.timeout == std::chrono::milliseconds(3000));
  CHECK(l.recheck == std::chrono::seconds(120));
  CHECK(l.unreachable_grace == std::chrono::seconds(60));
  CHECK(l.role_groups[static_cast<int>(Role::kAdmin)] ==
        std::vector<std::string>{"CN=Triage Admins,OU=Groups,DC=example,DC=com"});
  CHECK(l.role_groups[static_cast<int>(Role::kSenior)].empty());

  SECTION("defaults: no directory, a 300 s recheck") {
    auto plain = load("");
    REQUIRE(plain);
    CHECK_FALSE(plain->ldap.enabled());
    CHECK(plain->ldap.recheck == std::chrono::seconds(300));
  }
  SECTION("plain ldap:// without StartTLS is refused at start") {
    std::string text = ad;
    text.replace(text.find("ldaps://dc1.example.com:636"), 27, "ldap://dc1.example.com:389");
    auto refused = load(text);
    REQUIRE_FALSE(refused);
    CHECK_THAT(refused.error().message,
               Catch::Contains("auth.ldap.url") && Catch::Contains("starttls = true"));
    text.replace(text.find("timeout_ms"), 0, "starttls = true\n");
    CHECK(load(text));
  }
  SECTION("a user filter without {login} is refused") {
    std::string text = ad;
    text.replace(text.find("{login}"), 7, "alice");
    auto refused = load(text);
    REQUIRE_FALSE(refused);
    CHECK_THAT(refused.error().message, Catch::Contains("auth.ldap.user_filter"));
  }
  SECTION("a role that is not one of the four is refused") {
    auto refused = load(ad + "superuser = [\"CN=x,DC=y\"]\n");
    REQUIRE_FALSE(refused);
    CHECK_THAT(refused.error().message, Catch::Contains("superuser"));
  }
}

TEST_CASE("staff sign in with the company directory through the API", "[ldap][integration]") {
  auto& directory = LdapTestDirectory::shared();
  auto settings = directory.settings();

  SECTION("each role; the account is made at the first sign-in; the audit names the method") {
    World w(settings);
    const std::pair<const char*, const char*> people[] = {
        {"vera", "viewer"}, {"tom", "technician"}, {"sam", "senior"}, {"ada", "admin"}};
    for (const auto& [uid, role] : people) {
      INFO(uid);
      auto a = w.login(uid, LdapTestDirectory::password(uid));
      REQUIRE(a.status == 200);
      CHECK(a.body["user"]["role"] == role);
      CHECK(a.body["user"]["source"] == "ldap");
      CHECK(a.body["user"]["totp_enabled"] == false);
      auto me = w.call(http::verb::get, "/api/v1/auth/me", a.body["token"].get<std::string>());
      CHECK(me.status == 200);
      CHECK(me.body["user"]["role"] == role);
      auto stored = w.user(uid);
      REQUIRE(stored);
      CHECK(stored->source == UserSource::kLdap);
      CHECK(stored->password_hash.empty());
    }
    // The admin sees the directory's people in the user list.
    auto users = w.call(http::verb::get, "/api/v1/users", w.token_of("ada"));
    REQUIRE(users.status == 200);
    CHECK(users.body["users"].size() == 4);

    auto records = w.audit_of("auth.login.succeeded");
    REQUIRE(records.size() == 5);
    // Newest first: ada's second sign-in, then the four first ones.
    auto second = details(records[0]);
    CHECK(second["method"] == "ldap");
    CHECK(second["directory"] == settings.url);
    CHECK_FALSE(second.contains("provisioned"));
    auto first = details(records[1]);
    CHECK(first["method"] == "ldap");
    CHECK(first["provisioned"] == true);
    CHECK(first["role"] == "admin");
    for (const auto& r : records) {
      CHECK(r.details.find(LdapTestDirectory::password("ada")) == std::string::npos);
      CHECK(r.details.find("service-secret-123") == std::string::npos);
    }
  }

  SECTION("names differ only in case: one account, one lockout count") {
    World w(settings);
    CHECK(w.login("Vera", LdapTestDirectory::password("vera")).status == 200);
    CHECK(w.login("vera", LdapTestDirectory::password("vera")).status == 200);
    CHECK(w.user("vera"));
    CHECK_FALSE(w.user("Vera"));
  }

  SECTION("wrong passwords count toward the lockout, however the name is written") {
    World w(settings);
    for (const char* name : {"lou", "LOU", "Lou", "lou"}) {
      auto a = w.login(name, "not-lous-password");
      CHECK(a.status == 401);
      CHECK(a.body["error"]["message"] == "wrong user name or password");
    }
    auto fifth = w.login("lou", "not-lous-password");
    CHECK(fifth.status == 429);
    // Locked: even the right password is refused, without asking the directory.
    CHECK(w.login("lou", LdapTestDirectory::password("lou")).status == 429);
    auto failed = w.audit_of("auth.login.failed");
    REQUIRE(failed.size() == 4);
    CHECK(details(failed[0])["method"] == "ldap");
    CHECK(w.audit_of("auth.lockout").size() == 1);
  }

  SECTION("an empty password is refused and counted") {
    World w(settings);
    auto a = w.login("vera", "");
    CHECK(a.status == 401);
    CHECK_FALSE(w.user("vera"));
    REQUIRE(w.audit_of("auth.login.failed").size() == 1);
  }

  SECTION("a person in no mapped group, or disabled in the directory, cannot sign in") {
    World w(settings);
    auto nora = w.login("nora", LdapTestDirectory::password("nora"));
    CHECK(nora.status == 403);
    CHECK(nora.body["error"]["code"] == "no_role");
    CHECK_FALSE(w.user("nora"));
    auto dora = w.login("dora", LdapTestDirectory::password("dora"));
    CHECK(dora.status == 401);
    auto failed = w.audit_of("auth.login.failed");
    REQUIRE(failed.size() == 2);
    CHECK(details(failed[1])["reason"] == "in no group mapped to a role");
    CHECK(details(failed[1])["method"] == "ldap");
  }

  SECTION("moving a person to another group changes their role at the next sign-in") {
    World w(settings);
    CHECK(w.login("milo", LdapTestDirectory::password("milo")).body["user"]["role"] == "viewer");
    auto& slapd = directory.server();
    slapd.change_value(LdapTestDirectory::group("helpdesk-l1"), "member",
                       LdapTestDirectory::dn("milo"), false);
    slapd.change_value(LdapTestDirectory::group("helpdesk-l2"), "member",
                       LdapTestDirectory::dn("milo"), true);
    auto again = w.login("milo", LdapTestDirectory::password("milo"));
    CHECK(again.body["user"]["role"] == "technician");
    CHECK(w.user("milo")->role == Role::kTechnician);
    auto last = details(w.audit_of("auth.login.succeeded")[0]);
    CHECK(last["role_before"] == "viewer");
    CHECK(last["role"] == "technician");
  }

  SECTION("a local account of the same name wins: the directory is never asked for it") {
    World w(settings);
    REQUIRE(create_user(*w.store, "lena", Role::kViewer, "local-password-123",
                        std::chrono::system_clock::now()));
    CHECK(w.login("lena", LdapTestDirectory::password("lena")).status == 401);
    auto local = w.login("lena", "local-password-123");
    REQUIRE(local.status == 200);
    CHECK(local.body["user"]["source"] == "local");
    CHECK(details(w.audit_of("auth.login.succeeded")[0])["method"] == "password");
  }

  SECTION("a directory person has no password, second factor or role to set here") {
    World w(settings);
    const auto max = w.token_of("max");
    auto change = w.call(http::verb::post, "/api/v1/me/password", max,
                         {{"current_password", LdapTestDirectory::password("max")},
                          {"new_password", "another-password-123"}});
    CHECK(change.status == 403);
    CHECK(w.call(http::verb::post, "/api/v1/me/totp", max,
                 {{"current_password", LdapTestDirectory::password("max")}})
              .status == 403);
    const auto ada = w.token_of("ada");
    CHECK(
        w.call(http::verb::post, "/api/v1/users/max/reset-password", ada, nlohmann::json::object())
            .status == 400);
    const auto id = std::to_string(w.user("max")->id);
    CHECK(w.call(http::verb::patch, "/api/v1/users/" + id, ada, {{"role", "admin"}}).status == 400);
    // Disabling here still works, and wins over the directory.
    CHECK(w.call(http::verb::patch, "/api/v1/users/" + id, ada, {{"disabled", true}}).status ==
          200);
    CHECK(w.login("max", LdapTestDirectory::password("max")).status == 401);
  }

  SECTION("a directory that cannot be reached is said so, not taken for a wrong password") {
    settings.url = "ldaps://127.0.0.1:" + std::to_string(testing::free_loopback_port());
    World w(settings);
    auto a = w.login("vera", LdapTestDirectory::password("vera"));
    CHECK(a.status == 503);
    CHECK(a.body["error"]["code"] == "directory_unavailable");
    auto failed = w.audit_of("auth.login.failed");
    REQUIRE(failed.size() == 1);
    CHECK(details(failed[0])["reason"] == "directory unreachable");
    // Not counted toward the lockout: the person did nothing wrong.
    auto throttle = w.store->read().auth().find_login_throttle("vera");
    REQUIRE(throttle);
    CHECK_FALSE(*throttle);
  }

  SECTION("disabled in the directory: sessions and API tokens end within the recheck") {
    settings.recheck = std::chrono::seconds(1);
    World w(settings);
    const auto session = w.token_of("rita");
    auto minted =
        w.call(http::verb::post, "/api/v1/auth/tokens", session, {{"name", "rita-script"}});
    REQUIRE(minted.status == 201);
    const auto api_token = minted.body["token"].get<std::string>();
    CHECK(w.call(http::verb::get, "/api/v1/auth/me", session).status == 200);

    directory.server().replace(LdapTestDirectory::dn("rita"), "employeeType", "disabled");
    CHECK(testing::eventually(
        [&] { return w.call(http::verb::get, "/api/v1/auth/me", session).status == 401; }));
    CHECK(w.call(http::verb::get, "/api/v1/auth/me", api_token).status == 401);
    auto ended = w.audit_of("auth.directory.revoked");
    REQUIRE(ended.size() == 1);
    CHECK(ended[0].target == "user:rita");
    CHECK(details(ended[0])["reason"] == "not found or disabled in the directory");
    CHECK(w.login("rita", LdapTestDirectory::password("rita")).status == 401);
  }

  SECTION("removed from every mapped group: sessions end within the recheck") {
    settings.recheck = std::chrono::seconds(1);
    World w(settings);
    const auto session = w.token_of("gil");
    directory.server().change_value(LdapTestDirectory::group("helpdesk-l2"), "member",
                                    LdapTestDirectory::dn("gil"), false);
    CHECK(testing::eventually(
        [&] { return w.call(http::verb::get, "/api/v1/auth/me", session).status == 401; }));
    auto ended = w.audit_of("auth.directory.revoked");
    REQUIRE(ended.size() == 1);
    CHECK(details(ended[0])["reason"] == "in no group mapped to a role");
    CHECK(w.login("gil", LdapTestDirectory::password("gil")).status == 403);
  }

  SECTION("directory down at a recheck: sessions work through the grace, then fail closed") {
    World w(settings);
    const auto session = w.token_of("tom");
    const auto id = w.user("tom")->id;
    // The directory last confirmed tom `age` ago.
    const auto checked = [&](std::chrono::seconds age) {
      REQUIRE(w.store->write([&](WriteTx& tx) {
        return tx.auth().record_directory_check(id, Role::kTechnician,
                                                std::chrono::system_clock::now() - age);
      }));
    };
    auto down = settings;
    down.url = "ldaps://127.0.0.1:" + std::to_string(testing::free_loopback_port());
    down.recheck = std::chrono::seconds(60);
    down.unreachable_grace = std::chrono::seconds(600);
    w.use_directory(down);
    checked(std::chrono::seconds(120));
    CHECK(w.call(http::verb::get, "/api/v1/auth/me", session).status == 200);
    checked(std::chrono::seconds(1000));
    auto refused = w.call(http::verb::get, "/api/v1/auth/me", session);
    CHECK(refused.status == 503);
    CHECK(refused.body["error"]["code"] == "directory_unavailable");
    // Nothing was ended: once the directory answers again, the session works again.
    auto stored = w.store->read().auth().find_session(pki::sha256_hex(session),
                                                      std::chrono::system_clock::now());
    REQUIRE(stored);
    CHECK(*stored);
    CHECK(w.audit_of("auth.directory.revoked").empty());
    auto up = settings;
    up.recheck = std::chrono::seconds(60);
    w.use_directory(up);
    CHECK(w.call(http::verb::get, "/api/v1/auth/me", session).status == 200);
    const auto confirmed = w.user("tom")->directory_checked_at;
    REQUIRE(confirmed);
    CHECK(std::chrono::system_clock::now() - *confirmed < std::chrono::seconds(60));
  }
}
