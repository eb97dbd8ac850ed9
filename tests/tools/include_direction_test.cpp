// The include-direction check (tools/include_direction): the rules file's syntax and cycles,
// and fixture trees with and without an include against the direction.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "tools/include_direction/include_check.hpp"
#include "tools/include_direction/layer_rules.hpp"

using namespace triage::tools;

namespace {

const std::filesystem::path kFixtures =
    std::filesystem::path(TRIAGE_FIXTURES_DIR) / "include_direction";

LayerRules fixture_rules() {
  std::ifstream in(kFixtures / "dependencies.txt");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto rules = parse_layer_rules(text);
  REQUIRE(rules);
  return *rules;
}

}  // namespace

TEST_CASE("a tree whose includes follow the direction passes the check") {
  auto report = check_tree(kFixtures / "allowed", fixture_rules());
  REQUIRE(report);
  CHECK(report->violations.empty());
  CHECK(report->files == 5);
  CHECK(report->includes == 6);
}

TEST_CASE("an include against the direction fails the check, naming file, line and edge") {
  auto report = check_tree(kFixtures / "forbidden", fixture_rules());
  REQUIRE(report);
  REQUIRE(report->violations.size() == 1);
  const auto& v = report->violations[0];
  CHECK(v.file == "low/util/strings.cpp");
  CHECK(v.line == 3);
  CHECK(v.message ==
        "includes \"high/app/app.hpp\": forbidden edge low/util -> high/app "
        "(low/util may not depend on high/app)");
}

TEST_CASE("the arrows are followed: a folder may include what the folders it names may") {
  auto rules = parse_layer_rules("a:\nb: a\nc: b\n");
  REQUIRE(rules);
  CHECK(rules->may_include("c", "a"));
  CHECK(rules->may_include("c", "c"));
  CHECK_FALSE(rules->may_include("a", "b"));
  IncludeReport report;
  check_file("c/x.cpp", "#include \"a/y.hpp\"\n", *rules, report);
  CHECK(report.violations.empty());
}

TEST_CASE("subfolders belong to their folder unless listed on a line of their own") {
  auto rules = parse_layer_rules("low:\nlow/backend: low\nhigh: low\n");
  REQUIRE(rules);
  CHECK(rules->folder_of("low/sub/x.cpp") == "low");
  CHECK(rules->folder_of("low/backend/x.cpp") == "low/backend");
  CHECK(rules->folder_of("lowish/x.cpp").empty());
  IncludeReport report;
  check_file("low/x.cpp", "#include \"low/sub/y.hpp\"\n#include \"low/backend/z.hpp\"\n", *rules,
             report);
  REQUIRE(report.violations.size() == 1);
  CHECK(report.violations[0].line == 2);
}

TEST_CASE("platform-neutral code may not include a platform folder's header") {
  auto rules = parse_layer_rules("platforms: linux windows\nagent/collectors:\n");
  REQUIRE(rules);
  IncludeReport report;
  check_file("agent/collectors/catalog.cpp", "#include \"agent/collectors/linux/meminfo.hpp\"\n",
             *rules, report);
  check_file("agent/collectors/linux/catalog.cpp",
             "#include \"agent/collectors/linux/meminfo.hpp\"\n#include "
             "\"agent/collectors/collector.hpp\"\n",
             *rules, report);
  REQUIRE(report.violations.size() == 1);
  CHECK(report.violations[0].file == "agent/collectors/catalog.cpp");
}

TEST_CASE("a file or an include in no listed folder fails the check") {
  auto rules = parse_layer_rules("collector/storage:\n");
  REQUIRE(rules);
  IncludeReport report;
  check_file("collector/newfolder/x.cpp", "", *rules, report);
  check_file("collector/storage/x.cpp", "#include \"collector/other/y.hpp\"\n#include <vector>\n",
             *rules, report);
  REQUIRE(report.violations.size() == 2);
  CHECK(report.violations[0].file == "collector/newfolder/x.cpp");
  CHECK(report.violations[1].line == 1);
}

TEST_CASE("the rules refuse a cycle, an unlisted folder and a malformed line") {
  auto cycle = parse_layer_rules("a: c\nb: a\nc: b\n");
  REQUIRE_FALSE(cycle);
  CHECK(cycle.error().message.find("cycle: a -> c -> b -> a") != std::string::npos);
  auto unlisted = parse_layer_rules("a: b\n");
  REQUIRE_FALSE(unlisted);
  CHECK(unlisted.error().message == "line 1: a names b, which has no line of its own");
  auto twice = parse_layer_rules("a:\n# a comment\na:\n");
  REQUIRE_FALSE(twice);
  CHECK(twice.error().message == "line 3: folder a is listed already on line 1");
  CHECK_FALSE(parse_layer_rules("a b: c\n"));
  CHECK_FALSE(parse_layer_rules("just words\n"));
}
