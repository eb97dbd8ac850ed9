// Staff identity against a real collector: API tokens are personal, service accounts for
// integrations, approvals bound to the credential used, password change and forced reset,
// the __Host- session cookie, and password logins on a pool of their own.

#include <atomic>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/support/collector_fixture.hpp"

using namespace triage::testing;
using namespace std::chrono_literals;
namespace http = triage::transport::http;

namespace {

const std::string kPassword = "correct horse battery staple";

const char* kEchoHigh = R"toml(
id = "echo-high"
version = 1
title = "Echo, high risk (test)"
argv = ["/bin/echo", "approved and ran"]
risk = "high"
)toml";

struct ActionsDir {
  TempDir dir;
  ActionsDir() { std::ofstream(dir.path() / "echo-high.toml") << kEchoHigh; }
  std::string config() const { return "[actions]\ndir = \"" + dir.path().string() + "\"\n"; }
};

ApiResponse login(CollectorFixture& c, const std::string& name, const std::string& password,
                  const std::string& session = "") {
  nlohmann::json body = {{"name", name}, {"password", password}};
  if (!session.empty()) body["session"] = session;
  return c.post("/api/v1/auth/login", body);
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
  CHECK(res.body["error"]["message"].is_string());
}

ApiResponse del(CollectorFixture& c, const std::string& target, const std::string& bearer) {
  return c.send(http::verb::delete_, target, "", {{"Authorization", "Bearer " + bearer}});
}

std::int64_t user_id(CollectorFixture& c, const std::string& name) {
  const auto users = c.get("/api/v1/users", c.admin_token());
  for (const auto& u : users.body["users"]) {
    if (u["name"] == name) return u["id"].get<std::int64_t>();
  }
  FAIL("no user " << name);
  return 0;
}

/// A ticket linked to an enrolled (not running) device: orders can be asked and approved.
std::int64_t ticket_with_device(CollectorFixture& c, AgentFixture& agent) {
  REQUIRE(agent.enroll().exit_code == 0);
  auto r = c.post("/api/v1/tickets", {{"title", "Needs the fix"}, {"device_id", agent.device_id()}},
                  c.admin_token());
  INFO(r.text);
  REQUIRE(r.status == 201);
  return r.body["id"].get<std::int64_t>();
}

std::string ticket_actions(std::int64_t ticket) {
  return "/api/v1/tickets/" + std::to_string(ticket) + "/actions";
}

}  // namespace

TEST_CASE("an admin cannot mint an API token for another person", "[integration]") {
  CollectorFixture c;
  const auto admin = c.admin_token();
  c.add_user("bob", "technician", kPassword);
  const auto bob = bearer_login(c, "bob");

  // The hole: a token for bob, in the admin's hands, would let the admin act as bob.
  auto for_bob = c.post("/api/v1/auth/tokens", {{"user", "bob"}, {"name", "as-bob"}}, admin);
  check_error(for_bob, 403, "forbidden");
  CHECK_THAT(for_bob.body["error"]["message"].get<std::string>(), Catch::Contains("personal"));
  CHECK(c.get("/api/v1/auth/tokens", admin).body["tokens"].empty());

  // A person mints their own (with or without naming themselves), whatever their role.
  auto own = c.post("/api/v1/auth/tokens", {{"name", "bob-laptop"}}, bob);
  INFO(own.text);
  REQUIRE(own.status == 201);
  CHECK(own.body["user"] == "bob");
  CHECK(own.body["created_by"] == "user:bob");
  const std::string bob_token = own.body["token"];
  CHECK(c.get("/api/v1/auth/me", bob_token).body["user"]["name"] == "bob");
  CHECK(c.post("/api/v1/auth/tokens", {{"user", "bob"}, {"name", "ci"}}, bob).status == 201);
  // ...but not for anyone else, and not with a token minted from a token (no self-renewal).
  check_error(c.post("/api/v1/auth/tokens", {{"user", "admin"}, {"name", "x"}}, bob), 403,
              "forbidden");
  check_error(c.post("/api/v1/auth/tokens", {{"name", "again"}}, bob_token), 403, "forbidden");

  // An admin mints for a service account, for an integration.
  auto svc = c.post("/api/v1/users",
                    {{"name", "rt-sync"}, {"role", "technician"}, {"kind", "service"}}, admin);
  INFO(svc.text);
  REQUIRE(svc.status == 201);
  CHECK(svc.body["kind"] == "service");
  auto svc_token = c.post("/api/v1/auth/tokens", {{"user", "rt-sync"}, {"name", "rt"}}, admin);
  REQUIRE(svc_token.status == 201);
  CHECK(svc_token.body["user"] == "rt-sync");
  // A person who is not an admin cannot.
  check_error(c.post("/api/v1/auth/tokens", {{"user", "rt-sync"}, {"name", "x"}}, bob), 403,
              "forbidden");

  // Listing: a person sees their own tokens; an admin sees every token.
  auto bobs = c.get("/api/v1/auth/tokens", bob);
  REQUIRE(bobs.status == 200);
  CHECK(bobs.body["tokens"].size() == 2);
  for (const auto& t : bobs.body["tokens"]) CHECK(t["user"] == "bob");
  CHECK(c.get("/api/v1/auth/tokens", admin).body["tokens"].size() == 3);

  // Revoking: a person only their own; an admin anyone's.
  const std::string svc_id = svc_token.body["id"];
  check_error(del(c, "/api/v1/auth/tokens/" + svc_id, bob), 404, "not_found");
  const std::string own_id = own.body["id"];
  CHECK(del(c, "/api/v1/auth/tokens/" + own_id, admin).status == 200);
  check_error(c.get("/api/v1/auth/me", bob_token), 401, "unauthorized");
  CHECK(del(c, "/api/v1/auth/tokens/" + svc_id, admin).status == 200);

  // The CLI is held to the same rule: tokens for service accounts only.
  auto cli_person = c.cli({"api-token", "create", "--user", "bob", "--name", "x"});
  CHECK(cli_person.exit_code != 0);
  CHECK_THAT(cli_person.err, Catch::Contains("service account"));
}

