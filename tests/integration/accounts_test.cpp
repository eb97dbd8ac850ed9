// Local accounts against a real collector: a user changes their own password, an admin forces
// a reset with a one-time password, the shell sets one (break-glass); a second factor (TOTP,
// recovery codes), required for admins when the configuration says so.

#include <algorithm>
#include <fstream>

#include <catch2/catch.hpp>

#include "collector/auth/totp.hpp"
#include "tests/support/collector_fixture.hpp"

using namespace triage::testing;
namespace http = triage::transport::http;

namespace {

const std::string kPassword = "correct horse battery staple";

ApiResponse login(CollectorFixture& c, const std::string& name, const std::string& password) {
  return c.post("/api/v1/auth/login", {{"name", name}, {"password", password}});
}

std::string bearer_login(CollectorFixture& c, const std::string& name,
                         const std::string& password = kPassword) {
  auto res = login(c, name, password);
  INFO(res.text);
  REQUIRE(res.status == 200);
  return res.body["token"];
}

void check_error(const ApiResponse& res, int status, const std::string& code) {
  INFO(res.text);
  CHECK(res.status == status);
  CHECK(res.body["error"]["code"] == code);
}

std::string api_token_of(CollectorFixture& c, const std::string& session) {
  auto minted = c.post("/api/v1/auth/tokens", {{"name", "laptop"}}, session);
  INFO(minted.text);
  REQUIRE(minted.status == 201);
  return minted.body["token"];
}

}  // namespace

TEST_CASE(
    "a user changes their password at /api/v1/me/password: other sessions end, API tokens stay",
    "[integration]") {
  CollectorFixture c;
  c.add_user("sam", "viewer", kPassword);
  const auto first = bearer_login(c, "sam");
  const auto second = bearer_login(c, "sam");
  const auto token = api_token_of(c, first);
  const std::string next = "another long passphrase";

  check_error(c.post("/api/v1/me/password",
                     {{"current_password", "not my password"}, {"new_password", next}}, first),
              403, "wrong_password");
  auto changed = c.post("/api/v1/me/password",
                        {{"current_password", kPassword}, {"new_password", next}}, first);
  INFO(changed.text);
  REQUIRE(changed.status == 200);
  CHECK(c.get("/api/v1/auth/me", first).status == 200);
  check_error(c.get("/api/v1/auth/me", second), 401, "unauthorized");
  CHECK(c.get("/api/v1/auth/me", token).status == 200);
  CHECK(login(c, "sam", next).status == 200);
}

TEST_CASE("a new password equal to the user name is refused", "[integration]") {
  CollectorFixture c;
  c.add_user("marie.dupont.it", "viewer", kPassword);
  const auto marie = bearer_login(c, "marie.dupont.it");
  auto refused =
      c.post("/api/v1/me/password",
             {{"current_password", kPassword}, {"new_password", "Marie.Dupont.IT"}}, marie);
  check_error(refused, 400, "invalid_request");
  CHECK_THAT(refused.body["error"]["message"].get<std::string>(), Catch::Contains("user name"));
  CHECK(login(c, "marie.dupont.it", kPassword).status == 200);
  // The shell is held to the same rule.
  auto shell = c.cli({"user", "passwd", "marie.dupont.it"}, "marie.dupont.it\n");
  CHECK(shell.exit_code != 0);
  CHECK_THAT(shell.err, Catch::Contains("user name"));
}

