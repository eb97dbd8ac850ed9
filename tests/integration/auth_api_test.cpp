// Authentication and sessions of the REST API against a real collector over HTTPS: login
// throttling and lockout, API tokens, cookie sessions with CSRF, logout, user admin, roles.

#include <catch2/catch.hpp>

#include "tests/support/collector_fixture.hpp"

using namespace triage::testing;
namespace http = triage::transport::http;

namespace {

const std::string kPassword = "correct horse battery staple";

ApiResponse login(CollectorFixture& c, const std::string& name, const std::string& password,
                  const std::string& session = "") {
  nlohmann::json body = {{"name", name}, {"password", password}};
  if (!session.empty()) body["session"] = session;
  return c.post("/api/v1/auth/login", body);
}

std::string bearer_login(CollectorFixture& c, const std::string& name) {
  auto res = login(c, name, kPassword);
  REQUIRE(res.status == 200);
  return res.body["token"];
}

long retry_after(const ApiResponse& res) {
  auto text = res.header("retry-after");
  return text.empty() ? -1 : std::stol(text);
}

void check_error(const ApiResponse& res, int status, const std::string& code) {
  INFO(res.body.dump());
  CHECK(res.status == status);
  CHECK(res.body["error"]["code"] == code);
  CHECK(res.body["error"]["message"].is_string());
}

// The value of the session cookie in a Set-Cookie header.
std::string cookie_value(const std::string& set_cookie) {
  const std::string prefix = "__Host-triage_session=";
  REQUIRE(set_cookie.rfind(prefix, 0) == 0);
  return set_cookie.substr(prefix.size(), set_cookie.find(';') - prefix.size());
}

}  // namespace

TEST_CASE("failed logins lock the name: 429 with Retry-After, even with the right password",
          "[integration]") {
  CollectorFixture collector("[auth]\nlockout_failures = 3\nlockout_seconds = 2\n");
  collector.add_user("sam", "technician", kPassword);

  check_error(login(collector, "sam", "wrong password 1"), 401, "unauthorized");
  check_error(login(collector, "sam", "wrong password 2"), 401, "unauthorized");
  auto third = login(collector, "sam", "wrong password 3");
  check_error(third, 429, "rate_limited");
  CHECK(retry_after(third) >= 1);
  CHECK(retry_after(third) <= 2);

  auto right = login(collector, "sam", kPassword);
  check_error(right, 429, "rate_limited");
  CHECK(retry_after(right) >= 1);
  CHECK_THAT(right.body["error"]["message"].get<std::string>(),
             Catch::Contains("even with the right password"));

  // An unknown name behaves the same way: lockout reveals nothing about who exists.
  check_error(login(collector, "ghost", "wrong password 1"), 401, "unauthorized");
  check_error(login(collector, "ghost", "wrong password 2"), 401, "unauthorized");
  auto ghost = login(collector, "ghost", "wrong password 3");
  check_error(ghost, 429, "rate_limited");
  CHECK(ghost.body["error"]["message"].get<std::string>().substr(0, 40) ==
        third.body["error"]["message"].get<std::string>().substr(0, 40));

  // When the lockout ends the right password works again (polled, not slept).
  ApiResponse after;
  REQUIRE(eventually(
      [&] {
        after = login(collector, "sam", kPassword);
        return after.status != 429;
      },
      std::chrono::seconds(15)));
  CHECK(after.status == 200);
  CHECK(after.body["token"].is_string());

  auto metrics = collector.get("/metrics", collector.metrics_token());
  CHECK_THAT(metrics.text,
             Catch::Contains("triage_refusals_total{reason=\"login_failed\"} 4") &&
                 Catch::Contains("triage_refusals_total{reason=\"login_rate_limited\"}"));
}

TEST_CASE("a lockout survives a collector restart", "[integration]") {
  CollectorFixture collector("[auth]\nlockout_failures = 2\nlockout_seconds = 600\n");
  collector.add_user("sam", "viewer", kPassword);
  login(collector, "sam", "wrong password 1");
  check_error(login(collector, "sam", "wrong password 2"), 429, "rate_limited");
  collector.stop();
  collector.start();
  auto res = login(collector, "sam", kPassword);
  check_error(res, 429, "rate_limited");
  CHECK(retry_after(res) > 500);
}

