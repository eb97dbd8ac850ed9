#include <catch2/catch.hpp>

#include "shared/transport/url.hpp"

using triage::transport::parse_url;

TEST_CASE("collector URLs parse into host, port and path") {
  auto u = parse_url("wss://collector.example.com:9443/agent/v1");
  REQUIRE(u);
  CHECK(u->scheme == "wss");
  CHECK(u->host == "collector.example.com");
  CHECK(u->port == "9443");
  CHECK(u->path == "/agent/v1");
  auto d = parse_url("wss://127.0.0.1");
  REQUIRE(d);
  CHECK(d->port == "8443");
  CHECK(d->path == "/");
  auto v6 = parse_url("https://[::1]:8443");
  REQUIRE(v6);
  CHECK(v6->host == "::1");
}

TEST_CASE("URLs without TLS or with junk are refused with the reason") {
  auto plain = parse_url("ws://127.0.0.1:8443");
  REQUIRE_FALSE(plain);
  CHECK_THAT(plain.error().message, Catch::Contains("TLS is mandatory"));
  CHECK_FALSE(parse_url("127.0.0.1:8443"));
  CHECK_FALSE(parse_url("wss://:8443"));
  CHECK_FALSE(parse_url("wss://host:99999"));
  CHECK_FALSE(parse_url("wss://host:12ab"));
  CHECK_FALSE(parse_url("wss://user@host:8443"));
}