TEST_CASE("an admin reset ends the user's sessions and hands over a one-time password",
          "[integration]") {
  CollectorFixture c;
  const auto admin = c.admin_token();
  c.add_user("tom", "technician", kPassword);
  const auto before = bearer_login(c, "tom");
  const auto token = api_token_of(c, before);

  // Only an admin resets, and never through a service account or for an unknown name.
  const auto viewer = c.login_as("vera", "viewer");
  check_error(c.post("/api/v1/users/tom/reset-password", nlohmann::json::object(), viewer), 403,
              "forbidden");
  check_error(c.post("/api/v1/users/nobody/reset-password", nlohmann::json::object(), admin), 404,
              "not_found");

  auto reset = c.post("/api/v1/users/tom/reset-password", nlohmann::json::object(), admin);
  INFO(reset.text);
  REQUIRE(reset.status == 200);
  CHECK(reset.header("cache-control") == "no-store");
  CHECK(reset.body["user"]["password_change_required"] == true);
  const std::string temporary = reset.body["temporary_password"];
  CHECK(temporary.size() >= 12);

  // The old session is gone, the old password too; the API token is kept but held until the
  // change, like every credential of tom's.
  check_error(c.get("/api/v1/auth/me", before), 401, "unauthorized");
  check_error(login(c, "tom", kPassword), 401, "unauthorized");
  check_error(c.get("/api/v1/devices", token), 403, "password_change_required");
  const auto tom = bearer_login(c, "tom", temporary);
  check_error(c.get("/api/v1/devices", tom), 403, "password_change_required");
  check_error(c.get("/api/v1/tickets", tom), 403, "password_change_required");

  const std::string own = "tom's very own passphrase";
  auto changed =
      c.post("/api/v1/me/password", {{"current_password", temporary}, {"new_password", own}}, tom);
  INFO(changed.text);
  REQUIRE(changed.status == 200);
  CHECK(c.get("/api/v1/devices", tom).status == 200);
  CHECK(c.get("/api/v1/devices", token).status == 200);
  // The temporary password worked once: it is replaced.
  check_error(login(c, "tom", temporary), 401, "unauthorized");

  auto audit = c.get("/api/v1/audit?type=user.password_reset", admin);
  INFO(audit.text);
  REQUIRE(audit.status == 200);
  REQUIRE(audit.body["events"].size() == 1);
  CHECK(audit.body["events"][0]["actor"] == "admin");
  CHECK(audit.body["events"][0]["target"] == "user:tom");
  CHECK(audit.text.find(temporary) == std::string::npos);
}

TEST_CASE("user passwd sets a password from standard input and ends the user's sessions",
          "[integration]") {
  CollectorFixture c;
  c.add_user("ops", "admin", kPassword);
  const auto session = bearer_login(c, "ops");
  const std::string fresh = "break glass passphrase";

  auto set = c.cli({"user", "passwd", "ops"}, fresh + "\n");
  INFO(set.err);
  REQUIRE(set.exit_code == 0);
  CHECK(set.out.find(fresh) == std::string::npos);
  check_error(c.get("/api/v1/auth/me", session), 401, "unauthorized");
  check_error(login(c, "ops", kPassword), 401, "unauthorized");
  const auto ops = bearer_login(c, "ops", fresh);
  CHECK(c.get("/api/v1/users", ops).status == 200);

  // --must-change: a password handed over, replaced at the next sign-in.
  REQUIRE(c.cli({"user", "passwd", "ops", "--must-change"}, "handed over passphrase\n").exit_code ==
          0);
  const auto handed = bearer_login(c, "ops", "handed over passphrase");
  check_error(c.get("/api/v1/users", handed), 403, "password_change_required");

  CHECK(c.cli({"user", "passwd", "nobody"}, fresh + "\n").exit_code != 0);
}