TEST_CASE("one source address is throttled across user names", "[integration]") {
  CollectorFixture collector(
      "[auth]\nlockout_failures = 100\nclient_failure_burst = 3\nclient_failures_per_minute = 1\n");
  for (auto name : {"a", "b", "c"})
    check_error(login(collector, name, "guess guess"), 401, "unauthorized");
  auto throttled = login(collector, "d", "guess guess");
  check_error(throttled, 429, "rate_limited");
  CHECK(retry_after(throttled) >= 1);
  CHECK_THAT(throttled.body["error"]["message"].get<std::string>(),
             Catch::Contains("your address"));
}

TEST_CASE("login wants a JSON body with known fields of the right types", "[integration]") {
  CollectorFixture collector;
  collector.add_user("sam", "viewer", kPassword);
  auto text_plain = collector.send(http::verb::post, "/api/v1/auth/login",
                                   nlohmann::json{{"name", "sam"}, {"password", kPassword}}.dump(),
                                   {{"Content-Type", "text/plain"}});
  check_error(text_plain, 400, "invalid_request");
  auto extra = collector.post("/api/v1/auth/login",
                              {{"name", "sam"}, {"password", kPassword}, {"remember", true}});
  check_error(extra, 400, "invalid_request");
  CHECK_THAT(extra.body["error"]["message"].get<std::string>(), Catch::Contains("remember"));
  check_error(collector.post("/api/v1/auth/login", {{"name", "sam"}, {"password", 5}}), 400,
              "invalid_request");
  check_error(login(collector, "sam", kPassword, "jwt"), 400, "invalid_request");
  CHECK(login(collector, "sam", kPassword, "bearer").status == 200);
}

TEST_CASE("me and logout for a bearer session", "[integration]") {
  CollectorFixture collector;
  collector.add_user("sam", "technician", kPassword);
  const auto token = bearer_login(collector, "sam");
  auto me = collector.get("/api/v1/auth/me", token);
  REQUIRE(me.status == 200);
  CHECK(me.body["user"]["name"] == "sam");
  CHECK(me.body["user"]["role"] == "technician");
  CHECK(me.body["auth"] == "session");
  CHECK(me.body["expires_at"].is_string());

  auto out = collector.post("/api/v1/auth/logout", nlohmann::json::object(), token);
  CHECK(out.status == 200);
  auto after = collector.get("/api/v1/auth/me", token);
  check_error(after, 401, "unauthorized");
  CHECK(after.header("www-authenticate") == "Bearer");
  check_error(collector.get("/api/v1/auth/me"), 401, "unauthorized");
}

