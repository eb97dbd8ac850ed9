// Parameter validation and argv resolution: hostile values never reach a signed order, and a
// value always lands as one whole argv element.

#include <catch2/catch.hpp>

#include "collector/actions/action_catalog.hpp"
#include "collector/actions/action_definition.hpp"

using namespace triage;
using namespace triage::collector;
using nlohmann::json;

namespace {

ActionDefinition builtin(const std::string& id) {
  auto catalog = ActionCatalog::load();
  REQUIRE(catalog);
  const auto* def = catalog->find(id);
  REQUIRE(def != nullptr);
  return *def;
}

}  // namespace

TEST_CASE("hostile values of a regex parameter are refused, naming the parameter") {
  const auto def = builtin("restart-service");
  const std::string overlong = std::string(200, 'a') + ".service";
  auto [what, value] = GENERATE_COPY(table<const char*, json>({
      {"shell separator", "cups.service; rm -rf /"},
      {"command substitution", "$(id).service"},
      {"backticks", "`id`.service"},
      {"newline", "cups.service\nreboot"},
      {"carriage return", "cups\r.service"},
      {"NUL byte", std::string("cups\0x.service", 14)},
      {"option injection", "--now.service"},
      {"leading dash", "-cups.service"},
      {"path traversal", "../../etc/passwd.service"},
      {"overlong", overlong},
      {"unicode lookalike", "cups\xE2\x80\xA4service"},
      {"unicode letters", "c\xC3\xBCps.service"},
      {"empty", ""},
      {"wrong suffix", "cups.socket"},
      {"number instead of string", 42},
      {"array", json::array({"cups.service"})},
      {"object", json::object()},
      {"null", nullptr},
  }));
  INFO(what);
  auto r = validate_params(def, {{"unit", value}});
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kInvalid);
  CHECK_THAT(r.error().message, Catch::Contains("`unit`"));
}

TEST_CASE("a valid unit name is accepted and becomes one argv element") {
  const auto def = builtin("restart-service");
  auto values = validate_params(def, {{"unit", "cups.service"}});
  REQUIRE(values);
  auto argv = resolve_argv(def.argv, *values);
  CHECK(argv ==
        std::vector<std::string>{"/usr/bin/systemctl", "try-restart", "--", "cups.service"});
  REQUIRE(def.post_check);
  CHECK(resolve_argv(def.post_check->argv, *values).back() == "cups.service");
}

TEST_CASE("integer parameters: range and type") {
  const auto def = builtin("kill-process");
  auto ok = validate_params(def, {{"pid", 4242}, {"name", "firefox"}});
  REQUIRE(ok);
  CHECK(resolve_argv(def.argv, *ok) == std::vector<std::string>{"/usr/bin/triage-agent",
                                                                "kill-process", "--pid", "4242",
                                                                "--name", "firefox"});
  auto [what, pid] = GENERATE_COPY(table<const char*, json>({
      {"pid 1", 1},
      {"negative", -5},
      {"too large", 99999999},
      {"huge unsigned", 18446744073709551615ull},
      {"float", 42.5},
      {"string", "42"},
      {"string with injection", "42; reboot"},
      {"bool", true},
  }));
  INFO(what);
  auto r = validate_params(def, {{"pid", pid}, {"name", "firefox"}});
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::Contains("`pid`"));
}

TEST_CASE("enum parameters accept only the listed values") {
  const auto def = builtin("vacuum-journal");
  REQUIRE(validate_params(def, {{"size", "500M"}}));
  for (json bad : {json("5G"), json("500M "), json("500m"), json("--vacuum-files=1"), json(500)}) {
    INFO(bad.dump());
    auto r = validate_params(def, {{"size", bad}});
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::Contains("`size`"));
  }
}

TEST_CASE("missing, unknown and misshaped parameters are refused") {
  const auto def = builtin("kill-process");
  auto missing = validate_params(def, {{"pid", 42}});
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().message, Catch::Contains("`name`"));
  auto unknown = validate_params(def, {{"pid", 42}, {"name", "x"}, {"signal", "KILL"}});
  REQUIRE_FALSE(unknown);
  CHECK_THAT(unknown.error().message, Catch::Contains("`signal`"));
  auto not_object = validate_params(def, json::array());
  REQUIRE_FALSE(not_object);
  CHECK_THAT(not_object.error().message, Catch::Contains("params"));
  // An action without parameters takes none.
  const auto flush = builtin("flush-dns");
  CHECK(validate_params(flush, json::object()));
  CHECK(validate_params(flush, nullptr));
  CHECK_FALSE(validate_params(flush, {{"x", 1}}));
}