namespace {

struct Enrolled {
  std::string secret;
  std::vector<std::string> recovery_codes;
};

std::string code_now(const std::string& secret, std::int64_t steps_from_now = 0) {
  const auto key = triage::collector::base32_decode(secret).value();
  return triage::collector::totp_code(
             key, triage::collector::totp_step(std::chrono::system_clock::now()) + steps_from_now)
      .value();
}

Enrolled enroll_totp(CollectorFixture& c, const std::string& session,
                     const std::string& password = kPassword) {
  auto begun = c.post("/api/v1/me/totp", {{"current_password", password}}, session);
  INFO(begun.text);
  REQUIRE(begun.status == 200);
  const std::string secret = begun.body["secret"];
  CHECK_THAT(begun.body["otpauth_uri"].get<std::string>(),
             Catch::StartsWith("otpauth://totp/triage:") && Catch::Contains("secret=" + secret));
  auto confirmed = c.post("/api/v1/me/totp/confirm", {{"code", code_now(secret)}}, session);
  INFO(confirmed.text);
  REQUIRE(confirmed.status == 200);
  REQUIRE(confirmed.body["recovery_codes"].size() == 10);
  return {secret, confirmed.body["recovery_codes"].get<std::vector<std::string>>()};
}

ApiResponse login_with_code(CollectorFixture& c, const std::string& name,
                            const std::string& password, const std::string& code) {
  return c.post("/api/v1/auth/login",
                {{"name", name}, {"password", password}, {"totp_code", code}});
}

}  // namespace

TEST_CASE("a TOTP enrollment is in force only once a first code confirms it", "[integration]") {
  CollectorFixture c;
  c.add_user("ana", "technician", kPassword);
  const auto ana = bearer_login(c, "ana");

  check_error(c.post("/api/v1/me/totp", {{"current_password", "not the password"}}, ana), 403,
              "wrong_password");
  auto begun = c.post("/api/v1/me/totp", {{"current_password", kPassword}}, ana);
  REQUIRE(begun.status == 200);
  // Not confirmed: the password alone still signs in.
  CHECK(login(c, "ana", kPassword).status == 200);
  check_error(c.post("/api/v1/me/totp/confirm", {{"code", "000000"}}, ana), 400, "invalid_request");
  auto confirmed =
      c.post("/api/v1/me/totp/confirm", {{"code", code_now(begun.body["secret"])}}, ana);
  INFO(confirmed.text);
  REQUIRE(confirmed.status == 200);
  CHECK(c.get("/api/v1/auth/me", ana).body["user"]["totp_enabled"] == true);
  CHECK(c.get("/api/v1/auth/me", ana).body["recovery_codes_left"] == 10);

  auto audit = c.get("/api/v1/audit?type=user.totp_enabled", c.admin_token());
  REQUIRE(audit.body["events"].size() == 1);
  CHECK(audit.text.find(begun.body["secret"].get<std::string>()) == std::string::npos);
}

TEST_CASE("sign-in requires the TOTP code once enrolled, and a replayed code is refused",
          "[integration]") {
  CollectorFixture c;
  c.add_user("ben", "technician", kPassword);
  const auto enrolled = enroll_totp(c, bearer_login(c, "ben"));

  auto bare = login(c, "ben", kPassword);
  check_error(bare, 401, "totp_required");
  check_error(login_with_code(c, "ben", kPassword, "000000"), 401, "unauthorized");

  // The enrollment's code was used: the next step's code signs in, once.
  const auto code = code_now(enrolled.secret, 1);
  auto signed_in = login_with_code(c, "ben", kPassword, code);
  INFO(signed_in.text);
  REQUIRE(signed_in.status == 200);
  auto replay = login_with_code(c, "ben", kPassword, code);
  check_error(replay, 401, "unauthorized");
  CHECK_THAT(replay.body["error"]["message"].get<std::string>(), Catch::Contains("used already"));

  // A recovery code, once.
  const auto& recovery = enrolled.recovery_codes.front();
  CHECK(login_with_code(c, "ben", kPassword, recovery).status == 200);
  check_error(login_with_code(c, "ben", kPassword, recovery), 401, "unauthorized");

  auto audit = c.get("/api/v1/audit?type=auth.login.succeeded&target=user:ben", c.admin_token());
  INFO(audit.text);
  REQUIRE(audit.status == 200);
  std::vector<std::string> methods;
  for (const auto& e : audit.body["events"]) methods.push_back(e["details"]["method"]);
  CHECK(std::count(methods.begin(), methods.end(), "password+totp") == 1);
  CHECK(std::count(methods.begin(), methods.end(), "password+recovery_code") == 1);
  auto failed = c.get("/api/v1/audit?type=auth.login.failed", c.admin_token());
  CHECK(failed.body["events"].size() == 3);
}

