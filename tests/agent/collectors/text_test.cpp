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
