// A real collector configured with [auth.ldap] against a real slapd: its config is read and
// checked at start, a directory person signs in over HTTPS (on the login pool) and the console's
// account page data says where they signed in.

#include <fstream>

#include <catch2/catch.hpp>

#include "tests/collector/auth/ldap_test_directory.hpp"
#include "tests/support/collector_fixture.hpp"

using namespace triage;
using triage::testing::LdapTestDirectory;

namespace {

// `settings` as the collector's config file says it.
std::string ldap_config(const collector::LdapSettings& s) {
  std::string out = "[auth.ldap]\nurl = \"" + s.url +
                    "\"\nstarttls = " + (s.starttls ? "true" : "false") + "\nca_file = \"" +
                    s.ca_file + "\"\nbind_dn = \"" + s.bind_dn + "\"\nbind_password_file = \"" +
                    s.bind_password_file + "\"\nuser_base = \"" + s.user_base +
                    "\"\nuser_filter = \"" + s.user_filter + "\"\ngroup_base = \"" + s.group_base +
                    "\"\ngroup_filter = \"" + s.group_filter + "\"\n[auth.ldap.role_groups]\n";
  const char* roles[] = {"viewer", "technician", "senior", "admin"};
  for (int r = 0; r < 4; ++r) {
    out += std::string(roles[r]) + " = [";
    for (const auto& g : s.role_groups[static_cast<std::size_t>(r)]) out += "\"" + g + "\"";
    out += "]\n";
  }
  return out;
}

}  // namespace

TEST_CASE("a collector with [auth.ldap] signs directory people in over HTTPS",
          "[ldap][integration]") {
  auto& directory = LdapTestDirectory::shared();
  auto settings = directory.settings();
  settings.url = directory.server().ldap_url();
  settings.starttls = true;
  testing::CollectorFixture collector(ldap_config(settings));

  auto login = collector.post("/api/v1/auth/login",
                              {{"name", "sam"}, {"password", LdapTestDirectory::password("sam")}});
  REQUIRE(login.status == 200);
  CHECK(login.body["user"]["role"] == "senior");
  const auto token = login.body["token"].get<std::string>();
  auto me = collector.get("/api/v1/auth/me", token);
  REQUIRE(me.status == 200);
  CHECK(me.body["user"]["source"] == "ldap");

  CHECK(collector.post("/api/v1/auth/login", {{"name", "sam"}, {"password", "not-sams-password"}})
            .status == 401);
  // Local accounts go on working beside the directory (admin_token() signs a local admin in).
  auto audit = collector.get("/api/v1/audit?type=auth.login.succeeded", collector.admin_token());
  REQUIRE(audit.status == 200);
  bool ldap_seen = false;
  for (const auto& item : audit.body["events"]) {
    if (item["details"]["method"] == "ldap" && item["actor"] == "sam") ldap_seen = true;
  }
  CHECK(ldap_seen);
}

TEST_CASE("a collector refuses to start with [auth.ldap] on plain ldap://", "[ldap][integration]") {
  auto& directory = LdapTestDirectory::shared();
  auto settings = directory.settings();
  settings.url = directory.server().ldap_url();
  settings.starttls = false;
  testing::TempDir dir;
  const auto config = dir.path() / "collector.toml";
  std::ofstream(config) << ldap_config(settings);
  auto init = testing::run_command(
      {testing::binary("triage-collector"), "init", "--data", (dir.path() / "c").string()},
      dir.path());
  REQUIRE(init.exit_code == 0);
  auto serve = testing::run_command(
      {testing::binary("triage-collector"), "serve", "--data", (dir.path() / "c").string(),
       "--listen", "127.0.0.1:0", "--config", config.string()},
      dir.path());
  CHECK(serve.exit_code != 0);
  CHECK_THAT(serve.err, Catch::Contains("auth.ldap.url") && Catch::Contains("starttls"));
}