TEST_CASE("wrong TOTP codes lock the account like wrong passwords", "[integration]") {
  CollectorFixture c("[auth]\nlockout_failures = 3\n");
  c.add_user("cal", "viewer", kPassword);
  const auto enrolled = enroll_totp(c, bearer_login(c, "cal"));
  for (int i = 0; i < 2; ++i) {
    check_error(login_with_code(c, "cal", kPassword, "000000"), 401, "unauthorized");
  }
  check_error(login_with_code(c, "cal", kPassword, "000000"), 429, "rate_limited");
  check_error(login_with_code(c, "cal", kPassword, code_now(enrolled.secret, 1)), 429,
              "rate_limited");
}

TEST_CASE("require_totp_for_admins leaves an admin without TOTP nothing but enrolling",
          "[integration]") {
  CollectorFixture c("[auth]\nrequire_totp_for_admins = true\n");
  c.add_user("root2", "admin", kPassword);
  c.add_user("tech", "technician", kPassword);
  const auto admin = bearer_login(c, "root2");
  const auto tech = bearer_login(c, "tech");
  // Other roles are not held.
  CHECK(c.get("/api/v1/devices", tech).status == 200);

  check_error(c.get("/api/v1/users", admin), 403, "totp_enrollment_required");
  check_error(c.get("/api/v1/devices", admin), 403, "totp_enrollment_required");
  auto me = c.get("/api/v1/auth/me", admin);
  REQUIRE(me.status == 200);
  CHECK(me.body["totp_required"] == true);

  const auto enrolled = enroll_totp(c, admin);
  CHECK(c.get("/api/v1/users", admin).status == 200);
  // ...and cannot remove it while the setting holds.
  check_error(c.send(http::verb::delete_, "/api/v1/me/totp",
                     nlohmann::json{{"current_password", kPassword}}.dump(),
                     {{"Authorization", "Bearer " + admin}, {"Content-Type", "application/json"}}),
              403, "forbidden");

  // Break-glass on the server's shell: the operator removes the second factor.
  auto reset = c.cli({"user", "totp-reset", "root2"});
  INFO(reset.err);
  REQUIRE(reset.exit_code == 0);
  check_error(c.get("/api/v1/users", admin), 403, "totp_enrollment_required");
  CHECK(login(c, "root2", kPassword).status == 200);
  (void)enrolled;
}

