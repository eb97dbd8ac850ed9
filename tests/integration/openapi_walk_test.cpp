// Walks the served OpenAPI document against a real collector: each role × each documented
// operation. A role below the documented one is refused with 403, the documented role and
// above get past the gate, anonymous callers get 401, and every answer is one the document
// lists for that operation.

#include <map>
#include <regex>

#include <catch2/catch.hpp>

#include "tests/support/collector_fixture.hpp"

using namespace triage::testing;
namespace http = triage::transport::http;

namespace {

const std::vector<std::string> kRoles = {"viewer", "technician", "senior", "admin"};

int rank(const std::string& role) {
  for (std::size_t i = 0; i < kRoles.size(); ++i) {
    if (kRoles[i] == role) return static_cast<int>(i);
  }
  FAIL("unknown role in the document: " << role);
  return -1;
}

http::verb verb_of(const std::string& method) {
  if (method == "get") return http::verb::get;
  if (method == "post") return http::verb::post;
  if (method == "patch") return http::verb::patch;
  if (method == "put") return http::verb::put;
  if (method == "delete") return http::verb::delete_;
  FAIL("unexpected method " << method);
  return http::verb::unknown;
}

// Ids that exist nowhere: handlers answer 404 or 400, never act on anything.
std::string fill_path(const std::string& pattern) {
  return std::regex_replace(pattern, std::regex(R"(\{[a-z_]+\})"), "999999");
}

std::string error_message(const ApiResponse& r) {
  if (r.body.is_discarded() || !r.body.contains("error")) return "";
  return r.body["error"].value("message", "");
}

struct Operation {
  std::string method;
  std::string path;
  nlohmann::json spec;
};

}  // namespace

TEST_CASE("every documented operation enforces its documented role, in a real collector",
          "[integration][api][openapi]") {
  CollectorFixture c;
  auto served = c.get("/api/v1/openapi.json");
  REQUIRE(served.status == 200);
  REQUIRE(served.header("content-type") == "application/json");
  REQUIRE(served.body.is_object());

  std::vector<Operation> operations;
  for (const auto& [path, item] : served.body["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      if (method == "parameters") continue;
      operations.push_back({method, path, op});
    }
  }
  REQUIRE(operations.size() >= 30);

  std::map<std::string, std::string> tokens;
  for (const auto& role : kRoles) tokens[role] = c.login_as("walk-" + role, role);

  auto call = [&](const Operation& op, const std::string& token) {
    Headers headers;
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    const bool has_body = op.method == "post" || op.method == "patch" || op.method == "put";
    return c.send(verb_of(op.method), fill_path(op.path), has_body ? "{}" : "", headers);
  };

  std::size_t checked = 0;
  for (const auto& op : operations) {
    if (op.spec["x-triage-access"] != "authenticated") continue;
    // Logging out ends the caller's session: it is walked last, below.
    if (op.path == "/api/v1/auth/logout") continue;
    const auto needed = op.spec["x-triage-role"].get<std::string>();
    INFO(op.method << " " << op.path << " (needs " << needed << ")");

    auto anonymous = call(op, "");
    CHECK(anonymous.status == 401);

    for (const auto& role : kRoles) {
      INFO("as " << role);
      auto r = call(op, tokens[role]);
      INFO(r.status << " " << r.text.substr(0, 300));
      CHECK(op.spec["responses"].contains(std::to_string(r.status)));
      if (rank(role) < rank(needed)) {
        CHECK(r.status == 403);
        CHECK(error_message(r).find("role") != std::string::npos);
      } else {
        CHECK(r.status != 401);
        // A 403 past the gate comes from the handler's own rule, never from the role check.
        if (r.status == 403) CHECK(error_message(r).find("role; you are") == std::string::npos);
      }
      ++checked;
    }
  }
  CHECK(checked >= 4 * 25);

  // Every role may log out; afterwards its token is worthless.
  for (const auto& role : kRoles) {
    INFO(role);
    CHECK(c.post("/api/v1/auth/logout", nlohmann::json::object(), tokens[role]).status < 300);
    CHECK(c.get("/api/v1/auth/me", tokens[role]).status == 401);
  }
}

TEST_CASE("public operations answer without credentials as documented",
          "[integration][api][openapi]") {
  CollectorFixture c;
  auto doc = c.get("/api/v1/openapi.json").body;
  REQUIRE(doc.is_object());
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      if (method != "get" || op["x-triage-access"] != "public") continue;
      INFO(path);
      // /metrics is public to the REST router; the listener in front asks for its own token.
      auto r = c.get(path, path == "/metrics" ? c.metrics_token() : "");
      CHECK(r.status == 200);
      CHECK(op["responses"].contains("200"));
    }
  }
}
