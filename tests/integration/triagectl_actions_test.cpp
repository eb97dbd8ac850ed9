// triagectl's remediation commands against a real collector and a real agent: the catalog,
// `run --follow` printing the output as it comes and exiting with the order's outcome,
// integer parameters sent as numbers, 400s naming the parameter, approval by a second
// senior, rejection and cancellation, and endpoint output stripped of terminal escapes.

#include <fstream>

#include <catch2/catch.hpp>

#include "tests/support/action_pins.hpp"
#include "tests/support/collector_fixture.hpp"

using namespace triage::testing;
using namespace std::chrono_literals;

namespace {

const char* kActions[][2] = {
    {"echo-text.toml", R"toml(
id = "echo-text"
version = 1
title = "Echo (test)"
argv = ["/bin/echo", "{text}"]
risk = "low"
[params.text]
type = "regex"
pattern = '^[a-z ]{1,20}$'
max_length = 20
)toml"},
    {"echo-number.toml", R"toml(
id = "echo-number"
version = 1
title = "Echo a number (test)"
argv = ["/bin/echo", "{n}"]
risk = "low"
[params.n]
type = "integer"
min = 1
max = 99
)toml"},
    {"fail.toml", R"toml(
id = "fail"
version = 1
title = "Fails (test)"
argv = ["/bin/false"]
risk = "low"
)toml"},
    {"escapes.toml", R"toml(
id = "escapes"
version = 1
title = "Prints terminal escapes (test)"
argv = ["/usr/bin/printf", "\\033]0;owned\\007\\033[2Jclean\\n"]
risk = "low"
)toml"},
    {"echo-high.toml", R"toml(
id = "echo-high"
version = 1
title = "Echo, high risk (test)"
argv = ["/bin/echo", "approved"]
risk = "high"
)toml"},
};

struct Ctl {
  CollectorFixture& c;
  std::filesystem::path config_dir;
  std::filesystem::path ca_file;

  CommandResult run(std::vector<std::string> args) const {
    std::vector<std::string> argv = {binary("triagectl"), "--config-dir", config_dir.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, c.root());
  }
};

Ctl logged_in(CollectorFixture& c, const std::string& name, const std::string& role) {
  const std::string password = "correct horse battery " + name;
  c.add_user(name, role, password);
  Ctl ctl{c, c.root() / ("cfg-" + name), c.root() / "ca.pem"};
  std::ofstream(ctl.ca_file) << c.ca_pem();
  auto login = run_command({binary("triagectl"), "--config-dir", ctl.config_dir.string(), "login",
                            "--server", "https://127.0.0.1:" + std::to_string(c.port()), "--ca",
                            ctl.ca_file.string(), "--name", name, "--password-stdin"},
                           c.root(), password + "\n");
  INFO(login.out << login.err);
  REQUIRE(login.exit_code == 0);
  return ctl;
}

/// The order id in "order ID: ..." (the first line naming one).
std::string order_id_in(const std::string& text) {
  const auto at = text.find("order ");
  REQUIRE(at != std::string::npos);
  const auto end = text.find_first_of(": ", at + 6);
  return text.substr(at + 6, end - at - 6);
}

}  // namespace