TEST_CASE("a user sees their sessions with where they came from and ends one", "[integration]") {
  CollectorFixture c;
  c.add_user("dee", "technician", kPassword);
  const auto laptop =
      c.send(http::verb::post, "/api/v1/auth/login",
             nlohmann::json{{"name", "dee"}, {"password", kPassword}}.dump(),
             {{"Content-Type", "application/json"}, {"User-Agent", "laptop-browser/1"}});
  REQUIRE(laptop.status == 200);
  const std::string first = laptop.body["token"];
  const auto second = bearer_login(c, "dee");

  auto listed = c.get("/api/v1/me/sessions", first);
  INFO(listed.text);
  REQUIRE(listed.status == 200);
  REQUIRE(listed.body["sessions"].size() == 2);
  std::string other_id;
  for (const auto& s : listed.body["sessions"]) {
    CHECK(s["id"].get<std::string>().size() == 16);
    CHECK(s["method"] == "password");
    CHECK_THAT(s["source"].get<std::string>(), Catch::StartsWith("127.0.0.1"));
    CHECK(s["created_at"].is_string());
    CHECK(s["last_seen_at"].is_string());
    if (s["current"] == true) {
      CHECK(s["user_agent"] == "laptop-browser/1");
    } else {
      other_id = s["id"];
    }
  }
  REQUIRE_FALSE(other_id.empty());
  // The id names the session without being able to authenticate anything.
  CHECK(c.get("/api/v1/auth/me", first).body["credential"] != "session:" + other_id);

  // Another user's session id is unknown to a non-admin.
  const auto eve = c.login_as("eve", "technician");
  check_error(c.send(http::verb::delete_, "/api/v1/me/sessions/" + other_id, "",
                     {{"Authorization", "Bearer " + eve}}),
              404, "not_found");
  CHECK(c.get("/api/v1/auth/me", second).status == 200);

  auto revoked = c.send(http::verb::delete_, "/api/v1/me/sessions/" + other_id, "",
                        {{"Authorization", "Bearer " + first}});
  INFO(revoked.text);
  REQUIRE(revoked.status == 200);
  check_error(c.get("/api/v1/auth/me", second), 401, "unauthorized");
  CHECK(c.get("/api/v1/me/sessions", first).body["sessions"].size() == 1);

  auto audit = c.get("/api/v1/audit?type=session.revoked", c.admin_token());
  REQUIRE(audit.body["events"].size() == 1);
  CHECK(audit.body["events"][0]["actor"] == "dee");
}

TEST_CASE("an admin lists and ends anyone's sessions", "[integration]") {
  CollectorFixture c;
  const auto admin = c.admin_token();
  c.add_user("fay", "viewer", kPassword);
  const auto fay = bearer_login(c, "fay");
  check_error(c.get("/api/v1/users/admin/sessions", fay), 403, "forbidden");

  auto listed = c.get("/api/v1/users/fay/sessions", admin);
  INFO(listed.text);
  REQUIRE(listed.status == 200);
  REQUIRE(listed.body["sessions"].size() == 1);
  CHECK(listed.body["sessions"][0]["current"] == false);
  const std::string id = listed.body["sessions"][0]["id"];
  check_error(c.get("/api/v1/users/nobody/sessions", admin), 404, "not_found");

  auto revoked = c.send(http::verb::delete_, "/api/v1/users/fay/sessions/" + id, "",
                        {{"Authorization", "Bearer " + admin}});
  REQUIRE(revoked.status == 200);
  check_error(c.get("/api/v1/auth/me", fay), 401, "unauthorized");
  check_error(c.send(http::verb::delete_, "/api/v1/users/fay/sessions/" + id, "",
                     {{"Authorization", "Bearer " + admin}}),
              404, "not_found");
  auto audit = c.get("/api/v1/audit?type=session.revoked", admin);
  REQUIRE(audit.body["events"].size() == 1);
  CHECK(audit.body["events"][0]["details"]["user"] == "fay");
}

TEST_CASE("triagectl login sends the TOTP code of an account with a second factor",
          "[integration][triagectl]") {
  CollectorFixture c;
  c.add_user("gil", "technician", kPassword);
  const auto enrolled = enroll_totp(c, bearer_login(c, "gil"));
  const auto ca_file = c.root() / "ca.pem";
  std::ofstream(ca_file) << c.ca_pem();
  auto ctl = [&](const std::string& stdin_text) {
    return run_command({binary("triagectl"), "--config-dir", (c.root() / "ctl").string(), "login",
                        "--server", "https://127.0.0.1:" + std::to_string(c.port()), "--ca",
                        ca_file.string(), "--name", "gil", "--password-stdin"},
                       c.root(), stdin_text);
  };
  auto without = ctl(kPassword + "\n");
  CHECK(without.exit_code != 0);
  auto with_code = ctl(kPassword + "\n" + code_now(enrolled.secret, 1) + "\n");
  INFO(with_code.out << with_code.err);
  CHECK(with_code.exit_code == 0);
  CHECK_THAT(with_code.out, Catch::Contains("logged in"));
}
