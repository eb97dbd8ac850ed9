// The text helpers every parser uses.
#include <catch2/catch.hpp>

#include "agent/collectors/text.hpp"

using namespace triage::agent;

TEST_CASE("Text helpers", "[parsers]") {
  CHECK(trim("  a b \r\n") == "a b");
  CHECK(split_lines("a\r\nb\n\nc") == std::vector<std::string_view>{"a", "b", "", "c"});
  CHECK(split_ws(" a \t b  c ") == std::vector<std::string_view>{"a", "b", "c"});
  CHECK(to_uint("12") == 12u);
  CHECK_FALSE(to_uint("12a").has_value());
  CHECK_FALSE(to_uint("99999999999999999999999").has_value());
  CHECK(to_uint("ff", 16) == 255u);
  CHECK(unquote("\"Debian GNU/Linux 12\"") == "Debian GNU/Linux 12");
  CHECK(unquote("'it\\'s'") == "it's");
  CHECK(clean_text("ok\x01\xff\xc3\xa9") == "ok??\xc3\xa9");
  CHECK(clean_text(std::string(10000, 'x'), 100).size() == 100);
}

TEST_CASE("text: to_double refuses what is not a finite number", "[text]") {
  CHECK_FALSE(to_double("nan"));
  CHECK_FALSE(to_double("inf"));
  CHECK_FALSE(to_double("-inf"));
  CHECK_FALSE(to_double("1e400"));
  CHECK(to_double("1e29") == 1e29);
  CHECK(to_double("-2.5") == -2.5);
}

TEST_CASE("text: clamp_to converts any double without leaving the target's range", "[text]") {
  CHECK(clamp_to<std::uint32_t>(5.55556e37) == std::numeric_limits<std::uint32_t>::max());
  CHECK(clamp_to<std::uint32_t>(-3.0) == 0);
  CHECK(clamp_to<std::uint32_t>(2399.6) == 2400);
  CHECK(clamp_to<int>(-1e20) == std::numeric_limits<int>::min());
  CHECK(clamp_to<int>(std::nan("")) == 0);
  CHECK(clamp_to<std::int64_t>(1e19) == std::numeric_limits<std::int64_t>::max());
  CHECK(clamp_to<float>(1e300) == std::numeric_limits<float>::max());
  CHECK(clamp_to<float>(12.5) == 12.5f);
}