TEST_CASE("triagectl: actions, run --follow, approve, reject, cancel",
          "[integration][triagectl][actions]") {
  TempDir actions_dir;
  for (const auto& [name, text] : kActions) std::ofstream(actions_dir.path() / name) << text;
  CollectorFixture c("[actions]\ndir = \"" + actions_dir.path().string() + "\"\n");
  auto tom = logged_in(c, "tom", "technician");
  auto alice = logged_in(c, "alice", "senior");
  auto bob = logged_in(c, "bob", "senior");

  AgentFixture agent(c, "pc");
  REQUIRE(agent.enroll().exit_code == 0);
  const auto policy = c.root() / "policy.toml";
  std::string pins = "allow_custom = [";
  for (const auto& [name, text] : kActions) {
    pins += std::string(pins.back() == '[' ? "\"" : ", \"") + definition_pin(text) + "\"";
  }
  std::ofstream(policy) << "[probes]\nenabled = false\n[policy]\nmax_risk = \"high\"\n"
                        << pins << "]\n";
  agent.start({"--config", policy.string()});
  const auto device = agent.device_id();
  REQUIRE(eventually([&] { return device_online(c, device); }, 30s));
  auto ticket =
      c.post("/api/v1/tickets", {{"title", "slow"}, {"device_id", device}}, c.admin_token());
  REQUIRE(ticket.status == 201);
  const auto id = std::to_string(ticket.body["id"].get<std::int64_t>());

  auto catalog = tom.run({"actions"});
  INFO(catalog.out << catalog.err);
  REQUIRE(catalog.exit_code == 0);
  CHECK_THAT(catalog.out, Catch::Contains("echo-text"));
  CHECK_THAT(catalog.out, Catch::Contains("restart-service"));
  CHECK_THAT(catalog.out, Catch::Contains("text:regex"));

  auto ran = tom.run({"run", id, "echo-text", "--param", "text=hello there", "--follow"});
  INFO(ran.out << ran.err);
  CHECK(ran.exit_code == 0);
  CHECK(ran.out == "hello there\n");
  CHECK_THAT(ran.err, Catch::Contains("succeeded, exit code 0"));

  // Integer parameters go out as JSON numbers, as the catalog types them.
  auto number = tom.run({"run", id, "echo-number", "--param", "n=42", "--follow"});
  INFO(number.out << number.err);
  CHECK(number.exit_code == 0);
  CHECK(number.out == "42\n");

  // A bad value is the server's 400 naming the parameter; nothing is ordered.
  auto injected = tom.run({"run", id, "echo-text", "--param", "text=a; id", "--follow"});
  CHECK(injected.exit_code == 1);
  CHECK_THAT(injected.err, Catch::Contains("`text`"));
  CHECK_THAT(injected.err, Catch::Contains("HTTP 400"));
  CHECK(tom.run({"run", id, "echo-text", "--param", "novalue"}).exit_code == 2);

  auto failed = tom.run({"run", id, "fail", "--follow"});
  INFO(failed.out << failed.err);
  CHECK(failed.exit_code == 4);
  CHECK_THAT(failed.err, Catch::Contains("failed, exit code 1"));

  // Output from the endpoint never reaches the terminal with its escapes.
  auto escapes = tom.run({"run", id, "escapes", "--follow"});
  INFO(escapes.out << escapes.err);
  CHECK(escapes.exit_code == 0);
  CHECK(escapes.out.find('\x1b') == std::string::npos);
  CHECK(escapes.out.find('\x07') == std::string::npos);
  CHECK_THAT(escapes.out, Catch::Contains("clean"));

  // High risk: waits for a second senior; the requester's own approval is refused.
  auto high = alice.run({"run", id, "echo-high"});
  INFO(high.out << high.err);
  REQUIRE(high.exit_code == 0);
  CHECK_THAT(high.out, Catch::Contains("awaiting_approval"));
  const auto order = order_id_in(high.out);
  auto own = alice.run({"approve", order});
  CHECK(own.exit_code == 1);
  CHECK_THAT(own.err, Catch::Contains("HTTP 403"));
  CHECK(tom.run({"approve", order}).exit_code == 1);
  auto approved = bob.run({"approve", order});
  INFO(approved.out << approved.err);
  CHECK(approved.exit_code == 0);
  auto followed = alice.run({"order", "follow", order});
  INFO(followed.out << followed.err);
  CHECK(followed.exit_code == 0);
  CHECK(followed.out == "approved\n");
  auto shown = tom.run({"order", "show", order});
  INFO(shown.out);
  CHECK(shown.exit_code == 0);
  CHECK_THAT(shown.out, Catch::Contains("approved by: bob"));
  CHECK_THAT(shown.out, Catch::Contains("state: succeeded"));

  // Rejected by a second senior, or cancelled by the requester: it never runs (exit 5).
  const auto to_reject = order_id_in(alice.run({"run", id, "echo-high"}).out);
  CHECK(bob.run({"reject", to_reject}).exit_code == 2);  // --reason is required
  auto rejected = bob.run({"reject", to_reject, "--reason", "not today"});
  INFO(rejected.out << rejected.err);
  CHECK(rejected.exit_code == 0);
  CHECK_THAT(rejected.out, Catch::Contains("cancelled"));
  CHECK(alice.run({"order", "follow", to_reject}).exit_code == 5);
  const auto to_cancel = order_id_in(alice.run({"run", id, "echo-high"}).out);
  auto cancelled = alice.run({"cancel", to_cancel, "--reason", "typo"});
  CHECK(cancelled.exit_code == 0);
  CHECK(alice.run({"--json", "order", "show", to_cancel}).out.find("\"cancelled\"") !=
        std::string::npos);
  CHECK(tom.run({"order", "show", "../../etc"}).exit_code == 2);
}

TEST_CASE("triagectl: one admin proposes a custom action, a second approves it",
          "[integration][triagectl][actions]") {
  CollectorFixture c;
  auto ada = logged_in(c, "ada", "admin");
  auto ines = logged_in(c, "ines", "admin");
  const auto file = c.root() / "say-hi.toml";
  std::ofstream(file) << "id = \"say-hi\"\nversion = 1\ntitle = \"Say hi\"\n"
                         "argv = [\"/bin/echo\", \"hi\"]\nrisk = \"low\"\n";

  auto proposed = ada.run({"catalog", "propose", file.string()});
  INFO(proposed.out << proposed.err);
  REQUIRE(proposed.exit_code == 0);
  CHECK_THAT(proposed.out, Catch::Contains("create say-hi v1, pending"));
  // "proposal ID: create say-hi v1, pending (proposed by ada)"
  const auto at = proposed.out.find("proposal ") + 9;
  const auto id = proposed.out.substr(at, proposed.out.find(':', at) - at);
  CHECK_THAT(ada.run({"actions"}).out, !Catch::Contains("say-hi"));

  auto listed = ines.run({"catalog", "proposals"});
  INFO(listed.out << listed.err);
  CHECK_THAT(listed.out, Catch::Contains("say-hi"));
  CHECK_THAT(listed.out, Catch::Contains("ada"));

  auto own = ada.run({"catalog", "approve", id});
  INFO(own.out << own.err);
  CHECK(own.exit_code != 0);
  CHECK_THAT(own.err, Catch::Contains("proposer"));

  auto approved = ines.run({"catalog", "approve", id});
  INFO(approved.out << approved.err);
  REQUIRE(approved.exit_code == 0);
  CHECK_THAT(approved.out, Catch::Contains("activated"));
  CHECK_THAT(ada.run({"actions"}).out, Catch::Contains("say-hi"));
}
