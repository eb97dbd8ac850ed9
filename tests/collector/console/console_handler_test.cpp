// The console's static file handler: which paths it owns, what it answers and the headers
// every answer carries.

#include "collector/console/console_handler.hpp"

#include <catch2/catch.hpp>

#include "collector/console/console_files.hpp"

using namespace triage::collector;
namespace http = triage::transport::http;

namespace {

triage::transport::HttpRequest request(std::string target, http::verb verb = http::verb::get) {
  triage::transport::HttpRequest req{verb, target, 11};
  return req;
}

void check_security_headers(const triage::transport::HttpResponse& res) {
  CHECK(res["Content-Security-Policy"] == kConsoleCsp);
  CHECK(res["X-Content-Type-Options"] == "nosniff");
  CHECK(res["Referrer-Policy"] == "no-referrer");
}

}  // namespace

TEST_CASE("the API, health, metrics and the agent endpoint are not the console's", "[console]") {
  CHECK_FALSE(console_response(request("/api/v1/tickets")));
  CHECK_FALSE(console_response(request("/api")));
  CHECK_FALSE(console_response(request("/healthz")));
  CHECK_FALSE(console_response(request("/metrics?x=1")));
  CHECK_FALSE(console_response(request("/agent/v1")));
  CHECK(is_console_path("/apis"));  // a segment, not a prefix
  CHECK(is_console_path("/"));
}

TEST_CASE("the console's files are served with their type, ETag and security headers",
          "[console]") {
  auto index = console_response(request("/"));
  REQUIRE(index);
  CHECK(index->result() == http::status::ok);
  CHECK(index->at(http::field::content_type) == "text/html; charset=utf-8");
  CHECK(index->body().find("/js/app.js") != std::string::npos);
  check_security_headers(*index);
  CHECK(index->at(http::field::cache_control) == "no-cache");

  auto script = console_response(request("/js/app.js?v=1"));
  REQUIRE(script);
  CHECK(script->result() == http::status::ok);
  CHECK(script->at(http::field::content_type) == "text/javascript; charset=utf-8");
  check_security_headers(*script);
  const std::string etag(script->at(http::field::etag));
  CHECK(etag.size() == 66);  // quoted SHA-256 hex

  auto again = request("/js/app.js");
  again.set(http::field::if_none_match, etag);
  auto cached = console_response(again);
  REQUIRE(cached);
  CHECK(cached->result() == http::status::not_modified);
  CHECK(cached->body().empty());
}

TEST_CASE("client-side routes get index.html, unknown files are 404, only GET", "[console]") {
  auto route = console_response(request("/tickets/12"));
  REQUIRE(route);
  CHECK(route->result() == http::status::ok);
  CHECK(route->body().find("/js/app.js") != std::string::npos);

  auto missing = console_response(request("/js/missing.js"));
  REQUIRE(missing);
  CHECK(missing->result() == http::status::not_found);
  check_security_headers(*missing);
  CHECK(console_response(request("/../collector.toml"))->result() == http::status::not_found);

  auto post = console_response(request("/", http::verb::post));
  REQUIRE(post);
  CHECK(post->result() == http::status::method_not_allowed);
  CHECK(post->at(http::field::allow) == "GET");
}

TEST_CASE("the embedded table is sorted and every file has a type", "[console]") {
  auto files = console_files();
  REQUIRE(files.size() >= 3);
  for (std::size_t i = 0; i < files.size(); ++i) {
    CHECK_FALSE(files[i].content_type.empty());
    CHECK(files[i].path.starts_with('/'));
    if (i > 0) CHECK(files[i - 1].path < files[i].path);
  }
}

TEST_CASE("the vendored chart library is embedded from npm beside the console's files",
          "[console]") {
  auto script = console_response(request("/vendor/uPlot.esm.js"));
  REQUIRE(script);
  CHECK(script->result() == http::status::ok);
  CHECK(script->at(http::field::content_type) == "text/javascript; charset=utf-8");
  CHECK(script->body().find("export { uPlot as default }") != std::string::npos);
  check_security_headers(*script);
  auto style = console_response(request("/vendor/uPlot.min.css"));
  REQUIRE(style);
  CHECK(style->at(http::field::content_type) == "text/css; charset=utf-8");
  // The page loads them: the stylesheet from index.html, the module from the charts.
  CHECK(console_response(request("/"))->body().find("/vendor/uPlot.min.css") != std::string::npos);
}
