#include <catch2/catch.hpp>

#include "shared/util/time_format.hpp"

using triage::format_rfc3339;
using triage::parse_rfc3339;

TEST_CASE("RFC 3339 times read back what format wrote", "[util][time]") {
  auto t = parse_rfc3339("2026-11-23T09:05:00Z");
  REQUIRE(t);
  CHECK(format_rfc3339(*t) == "2026-11-23T09:05:00.000Z");
  CHECK(format_rfc3339(*parse_rfc3339("2026-11-23T09:05:00.250Z")) == "2026-11-23T09:05:00.250Z");
  CHECK(format_rfc3339(*parse_rfc3339("2026-11-23T10:05:00+01:00")) == "2026-11-23T09:05:00.000Z");
  CHECK(format_rfc3339(*parse_rfc3339("2026-11-23T04:35:00-04:30")) == "2026-11-23T09:05:00.000Z");
}

TEST_CASE("RFC 3339 parsing refuses anything else", "[util][time]") {
  for (const char* bad :
       {"", "yesterday", "2026-11-23", "2026-11-23T09:05:00", "2026-11-23 09:05:00Z",
        "2026-11-23T09:05:00Zjunk", "2026-11-23T09:05:00.Z", "2026-11-23T09:05:00+0100",
        "9999-01-01T00:00:00Z", "2026-13-23T09:05:00Z"}) {
    INFO(bad);
    CHECK_FALSE(parse_rfc3339(bad));
  }
}
