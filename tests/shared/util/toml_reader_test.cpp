// The one TOML reader: syntax errors with their position, typed reads naming the key's path and
// the type expected, unknown keys named with the allowed ones, and a size limit.

#include <catch2/catch.hpp>

#include "shared/util/toml_reader.hpp"

using triage::ErrorCode;
using triage::parse_toml;
using triage::TomlReader;
using triage::TomlWording;

namespace {

toml::table parsed(std::string_view text) { return parse_toml(text, "config t.toml").value(); }

}  // namespace

TEST_CASE("a TOML syntax error names the text, its line and its column") {
  auto r = parse_toml("[log]\nlevel = \"info\n", "config agent.toml");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kInvalid);
  CHECK_THAT(r.error().message, Catch::StartsWith("config agent.toml line 2, column "));
}

TEST_CASE("TOML text over the size limit is refused before it is parsed") {
  const std::string big = "# " + std::string(100, 'x') + "\n";
  auto r = parse_toml(big, "action definition big.toml", 64);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kInvalid);
  CHECK(r.error().message == "action definition big.toml: larger than 64 bytes");
  CHECK(parse_toml(big, "big.toml", big.size()));
}

TEST_CASE("a TOML file that cannot be read names the file") {
  auto r = triage::parse_toml_file("/nonexistent/c.toml", "config /nonexistent/c.toml");
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::StartsWith("config /nonexistent/c.toml: "));
}

TEST_CASE("a value of the wrong type names the key's path, its line and the type expected") {
  auto root = parsed("[limits]\n\nhello_timeout_ms = \"soon\"\nlisten = 5\nflag = 1\nlist = [1]\n");
  const TomlReader top(root);
  const auto limits = top.nested(*top.section("limits").value(), "limits");
  auto integer = limits.integer("hello_timeout_ms", 100, 600'000);
  REQUIRE_FALSE(integer);
  CHECK(integer.error().message ==
        "config key `limits.hello_timeout_ms` on line 3: expected an integer from 100 to 600000");
  auto text = limits.string("listen");
  REQUIRE_FALSE(text);
  CHECK(text.error().message == "config key `limits.listen` on line 4: expected a string");
  // A number is not a boolean, even though toml++ would convert it.
  auto flag = limits.boolean("flag");
  REQUIRE_FALSE(flag);
  CHECK(flag.error().message == "config key `limits.flag` on line 5: expected true or false");
  auto list = limits.strings("list");
  REQUIRE_FALSE(list);
  CHECK_THAT(list.error().message, Catch::Contains("`limits.list` on line 6: expected an array"));
}

TEST_CASE("a float is never read as an integer, nor an integer out of range") {
  for (const char* value : {"30.0", "6.6e56", "4", "601"}) {
    auto root = parsed(std::string("n = ") + value + "\n");
    auto n = TomlReader(root).integer("n", 5, 600);
    INFO(value);
    REQUIRE_FALSE(n);
    CHECK_THAT(n.error().message, Catch::Contains("expected an integer from 5 to 600"));
  }
}

TEST_CASE("typed reads of absent keys leave the caller's default") {
  auto root = parsed("[s]\n");
  const TomlReader r(root);
  CHECK(r.integer("n", 0, 1).value() == std::nullopt);
  CHECK(r.section("s").value() != nullptr);
  CHECK(r.section("absent").value() == nullptr);
  std::string text = "default";
  bool flag = true;
  int n = 7;
  REQUIRE(r.read("text", text));
  REQUIRE(r.read("flag", flag));
  REQUIRE(r.read("n", n, 0, 10));
  CHECK(text == "default");
  CHECK(flag);
  CHECK(n == 7);
}

TEST_CASE("an unknown key is named with its line and the allowed keys") {
  auto root = parsed("[schedule]\nreport_intervall_s = 60\n");
  const TomlReader top(root);
  const auto schedule = top.nested(*top.section("schedule").value(), "schedule");
  auto r = schedule.allow_only({"report_interval_s", "heartbeat_interval_s"});
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kInvalid);
  CHECK(r.error().message ==
        "unknown config key `schedule.report_intervall_s` on line 2; allowed: "
        "report_interval_s, heartbeat_interval_s");
  CHECK(schedule.allow_only({"report_intervall_s"}));
}

TEST_CASE("a value where a [section] belongs is an error") {
  auto root = parsed("spool = 5\n");
  auto r = TomlReader(root).section("spool");
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "config key `spool` on line 1: expected a [section]");
}

TEST_CASE("definition wording: the key's path with its line in parentheses") {
  auto root = parsed("id = 5\nshell = true\n");
  const TomlReader r(root, "", TomlWording::kDefinition);
  CHECK(r.string("id").error().message == "`id` (line 1): expected a string");
  CHECK(r.allow_only({"id"}).error().message == "`shell` (line 2): unknown key; allowed: id");
  CHECK(r.error("title", "is required").value().message == "`title`: is required");
}

TEST_CASE("a list check names the element it refuses, on that element's line") {
  auto root = parsed("allow = [\n  \"flush-dns\",\n  \"rm -rf\",\n]\n");
  std::vector<std::string> out;
  auto r = TomlReader(root, "policy").read("allow", out, [](const std::string& v) {
    return v.find(' ') == std::string::npos ? std::string() : "`" + v + "`: no spaces";
  });
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "config key `policy.allow` on line 3: `rm -rf`: no spaces");
}
