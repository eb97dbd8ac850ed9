// Action definitions: the built-ins parse and line up with the findings rules; definition
// files that would let a value become shell text, an option or a relative program are refused.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "collector/actions/action_catalog.hpp"
#include "collector/findings/rule_catalog.hpp"
#include "shared/actions/action_platform.hpp"
#include "shared/pki/secrets.hpp"

using namespace triage;
using namespace triage::collector;

namespace {

const char* kEcho = R"(
id = "echo-test"
version = 2
title = "Echo"
argv = ["/bin/echo", "--", "{text}"]
risk = "low"
[params.text]
type = "regex"
pattern = '^[a-z]{1,8}$'
max_length = 8
)";

std::string replace(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("every built-in action parses, has an absolute program and a content hash") {
  auto catalog = ActionCatalog::load();
  REQUIRE(catalog);
  std::set<std::string> ids;
  for (const auto& def : catalog->all()) {
    INFO(def.id);
    ids.insert(def.id);
    CHECK(actions::is_absolute_program_path(def.platform, def.argv.at(0)));
    CHECK(def.sha256.size() == 64);
    CHECK(def.source == "builtin");
  }
  for (const char* id : {"restart-service", "flush-dns", "renew-dhcp", "restart-network-manager",
                         "clear-print-queue", "vacuum-journal", "clean-package-cache",
                         "clear-temp-files", "kill-process", "sync-time", "reboot"}) {
    CHECK(ids.count(id) == 1);
  }
  // The Windows built-ins run the installed agent (installers/windows/triage-agent.wxs puts it
  // there), never a shell.
  for (const char* id :
       {"restart-windows-service", "clear-windows-print-queue", "flush-dns-windows",
        "kill-process-windows", "restart-explorer-windows", "collect-windows-log-bundle"}) {
    INFO(id);
    const auto* def = catalog->find(id);
    REQUIRE(def != nullptr);
    CHECK(def->platform == "windows");
    CHECK(def->argv.at(0) == "C:\\Program Files\\triage\\triage-agent.exe");
    if (def->post_check) CHECK(def->post_check->argv.at(0) == def->argv.at(0));
  }
  for (const auto& def : catalog->all()) {
    INFO(def.id);
    CHECK((def.platform == "linux" || def.platform == "windows"));
  }
  const auto* restart = catalog->find("restart-windows-service");
  REQUIRE(restart != nullptr);
  CHECK(restart->risk == ActionRisk::kMedium);
  REQUIRE(restart->post_check);
  CHECK(restart->post_check->argv.at(1) == "service-running");
  // It closes the user's File Explorer windows: not low risk; a technician may, unapproved.
  const auto* explorer = catalog->find("restart-explorer-windows");
  REQUIRE(explorer != nullptr);
  CHECK(explorer->risk == ActionRisk::kMedium);
  CHECK_FALSE(explorer->needs_approval());
  CHECK(explorer->required_role() == Role::kTechnician);
  REQUIRE(explorer->post_check);
  CHECK(explorer->post_check->argv.at(1) == "explorer-running");
  // The Windows log bundle mirrors the Linux one: same cap, risk and role, its own attachment.
  const auto* bundle = catalog->find("collect-log-bundle");
  const auto* windows_bundle = catalog->find("collect-windows-log-bundle");
  REQUIRE(bundle != nullptr);
  REQUIRE(windows_bundle != nullptr);
  CHECK(windows_bundle->argv.at(1) == "log-bundle");
  CHECK(windows_bundle->output_cap_bytes == bundle->output_cap_bytes);
  CHECK(windows_bundle->risk == bundle->risk);
  CHECK(windows_bundle->required_role() == bundle->required_role());
  CHECK(windows_bundle->needs_approval() == bundle->needs_approval());
  const auto* reboot = catalog->find("reboot");
  REQUIRE(reboot != nullptr);
  CHECK(reboot->risk == ActionRisk::kHigh);
  CHECK(reboot->needs_approval());
  CHECK(reboot->required_role() == Role::kSenior);
  // The hash is of the exact embedded bytes.
  for (const auto& file : builtin_definitions()) {
    auto def = parse_action_definition(file.text, std::string(file.name));
    REQUIRE(def);
    CHECK(def->sha256 == pki::sha256_hex(file.text));
  }
}

TEST_CASE("built-in actions and findings rules name each other consistently") {
  auto catalog = ActionCatalog::load();
  REQUIRE(catalog);
  for (const auto& def : catalog->all()) {
    for (const auto& rule : def.fixes) {
      INFO(def.id << " fixes " << rule);
      CHECK(find_rule(rule) != nullptr);
    }
  }
  // Every action id a rule suggests (read from the rules' sources) is in the catalog.
  const std::regex quoted_id("\"([a-z]+(?:-[a-z]+)+)\"");
  std::set<std::string> suggested;
  for (const auto& entry : std::filesystem::directory_iterator(
           std::filesystem::path(TRIAGE_SOURCE_DIR) / "collector/findings/rules")) {
    std::ifstream in(entry.path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (std::sregex_iterator it(text.begin(), text.end(), quoted_id), end; it != end; ++it) {
      suggested.insert((*it)[1].str());
    }
  }
  CHECK(suggested.count("restart-service") == 1);
  for (const auto& id : suggested) {
    INFO("a rule suggests " << id);
    CHECK(catalog->find(id) != nullptr);
  }
}

TEST_CASE("the manifest lists every action with its hash and risk") {
  auto catalog = ActionCatalog::load();
  REQUIRE(catalog);
  auto manifest = catalog->manifest(1234);
  CHECK(manifest.issued_at_unix_ms() == 1234);
  REQUIRE(manifest.entries_size() == static_cast<int>(catalog->all().size()));
  for (const auto& e : manifest.entries()) {
    const auto* def = catalog->find(e.action_id());
    REQUIRE(def != nullptr);
    CHECK(e.definition_sha256() == def->sha256_raw);
    CHECK(e.risk() == to_proto_risk(def->risk));
  }
}

TEST_CASE("a definition file is refused when it breaks a rule, naming the key") {
  REQUIRE(parse_action_definition(kEcho, "echo.toml"));
  struct Case {
    const char* what;
    std::string text;
    const char* expect;
  };
  std::vector<Case> cases = {
      {"relative program", replace(kEcho, "\"/bin/echo\"", "\"echo\""), "argv"},
      {"placeholder program", replace(kEcho, "\"/bin/echo\"", "\"{text}\""), "argv"},
      {"a shell", replace(kEcho, "\"/bin/echo\"", "\"/bin/sh\", \"-c\""), "interpreter"},
      {"an interpreter", replace(kEcho, "\"/bin/echo\"", "\"/usr/bin/python3\""), "interpreter"},
      {"an exec wrapper", replace(kEcho, "\"/bin/echo\"", "\"/usr/bin/env\", \"/bin/echo\""),
       "interpreter"},
      {"placeholder inside an element", replace(kEcho, "\"{text}\"", "\"--msg={text}\""),
       "whole argv elements"},
      {"unknown placeholder", replace(kEcho, "\"{text}\"", "\"{other}\""), "no declared"},
      {"unanchored pattern", replace(kEcho, "'^[a-z]{1,8}$'", "'[a-z]{1,8}'"), "anchored"},
      {"pattern anchored only at the start", replace(kEcho, "'^[a-z]{1,8}$'", "'^[a-z]{1,8}'"),
       "anchored"},
      {"unknown key", replace(kEcho, "risk = \"low\"", "risk = \"low\"\nshell = true"), "shell"},
      {"bad risk", replace(kEcho, "risk = \"low\"", "risk = \"tiny\""), "risk"},
      {"viewer may run", replace(kEcho, "risk = \"low\"", "risk = \"low\"\nmin_role = \"viewer\""),
       "min_role"},
      {"timeout too long", replace(kEcho, "risk = \"low\"", "risk = \"low\"\ntimeout_s = 99999"),
       "timeout_s"},
      // A float out of the integer range was converted before the type check (undefined
      // behaviour, seen by the action_definition fuzz target under UBSan).
      {"a huge float for an integer",
       replace(kEcho, "risk = \"low\"", "risk = \"low\"\noutput_cap_bytes = 6.6e56"),
       "output_cap_bytes"},
      {"a float for an integer",
       replace(kEcho, "risk = \"low\"", "risk = \"low\"\ntimeout_s = 30.0"), "timeout_s"},
      {"unused parameter", replace(kEcho, "\"--\", \"{text}\"", "\"--\""), "never used"},
      {"enum value that is an option",
       replace(kEcho, "type = \"regex\"\npattern = '^[a-z]{1,8}$'\nmax_length = 8",
               "type = \"enum\"\nvalues = [\"-rf\"]"),
       "values"},
      {"bad id", replace(kEcho, "\"echo-test\"", "\"Echo Test\""), "id"},
      {"not TOML", "id = ", "line"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    auto def = parse_action_definition(c.text, "echo.toml");
    REQUIRE_FALSE(def);
    CHECK(def.error().code == ErrorCode::kInvalid);
    CHECK_THAT(def.error().message, Catch::Contains(c.expect));
    CHECK_THAT(def.error().message, Catch::Contains("echo.toml"));
  }
}

TEST_CASE("high risk always needs a senior and a second person") {
  auto def = parse_action_definition(replace(kEcho, "risk = \"low\"", "risk = \"high\""), "x");
  REQUIRE(def);
  CHECK(def->needs_approval());
  CHECK(def->required_role() == Role::kSenior);
  auto medium = parse_action_definition(
      replace(kEcho, "risk = \"low\"", "risk = \"medium\"\napproval = \"second_person\""), "x");
  REQUIRE(medium);
  CHECK(medium->needs_approval());
  CHECK(medium->required_role() == Role::kTechnician);
}