TEST_CASE("a service account cannot log in, request or approve orders", "[integration][actions]") {
  ActionsDir actions;
  CollectorFixture c(actions.config());
  const auto admin = c.admin_token();
  AgentFixture agent(c, "server");
  const auto ticket = ticket_with_device(c, agent);

  // No password, never admin.
  check_error(
      c.post("/api/v1/users",
             {{"name", "bot"}, {"role", "senior"}, {"kind", "service"}, {"password", kPassword}},
             admin),
      400, "invalid_request");
  check_error(
      c.post("/api/v1/users", {{"name", "bot"}, {"role", "admin"}, {"kind", "service"}}, admin),
      400, "invalid_request");
  auto created =
      c.post("/api/v1/users", {{"name", "bot"}, {"role", "senior"}, {"kind", "service"}}, admin);
  INFO(created.text);
  REQUIRE(created.status == 201);
  CHECK(created.body["kind"] == "service");
  const auto bot_path = "/api/v1/users/" + std::to_string(created.body["id"].get<std::int64_t>());
  check_error(c.patch(bot_path, {{"role", "admin"}}, admin), 400, "invalid_request");
  check_error(c.patch(bot_path, {{"password_change_required", true}}, admin), 400,
              "invalid_request");

  // No interactive sign-in, whatever is typed, and the same answer as a wrong password.
  for (const auto& password : {std::string(""), kPassword, std::string("x")}) {
    check_error(login(c, "bot", password.empty() ? "anything at all" : password), 401,
                "unauthorized");
  }
  auto listed = c.get("/api/v1/users", admin).body["users"];
  for (const auto& u : listed) {
    if (u["name"] == "bot") CHECK(u["kind"] == "service");
  }

  auto token = c.post("/api/v1/auth/tokens", {{"user", "bot"}, {"name", "monitoring"}}, admin);
  REQUIRE(token.status == 201);
  const std::string bot = token.body["token"];
  CHECK(c.get("/api/v1/devices", bot).status == 200);
  check_error(c.post("/api/v1/auth/password",
                     {{"current_password", kPassword}, {"new_password", kPassword + "!"}}, bot),
              403, "forbidden");

  // Requesting, approving and rejecting orders: never, whatever the role.
  auto asked = c.post(ticket_actions(ticket), {{"action", "echo-high"}}, bot);
  check_error(asked, 403, "forbidden");
  CHECK_THAT(asked.body["error"]["message"].get<std::string>(), Catch::Contains("service account"));
  c.add_user("sara", "senior", kPassword);
  const auto sara = bearer_login(c, "sara");
  auto order = c.post(ticket_actions(ticket), {{"action", "echo-high"}}, sara);
  REQUIRE(order.status == 201);
  const std::string id = order.body["id"];
  check_error(c.post("/api/v1/orders/" + id + "/approve", nlohmann::json::object(), bot), 403,
              "forbidden");
  check_error(c.post("/api/v1/orders/" + id + "/reject", nlohmann::json::object(), bot), 403,
              "forbidden");
  CHECK(c.get("/api/v1/orders/" + id, sara).body["state"] == "awaiting_approval");
}