TEST_CASE("cookie sessions: HttpOnly Secure SameSite cookie, CSRF header for unsafe methods",
          "[integration]") {
  CollectorFixture collector;
  collector.add_user("root", "admin", kPassword);
  auto res = login(collector, "root", kPassword, "cookie");
  REQUIRE(res.status == 200);
  CHECK_FALSE(res.body.contains("token"));
  const std::string csrf = res.body["csrf_token"];
  CHECK(res.body["user"]["role"] == "admin");
  const auto set_cookie = res.header("set-cookie");
  CHECK_THAT(set_cookie, Catch::Contains("; Path=/") && Catch::Contains("; HttpOnly") &&
                             Catch::Contains("; Secure") && Catch::Contains("; SameSite=Strict") &&
                             Catch::Contains("; Max-Age=43200"));
  const Headers cookie = {
      {"Cookie", "theme=dark; __Host-triage_session=" + cookie_value(set_cookie)}};

  auto me = collector.send(http::verb::get, "/api/v1/auth/me", "", cookie);
  REQUIRE(me.status == 200);
  CHECK(me.body["auth"] == "cookie");
  CHECK(collector.send(http::verb::get, "/api/v1/users", "", cookie).status == 200);

  const auto new_user =
      nlohmann::json{{"name", "vic"}, {"role", "viewer"}, {"password", kPassword}}.dump();
  check_error(collector.send(http::verb::post, "/api/v1/users", new_user, cookie), 403, "csrf");
  auto wrong = cookie;
  wrong.emplace_back("X-CSRF-Token", "not-the-token");
  check_error(collector.send(http::verb::post, "/api/v1/users", new_user, wrong), 403, "csrf");
  auto with_csrf = cookie;
  with_csrf.emplace_back("X-CSRF-Token", csrf);
  CHECK(collector.send(http::verb::post, "/api/v1/users", new_user, with_csrf).status == 201);

  // Ambiguous cookies are refused rather than guessed at.
  check_error(collector.send(http::verb::get, "/api/v1/auth/me", "",
                             {{"Cookie", "__Host-triage_session=a; __Host-triage_session=b"}}),
              401, "unauthorized");
  // A cookie session token is not a bearer token.
  check_error(collector.get("/api/v1/auth/me", cookie_value(set_cookie)), 401, "unauthorized");

  check_error(collector.send(http::verb::post, "/api/v1/auth/logout", "{}", cookie), 403, "csrf");
  auto out = collector.send(http::verb::post, "/api/v1/auth/logout", "{}", with_csrf);
  CHECK(out.status == 200);
  CHECK_THAT(out.header("set-cookie"), Catch::Contains("Max-Age=0"));
  check_error(collector.send(http::verb::get, "/api/v1/auth/me", "", cookie), 401, "unauthorized");
}

TEST_CASE("API tokens: created by an admin, usable as bearer, listed without secrets, revoked",
          "[integration]") {
  CollectorFixture collector;
  REQUIRE(collector.cli({"user", "add", "--name", "integ", "--role", "technician", "--service"})
              .exit_code == 0);
  const auto admin = collector.admin_token();

  auto created =
      collector.post("/api/v1/auth/tokens",
                     {{"user", "integ"}, {"name", "rt-connector"}, {"ttl_days", 30}}, admin);
  REQUIRE(created.status == 201);
  const std::string token = created.body["token"];
  const std::string id = created.body["id"];
  CHECK_THAT(token, Catch::StartsWith("trt_" + id + "_"));
  CHECK(created.body["expires_at"].is_string());

  auto me = collector.get("/api/v1/auth/me", token);
  REQUIRE(me.status == 200);
  CHECK(me.body["auth"] == "api_token");
  CHECK(me.body["user"]["name"] == "integ");
  CHECK(me.body["token_id"] == id);
  CHECK(collector.get("/api/v1/devices", token).status == 200);
  // Bound to a technician: no admin endpoints, and only its own tokens.
  check_error(collector.get("/api/v1/users", token), 403, "forbidden");
  CHECK(collector.get("/api/v1/auth/tokens", token).body["tokens"].size() == 1);
  // An API token has no session to log out of.
  check_error(collector.post("/api/v1/auth/logout", nlohmann::json::object(), token), 400,
              "invalid_request");

  auto listed = collector.get("/api/v1/auth/tokens", admin);
  REQUIRE(listed.status == 200);
  REQUIRE(listed.body["tokens"].size() == 1);
  const auto& row = listed.body["tokens"][0];
  CHECK(row["id"] == id);
  CHECK(row["user"] == "integ");
  CHECK(row["name"] == "rt-connector");
  CHECK(row["active"] == true);
  CHECK(row["last_used_at"].is_string());
  CHECK_FALSE(row.contains("token"));
  CHECK(listed.body.dump().find(token.substr(17)) == std::string::npos);

  check_error(collector.post("/api/v1/auth/tokens",
                             {{"user", "integ"}, {"name", "x"}, {"ttl_days", 366}}, admin),
              400, "invalid_request");
  check_error(collector.post("/api/v1/auth/tokens", {{"user", "nobody"}, {"name", "x"}}, admin),
              404, "not_found");
  check_error(collector.post("/api/v1/auth/tokens",
                             {{"user", "integ"}, {"name", "x"}, {"scope", "all"}}, admin),
              400, "invalid_request");

  auto revoked = collector.send(http::verb::delete_, "/api/v1/auth/tokens/" + id, "",
                                {{"Authorization", "Bearer " + admin}});
  CHECK(revoked.status == 200);
  check_error(collector.get("/api/v1/auth/me", token), 401, "unauthorized");
  check_error(collector.send(http::verb::delete_, "/api/v1/auth/tokens/0123456789ab", "",
                             {{"Authorization", "Bearer " + admin}}),
              404, "not_found");
}

