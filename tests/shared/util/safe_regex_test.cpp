// Patterns from admins and users run in linear time with full-match semantics.
#include <catch2/catch.hpp>

#include "shared/util/safe_regex.hpp"

using triage::SafeRegex;

TEST_CASE("SafeRegex matches the whole text, like std::regex_match", "[safe_regex]") {
  auto re = SafeRegex::compile("^[A-Za-z0-9][A-Za-z0-9_.]{0,14}$");
  REQUIRE(re);
  CHECK(re->full_match("eth0"));
  CHECK(re->full_match("wlp2s0.100"));
  CHECK_FALSE(re->full_match("eth0\n"));
  CHECK_FALSE(re->full_match("eth0; reboot"));
  CHECK_FALSE(re->full_match(""));
  auto unanchored = SafeRegex::compile("a+");
  REQUIRE(unanchored);
  CHECK(unanchored->full_match("aaa"));
  CHECK_FALSE(unanchored->full_match("baaa"));
  // Byte-wise, as std::regex on std::string: "." is one byte, not one UTF-8 character.
  auto one = SafeRegex::compile("^.$");
  REQUIRE(one);
  CHECK(one->full_match("x"));
  CHECK_FALSE(one->full_match("\xC3\xBC"));
  CHECK(one->full_match("\xFF"));
  CHECK(SafeRegex().full_match(""));
  CHECK_FALSE(SafeRegex().full_match("x"));
}

TEST_CASE("SafeRegex answers a catastrophic-backtracking pattern correctly", "[safe_regex]") {
  auto re = SafeRegex::compile("^(a+)+$");
  REQUIRE(re);
  CHECK_FALSE(re->full_match(std::string(100000, 'a') + "b"));
  CHECK(re->full_match(std::string(100000, 'a')));
  auto nested = SafeRegex::compile("^(x+x+)+y$");
  REQUIRE(nested);
  CHECK_FALSE(nested->full_match(std::string(50000, 'x')));
}

TEST_CASE("SafeRegex refuses what it cannot run in linear time, with a reason", "[safe_regex]") {
  for (const char* pattern : {"(a)\\1", "(?=a)a", "(a", "a{1001}{1001}"}) {
    INFO(pattern);
    auto re = SafeRegex::compile(pattern);
    REQUIRE_FALSE(re);
    CHECK_FALSE(re.error().message.empty());
  }
}
