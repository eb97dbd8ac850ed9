// The router is the one place that turns a handler's failure into a status and
// the API's JSON error body: every ErrorCode, the HTTP-only refusals, the
// router's own refusals, and handlers that throw (a 500 that names nothing of
// the cause).

#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "collector/api/api_router.hpp"
#include "collector/audit/audit_log.hpp"
#include "collector/enrollment/enrollment_service.hpp"
#include "collector/metrics/collector_metrics.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "collector/tickets/ticket_service.hpp"
#include "tests/support/recorded_agent_channel.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::collector;

namespace {

constexpr const char* kInternal = "internal error; see the collector log";

HttpRequest request(http::verb method, std::string target) {
  HttpRequest req{method, target, 11};
  req.prepare_payload();
  return req;
}

nlohmann::json error_body(const std::string& code, const std::string& message) {
  return {{"error", {{"code", code}, {"message", message}}}};
}

nlohmann::json body_of(const HttpResponse& res) { return nlohmann::json::parse(res.body()); }

class NoEnrichment final : public EnrichmentScheduler {
 public:
  void enrich(std::int64_t, const std::string&, const std::string&) override {}
};

// A router over a real (empty) store, serving the routes a test gives it.
struct World {
  testing::TempDir dir;
  std::unique_ptr<SqliteStore> store;
  testing::RecordedAgentChannel agents;
  CollectorMetrics metrics;
  NoEnrichment enrichment;
  std::unique_ptr<EnrollmentService> enrollment;
  std::unique_ptr<TicketService> tickets;
  std::unique_ptr<AuditLog> audit;
  transport::PeerIdentity peer;

  World() {
    store = std::move(*SqliteStore::open((dir.path() / "c.db").string()));
    enrollment = std::make_unique<EnrollmentService>(*store, nullptr, nullptr, "");
    tickets = std::make_unique<TicketService>(*store, SlaPolicy{}, &enrichment);
    audit = std::make_unique<AuditLog>(*store);
    peer.remote_address = "127.0.0.1";
  }

  ApiRouter router(std::vector<RouteSpec> routes) {
    return ApiRouter(
        ApiServices{*store, agents, *enrollment, metrics, *tickets, enrichment, *audit, {}},
        std::move(routes));
  }
};

RouteSpec route(std::string pattern, RouteSpec::Handler handler, Access access = Access::kPublic) {
  return RouteSpec{http::verb::get, std::move(pattern), access, Role::kViewer, std::move(handler)};
}

}  // namespace

TEST_CASE("the router maps every ErrorCode to its status and code word", "[api][router]") {
  struct Row {
    ErrorCode code;
    http::status status;
    const char* word;
  };
  const auto row =
      GENERATE(Row{ErrorCode::kInvalid, http::status::bad_request, "invalid_request"},
               Row{ErrorCode::kNotFound, http::status::not_found, "not_found"},
               Row{ErrorCode::kConflict, http::status::conflict, "conflict"},
               Row{ErrorCode::kDenied, http::status::forbidden, "forbidden"},
               Row{ErrorCode::kUnavailable, http::status::service_unavailable, "unavailable"});
  INFO(row.word);
  auto res = api_error_response(Error{"field `title` must be a string", row.code});
  CHECK(res.result() == row.status);
  CHECK(res[http::field::content_type] == "application/json");
  CHECK(res[http::field::cache_control] == "no-store");
  CHECK(body_of(res) == error_body(row.word, "field `title` must be a string"));
}

TEST_CASE("a failure of the server itself is a 500 that names nothing of its cause",
          "[api][router]") {
  auto res = api_error_response(
      Error{"sqlite /var/lib/triage/collector.db: disk I/O error", ErrorCode::kFailed});
  CHECK(res.result() == http::status::internal_server_error);
  CHECK(body_of(res) == error_body("internal", kInternal));
  CHECK(res.body().find("sqlite") == std::string::npos);
}