TEST_CASE("an approval records the credential it was made with", "[integration][actions]") {
  ActionsDir actions;
  CollectorFixture c(actions.config());
  AgentFixture agent(c, "server");
  const auto ticket = ticket_with_device(c, agent);
  c.add_user("sara", "senior", kPassword);
  c.add_user("rita", "senior", kPassword);
  const auto sara = bearer_login(c, "sara");
  const auto sara_me = c.get("/api/v1/auth/me", sara).body;
  const std::string sara_credential = sara_me["credential"];
  CHECK_THAT(sara_credential, Catch::StartsWith("session:"));

  // Rita approves with an API token she minted herself.
  const auto rita_session = bearer_login(c, "rita");
  auto minted = c.post("/api/v1/auth/tokens", {{"name", "approvals"}}, rita_session);
  REQUIRE(minted.status == 201);
  const std::string rita = minted.body["token"];
  const std::string rita_token_id = minted.body["id"];

  auto order = c.post(ticket_actions(ticket), {{"action", "echo-high"}}, sara);
  REQUIRE(order.status == 201);
  const std::string id = order.body["id"];
  CHECK(order.body["requested_credential"] == sara_credential);
  CHECK(order.body["approved_credential"].is_null());

  auto approved = c.post("/api/v1/orders/" + id + "/approve", nlohmann::json::object(), rita);
  INFO(approved.text);
  REQUIRE(approved.status == 200);
  CHECK(approved.body["approved_by"] == "rita");
  CHECK(approved.body["approved_credential"] == "api_token:" + rita_token_id);
  CHECK(c.get("/api/v1/orders/" + id, sara).body["approved_credential"] ==
        "api_token:" + rita_token_id);

  // The audit record and the ticket timeline say the same.
  auto audit = c.get("/api/v1/audit?type=order.approved&target=order:" + id, c.admin_token());
  REQUIRE(audit.status == 200);
  REQUIRE(audit.body["events"].size() == 1);
  CHECK(audit.body["events"][0]["details"]["approved_credential"] == "api_token:" + rita_token_id);
  auto requested = c.get("/api/v1/audit?type=order.requested&target=order:" + id, c.admin_token());
  REQUIRE(requested.body["events"].size() == 1);
  CHECK(requested.body["events"][0]["details"]["requested_credential"] == sara_credential);
}