TEST_CASE("api-token CLI: create prints the token once, list shows it, revoke ends it",
          "[integration]") {
  CollectorFixture collector;
  REQUIRE(collector.cli({"user", "add", "--name", "integ", "--role", "viewer", "--service"})
              .exit_code == 0);
  auto created =
      collector.cli({"api-token", "create", "--user", "integ", "--name", "ci", "--ttl", "7d"});
  INFO(created.err);
  REQUIRE(created.exit_code == 0);
  std::string token = created.out;
  while (!token.empty() && token.back() == '\n') token.pop_back();
  REQUIRE_THAT(token, Catch::StartsWith("trt_"));
  const auto id = token.substr(4, 12);
  CHECK(collector.get("/api/v1/devices", token).status == 200);

  auto list = collector.cli({"api-token", "list"});
  REQUIRE(list.exit_code == 0);
  CHECK_THAT(list.out,
             Catch::Contains(id) && Catch::Contains("integ") && Catch::Contains("active"));
  CHECK(list.out.find(token) == std::string::npos);

  CHECK(collector.cli({"api-token", "create", "--user", "integ", "--name", "x", "--ttl", "400d"})
            .exit_code != 0);
  REQUIRE(collector.cli({"api-token", "revoke", "--id", id}).exit_code == 0);
  check_error(collector.get("/api/v1/devices", token), 401, "unauthorized");
  CHECK(collector.cli({"api-token", "revoke", "--id", "ffffffffffff"}).exit_code != 0);
}

TEST_CASE("users admin: create, list, change role, disable ends sessions and tokens at once",
          "[integration]") {
  CollectorFixture collector;
  const auto admin = collector.admin_token();
  auto created = collector.post(
      "/api/v1/users", {{"name", "tess"}, {"role", "technician"}, {"password", kPassword}}, admin);
  REQUIRE(created.status == 201);
  const auto id = created.body["id"].get<std::int64_t>();
  CHECK(created.body["role"] == "technician");
  CHECK_FALSE(created.body.contains("password_hash"));

  check_error(
      collector.post("/api/v1/users",
                     {{"name", "tess"}, {"role", "viewer"}, {"password", kPassword}}, admin),
      409, "conflict");
  auto unknown_field = collector.post(
      "/api/v1/users",
      {{"name", "u2"}, {"role", "viewer"}, {"password", kPassword}, {"admin", true}}, admin);
  check_error(unknown_field, 400, "invalid_request");
  CHECK_THAT(unknown_field.body["error"]["message"].get<std::string>(), Catch::Contains("`admin`"));
  check_error(collector.post("/api/v1/users",
                             {{"name", "u2"}, {"role", 3}, {"password", kPassword}}, admin),
              400, "invalid_request");
  check_error(collector.post("/api/v1/users",
                             {{"name", "u2"}, {"role", "root"}, {"password", kPassword}}, admin),
              400, "invalid_request");
  check_error(collector.post("/api/v1/users",
                             {{"name", "u2"}, {"role", "viewer"}, {"password", "short"}}, admin),
              400, "invalid_request");

  auto list = collector.get("/api/v1/users", admin);
  REQUIRE(list.status == 200);
  CHECK(list.body["users"].size() == 2);
  CHECK(list.body.dump().find("scrypt") == std::string::npos);

  const auto target = "/api/v1/users/" + std::to_string(id);
  const Headers as_admin = {{"Authorization", "Bearer " + admin}};
  auto promoted = collector.send(http::verb::patch, target, R"({"role":"senior"})", as_admin);
  REQUIRE(promoted.status == 200);
  CHECK(promoted.body["role"] == "senior");
  check_error(collector.send(http::verb::patch, target, R"({"disabled":"yes"})", as_admin), 400,
              "invalid_request");
  check_error(collector.send(http::verb::patch, target, R"({"disable":true})", as_admin), 400,
              "invalid_request");
  check_error(collector.send(http::verb::patch, target, "{}", as_admin), 400, "invalid_request");
  check_error(
      collector.send(http::verb::patch, "/api/v1/users/9999", R"({"role":"viewer"})", as_admin),
      404, "not_found");
  check_error(
      collector.send(http::verb::patch, "/api/v1/users/abc", R"({"role":"viewer"})", as_admin), 404,
      "not_found");

  // An account an admin created starts by replacing the admin's password.
  const auto session = bearer_login(collector, "tess");
  REQUIRE(collector
              .post("/api/v1/auth/password",
                    {{"current_password", kPassword}, {"new_password", kPassword + " of tess"}},
                    session)
              .status == 200);
  auto token = collector.post("/api/v1/auth/tokens", {{"name", "ci"}}, session);
  REQUIRE(token.status == 201);
  const std::string api_token = token.body["token"];
  CHECK(collector.get("/api/v1/auth/me", session).status == 200);
  CHECK(collector.get("/api/v1/auth/me", api_token).status == 200);

  auto disabled = collector.send(http::verb::patch, target, R"({"disabled":true})", as_admin);
  REQUIRE(disabled.status == 200);
  CHECK(disabled.body["disabled"] == true);
  check_error(collector.get("/api/v1/auth/me", session), 401, "unauthorized");
  check_error(collector.get("/api/v1/auth/me", api_token), 401, "unauthorized");
  check_error(login(collector, "tess", kPassword + " of tess"), 401, "unauthorized");

  // The last enabled admin cannot be disabled or demoted.
  auto me = collector.get("/api/v1/auth/me", admin);
  const auto self = "/api/v1/users/" + std::to_string(me.body["user"]["id"].get<std::int64_t>());
  check_error(collector.send(http::verb::patch, self, R"({"disabled":true})", as_admin), 409,
              "conflict");
  check_error(collector.send(http::verb::patch, self, R"({"role":"viewer"})", as_admin), 409,
              "conflict");
}