TEST_CASE("an HTTP refusal keeps its status, code word and headers", "[api][router]") {
  SECTION("401") {
    auto res = api_error_response(unauthorized("wrong name or password").value());
    CHECK(res.result() == http::status::unauthorized);
    CHECK(body_of(res) == error_body("unauthorized", "wrong name or password"));
  }
  SECTION("429 with Retry-After") {
    auto res = api_error_response(
        rate_limited("too many failed logins", std::chrono::seconds(30)).value());
    CHECK(res.result() == http::status::too_many_requests);
    CHECK(res[http::field::retry_after] == "30");
    CHECK(body_of(res) == error_body("rate_limited", "too many failed logins"));
  }
  SECTION("a code word of its own") {
    auto res = api_error_response(
        refuse(http::status::forbidden, "wrong_password", "the current password is wrong").value());
    CHECK(res.result() == http::status::forbidden);
    CHECK(body_of(res) == error_body("wrong_password", "the current password is wrong"));
  }
}

TEST_CASE("a handler's success and failure reach the client as the handler gave them",
          "[api][router]") {
  World w;
  auto router = w.router({route("/ok",
                                [](ApiServices&, ApiRequest&) -> ApiResult {
                                  return json_response(http::status::created, {{"id", 7}});
                                }),
                          route("/conflict", [](ApiServices&, ApiRequest&) -> ApiResult {
                            return fail(ErrorCode::kConflict, "ticket 7 is closed");
                          })});
  auto ok = router.handle(request(http::verb::get, "/ok"), w.peer);
  CHECK(ok.result() == http::status::created);
  CHECK(body_of(ok) == nlohmann::json{{"id", 7}});
  auto conflict = router.handle(request(http::verb::get, "/conflict"), w.peer);
  CHECK(conflict.result() == http::status::conflict);
  CHECK(body_of(conflict) == error_body("conflict", "ticket 7 is closed"));
}

TEST_CASE("a handler that throws is a 500 with no internals leaked", "[api][router]") {
  World w;
  auto router = w.router({route("/boom", [](ApiServices&, ApiRequest&) -> ApiResult {
    throw std::runtime_error("secret: /var/lib/triage/ca.key");
  })});
  HttpResponse res;
  REQUIRE_NOTHROW(res = router.handle(request(http::verb::get, "/boom?token=secret"), w.peer));
  CHECK(res.result() == http::status::internal_server_error);
  CHECK(body_of(res) == error_body("internal", kInternal));
  CHECK(res.body().find("secret") == std::string::npos);
}

TEST_CASE(
    "a handler that throws something other than std::exception is a 500, "
    "not the end of "
    "the collector",
    "[api][router]") {
  World w;
  auto router = w.router({route("/boom", [](ApiServices&, ApiRequest&) -> ApiResult {
    throw 42;  // what a third-party library or a careless `throw` can do
  })});
  HttpResponse res;
  REQUIRE_NOTHROW(res = router.handle(request(http::verb::get, "/boom"), w.peer));
  CHECK(res.result() == http::status::internal_server_error);
  CHECK(body_of(res) == error_body("internal", kInternal));
}

TEST_CASE("the router's own refusals keep their status and body", "[api][router]") {
  World w;
  auto router = w.router({route(
      "/api/v1/private",
      [](ApiServices&, ApiRequest&) -> ApiResult { return json_response(http::status::ok, {}); },
      Access::kAuthenticated)});
  SECTION("no such path") {
    auto res = router.handle(request(http::verb::get, "/api/v1/nothing"), w.peer);
    CHECK(res.result() == http::status::not_found);
    CHECK(body_of(res) == error_body("not_found", "no such endpoint"));
  }
  SECTION("a path without that method") {
    auto res = router.handle(request(http::verb::delete_, "/api/v1/private"), w.peer);
    CHECK(res.result() == http::status::method_not_allowed);
    CHECK(body_of(res) == error_body("method_not_allowed", "method not allowed on this path"));
  }
  SECTION("no credentials: 401 with a Bearer challenge") {
    auto res = router.handle(request(http::verb::get, "/api/v1/private"), w.peer);
    CHECK(res.result() == http::status::unauthorized);
    CHECK(res[http::field::www_authenticate] == "Bearer");
    CHECK(body_of(res)["error"]["code"] == "unauthorized");
  }
}