TEST_CASE("a forced reset blocks everything but the password change", "[integration]") {
  CollectorFixture c;
  const auto admin = c.admin_token();
  c.add_user("tom", "technician", kPassword);
  const auto before = bearer_login(c, "tom");
  CHECK(c.get("/api/v1/devices", before).status == 200);

  auto forced = c.patch("/api/v1/users/" + std::to_string(user_id(c, "tom")),
                        {{"password_change_required", true}}, admin);
  INFO(forced.text);
  REQUIRE(forced.status == 200);
  CHECK(forced.body["password_change_required"] == true);

  // The session tom already had is held too, and so is a new one.
  auto blocked = c.get("/api/v1/devices", before);
  check_error(blocked, 403, "password_change_required");
  CHECK_THAT(blocked.body["error"]["message"].get<std::string>(),
             Catch::Contains("/api/v1/me/password"));
  auto relogin = login(c, "tom", kPassword);
  REQUIRE(relogin.status == 200);
  CHECK(relogin.body["user"]["password_change_required"] == true);
  const std::string tom = relogin.body["token"];
  check_error(c.get("/api/v1/tickets", tom), 403, "password_change_required");
  check_error(c.post("/api/v1/tickets", {{"title", "x"}}, tom), 403, "password_change_required");
  check_error(c.post("/api/v1/auth/tokens", {{"name", "x"}}, tom), 403, "password_change_required");
  // Who am I and logging out still work: the console needs them to show the reset form.
  auto me = c.get("/api/v1/auth/me", tom);
  REQUIRE(me.status == 200);
  CHECK(me.body["user"]["password_change_required"] == true);

  const std::string fresh = "a brand new passphrase for tom";
  check_error(c.post("/api/v1/auth/password",
                     {{"current_password", kPassword}, {"new_password", kPassword}}, tom),
              400, "invalid_request");
  auto changed = c.post("/api/v1/auth/password",
                        {{"current_password", kPassword}, {"new_password", fresh}}, tom);
  INFO(changed.text);
  REQUIRE(changed.status == 200);
  CHECK(c.get("/api/v1/tickets", tom).status == 200);
  CHECK(c.get("/api/v1/auth/me", tom).body["user"]["password_change_required"] == false);
  check_error(login(c, "tom", kPassword), 401, "unauthorized");
  CHECK(login(c, "tom", fresh).status == 200);

  // An account an admin creates over the API starts with the admin's password: its owner
  // replaces it at first login before doing anything else.
  auto made = c.post("/api/v1/users",
                     {{"name", "nina"}, {"role", "viewer"}, {"password", kPassword}}, admin);
  REQUIRE(made.status == 201);
  CHECK(made.body["password_change_required"] == true);
  const auto nina = bearer_login(c, "nina");
  check_error(c.get("/api/v1/devices", nina), 403, "password_change_required");

  // So does the password `user add` generates (the demo's admin password).
  auto generated = c.cli({"user", "add", "--name", "demo-admin", "--role", "admin"});
  REQUIRE(generated.exit_code == 0);
  std::string password = generated.out;
  while (!password.empty() && password.back() == '\n') password.pop_back();
  const auto demo = bearer_login(c, "demo-admin", password);
  check_error(c.get("/api/v1/users", demo), 403, "password_change_required");
  REQUIRE(c.post("/api/v1/auth/password",
                 {{"current_password", password}, {"new_password", "the demo admin's own one"}},
                 demo)
              .status == 200);
  CHECK(c.get("/api/v1/users", demo).status == 200);
}

TEST_CASE("a user changes their own password", "[integration]") {
  CollectorFixture c;
  c.add_user("sam", "viewer", kPassword);
  const auto first = bearer_login(c, "sam");
  const auto second = bearer_login(c, "sam");
  const std::string next = "another long passphrase";

  check_error(c.post("/api/v1/auth/password",
                     {{"current_password", "not my password"}, {"new_password", next}}, first),
              403, "wrong_password");
  check_error(c.post("/api/v1/auth/password",
                     {{"current_password", kPassword}, {"new_password", "short"}}, first),
              400, "invalid_request");
  check_error(c.post("/api/v1/auth/password", {{"new_password", next}}, first), 400,
              "invalid_request");
  auto changed = c.post("/api/v1/auth/password",
                        {{"current_password", kPassword}, {"new_password", next}}, first);
  INFO(changed.text);
  REQUIRE(changed.status == 200);

  // The session that changed it goes on; every other session of sam's ends.
  CHECK(c.get("/api/v1/auth/me", first).status == 200);
  check_error(c.get("/api/v1/auth/me", second), 401, "unauthorized");
  check_error(login(c, "sam", kPassword), 401, "unauthorized");
  CHECK(login(c, "sam", next).status == 200);

  auto audit = c.get("/api/v1/audit?type=user.password_changed", c.admin_token());
  REQUIRE(audit.status == 200);
  REQUIRE(audit.body["events"].size() == 1);
  CHECK(audit.body["events"][0]["actor"] == "sam");
  CHECK(audit.text.find(next) == std::string::npos);

  // triagectl: `password` reads the current and the new password on standard input.
  c.add_user("tess", "viewer", kPassword);
  const auto ca = c.root() / "ca.pem";
  std::ofstream(ca) << c.ca_pem();
  auto ctl = [&](std::vector<std::string> args, const std::string& input) {
    std::vector<std::string> argv = {binary("triagectl"), "--config-dir",
                                     (c.root() / "ctl").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, c.root(), input);
  };
  auto logged_in = ctl({"login", "--server", "https://127.0.0.1:" + std::to_string(c.port()),
                        "--ca", ca.string(), "--name", "tess", "--password-stdin"},
                       kPassword + "\n");
  INFO(logged_in.err);
  REQUIRE(logged_in.exit_code == 0);
  auto changed_ctl = ctl({"password", "--password-stdin"}, kPassword + "\n" + next + "\n");
  INFO(changed_ctl.err);
  REQUIRE(changed_ctl.exit_code == 0);
  CHECK(login(c, "tess", next).status == 200);
}