TEST_CASE("resolution replaces whole elements only") {
  ParamValues values{{"a", "x y; z"}};
  CHECK(resolve_argv({"/bin/echo", "{a}", "pre{a}", "{a}"}, values) ==
        std::vector<std::string>{"/bin/echo", "x y; z", "pre{a}", "x y; z"});
}

namespace {

ActionDefinition with_pattern(const std::string& pattern) {
  auto def = parse_action_definition(R"(id = "echo-word"
version = 1
title = "Echo a word"
description = "test"
platform = "linux"
argv = ["/bin/echo", "{word}"]
timeout_s = 10
output_cap_bytes = 1024
risk = "low"
min_role = "technician"
approval = "none"

[params.word]
type = "regex"
description = "a word"
pattern = ')" + pattern + R"('
max_length = 4096
)",
                                     "test");
  INFO((def ? "" : def.error().message));
  REQUIRE(def);
  return *def;
}

}  // namespace

TEST_CASE(
    "Admin-written std::regex patterns backtrack catastrophically: a nested quantifier "
    "answers correctly on a long value") {
  // With a backtracking engine this is 2^4000 steps (or a stack overflow); RE2 is linear.
  const auto def = with_pattern("^(a+)+$");
  auto refused = validate_params(def, {{"word", std::string(4000, 'a') + "b"}});
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error().message, Catch::Contains("does not match"));
  auto accepted = validate_params(def, {{"word", std::string(4000, 'a')}});
  CHECK(accepted);
  const auto alternation = with_pattern("^(a|aa)+$");
  CHECK_FALSE(validate_params(alternation, {{"word", std::string(3000, 'a') + "!"}}));
  CHECK(validate_params(alternation, {{"word", std::string(3000, 'a')}}));
}

TEST_CASE(
    "A parameter pattern the linear engine cannot run is refused when the action is "
    "defined") {
  for (const char* pattern : {"^(a)\\1$", "^(?=a)a$", "^(a$"}) {
    INFO(pattern);
    auto def = parse_action_definition(std::string(R"(id = "echo-word"
version = 1
title = "Echo a word"
description = "test"
platform = "linux"
argv = ["/bin/echo", "{word}"]
timeout_s = 10
output_cap_bytes = 1024
risk = "low"
min_role = "technician"
approval = "none"

[params.word]
type = "regex"
description = "a word"
pattern = ')") + pattern + R"('
max_length = 64
)",
                                       "test");
    REQUIRE_FALSE(def);
    CHECK_THAT(def.error().message, Catch::Contains("pattern"));
  }
}

TEST_CASE(
    "platform field: an action definition names linux or windows, and argv[0] is absolute by "
    "that platform's rules") {
  auto define = [](const std::string& platform, const std::string& program) {
    return parse_action_definition(R"(id = "flush-dns-test"
version = 1
title = "Flush DNS"
platform = ")" + platform + R"("
argv = [')" + program + R"(', "/flushdns"]
risk = "low"
)",
                                   "test");
  };
  auto windows = define("windows", "C:\\Windows\\System32\\ipconfig.exe");
  INFO((windows ? "" : windows.error().message));
  REQUIRE(windows);
  CHECK(windows->platform == "windows");
  CHECK(windows->argv.front() == "C:\\Windows\\System32\\ipconfig.exe");
  CHECK(define("linux", "/usr/bin/resolvectl"));
  // Each platform's absolute paths only.
  CHECK_THAT(define("windows", "/usr/bin/resolvectl").error().message,
             Catch::Contains("absolute path on windows"));
  CHECK_THAT(define("linux", "C:\\Windows\\System32\\ipconfig.exe").error().message,
             Catch::Contains("absolute path on linux"));
  for (const char* relative : {"ipconfig.exe", "C:ipconfig.exe", "\\Windows\\ipconfig.exe",
                               "\\\\server\\share\\ipconfig.exe"}) {
    INFO(relative);
    CHECK_FALSE(define("windows", relative));
  }
  CHECK_THAT(define("macos", "/usr/bin/true").error().message,
             Catch::Contains("expected linux or windows"));
}