TEST_CASE("viewers and technicians cannot use the users endpoints nor others' tokens",
          "[integration]") {
  CollectorFixture collector;
  for (auto role : {"viewer", "technician", "senior"}) {
    INFO(role);
    const auto token = collector.login_as(std::string("u-") + role, role);
    const Headers auth = {{"Authorization", "Bearer " + token}};
    check_error(collector.get("/api/v1/users", token), 403, "forbidden");
    check_error(collector.post("/api/v1/users",
                               {{"name", "x"}, {"role", "admin"}, {"password", kPassword}}, token),
                403, "forbidden");
    check_error(collector.send(http::verb::patch, "/api/v1/users/1", R"({"role":"admin"})", auth),
                403, "forbidden");
    // Tokens are personal: their own list (empty), nobody else's token minted or revoked.
    auto own = collector.get("/api/v1/auth/tokens", token);
    CHECK(own.status == 200);
    CHECK(own.body["tokens"].empty());
    check_error(collector.post("/api/v1/auth/tokens", {{"user", "x"}, {"name", "x"}}, token), 403,
                "forbidden");
    check_error(collector.send(http::verb::delete_, "/api/v1/auth/tokens/0123456789ab", "", auth),
                404, "not_found");
    CHECK(collector.get("/api/v1/auth/me", token).status == 200);
  }
}

TEST_CASE("an oversized request body gets 413 in the API's JSON error shape", "[integration]") {
  CollectorFixture collector("[limits]\nmax_http_body_bytes = 4096\n");
  for (std::size_t size : {std::size_t{5000}, std::size_t{3} * 1024 * 1024}) {
    INFO(size);
    auto res = collector.send(http::verb::post, "/api/v1/auth/login",
                              "{\"name\":\"" + std::string(size, 'a') + "\"}");
    check_error(res, 413, "payload_too_large");
  }
  // The collector keeps serving.
  CHECK(collector.get("/healthz").status == 200);
}