TEST_CASE("the session cookie is __Host- prefixed: Secure, Path=/, no Domain", "[integration]") {
  CollectorFixture c;
  c.add_user("root", "admin", kPassword);
  auto res = login(c, "root", kPassword, "cookie");
  REQUIRE(res.status == 200);
  const auto set_cookie = res.header("set-cookie");
  REQUIRE_THAT(set_cookie, Catch::StartsWith("__Host-triage_session="));
  CHECK_THAT(set_cookie, Catch::Contains("; Path=/;") && Catch::Contains("; Secure"));
  CHECK(set_cookie.find("Domain") == std::string::npos);
  const auto value = set_cookie.substr(22, set_cookie.find(';') - 22);
  const std::string csrf = res.body["csrf_token"];

  const Headers cookie = {{"Cookie", "__Host-triage_session=" + value}};
  CHECK(c.send(http::verb::get, "/api/v1/auth/me", "", cookie).status == 200);
  // The old name no longer authenticates (a sibling host could plant it).
  check_error(
      c.send(http::verb::get, "/api/v1/auth/me", "", {{"Cookie", "triage_session=" + value}}), 401,
      "unauthorized");
  // CSRF still applies to the prefixed cookie.
  check_error(c.send(http::verb::post, "/api/v1/auth/logout", "{}", cookie), 403, "csrf");
  auto with_csrf = cookie;
  with_csrf.emplace_back("X-CSRF-Token", csrf);
  auto out = c.send(http::verb::post, "/api/v1/auth/logout", "{}", with_csrf);
  CHECK(out.status == 200);
  CHECK_THAT(out.header("set-cookie"),
             Catch::StartsWith("__Host-triage_session=;") && Catch::Contains("Max-Age=0"));
}

TEST_CASE("a flood of logins leaves other API requests answered", "[integration]") {
  // The default collector: two login threads and 32 waiting; the rest of a flood is refused.
  CollectorFixture c;
  c.add_user("sam", "viewer", kPassword);
  const auto token = bearer_login(c, "sam");

  constexpr int kFlood = 64;
  std::atomic<int> ok{0}, refused{0}, other{0};
  std::atomic<int> answered{0};
  std::vector<std::string> bad;
  std::mutex bad_mutex;
  struct Joined {
    std::vector<std::thread> threads;
    ~Joined() {
      for (auto& t : threads) {
        if (t.joinable()) t.join();
      }
    }
  } flood_threads;
  auto& flood = flood_threads.threads;
  for (int i = 0; i < kFlood; ++i) {
    flood.emplace_back([&] {
      try {
        auto r = login(c, "sam", kPassword);
        if (r.status == 200) {
          ++ok;
        } else if (r.status == 503 && r.body["error"]["code"] == "busy" &&
                   !r.header("retry-after").empty()) {
          ++refused;
        } else {
          ++other;
          std::lock_guard lock(bad_mutex);
          bad.push_back(r.text);
        }
      } catch (const std::exception& e) {
        ++other;
        std::lock_guard lock(bad_mutex);
        bad.push_back(e.what());
      }
      ++answered;
    });
  }
  // Once the flood is being answered, ordinary API calls still are, before it has drained:
  // they never wait behind password hashing.
  REQUIRE(eventually([&] { return answered.load() > 0; }, 120s));
  int served_early = 0;
  for (int i = 0; i < 10; ++i) {
    auto r = c.get("/api/v1/auth/me", token);
    CHECK(r.status == 200);
    if (ok.load() < kFlood / 2) ++served_early;
  }
  for (auto& t : flood) t.join();
  std::string unexpected;
  for (const auto& b : bad) unexpected += b.substr(0, 200) + "\n";
  INFO("logins ok " << ok << ", refused " << refused << ", other " << other << "\n" << unexpected);
  CHECK(other == 0);
  CHECK(refused > 0);
  CHECK(ok >= 1);
  CHECK(served_early == 10);
  auto metrics = c.get("/metrics", c.metrics_token());
  CHECK_THAT(metrics.text, Catch::Contains("triage_refusals_total{reason=\"login_busy\"}"));
}
