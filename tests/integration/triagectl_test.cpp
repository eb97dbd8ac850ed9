// triagectl against a real collector over HTTPS on loopback: login keeps a 0600 credentials
// file, tickets are created, listed, noted, shown and escalated from the shell, errors map to
// the documented exit codes, and hostile text from the server never reaches the terminal raw.

#include <sys/stat.h>

#include <fstream>

#include <catch2/catch.hpp>

#include "tests/support/collector_fixture.hpp"

using namespace triage::testing;

namespace {

struct Ctl {
  CollectorFixture& c;
  std::filesystem::path config_dir;
  std::filesystem::path ca_file;

  std::string server() const { return "https://127.0.0.1:" + std::to_string(c.port()); }

  CommandResult run(std::vector<std::string> args, const std::string& stdin_text = "") const {
    std::vector<std::string> argv = {binary("triagectl"), "--config-dir", config_dir.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, c.root(), stdin_text);
  }

  CommandResult login(const std::string& name, const std::string& password) const {
    return run({"login", "--server", server(), "--ca", ca_file.string(), "--name", name,
                "--password-stdin"},
               password + "\n");
  }
};

std::string add_user(CollectorFixture& c, const std::string& name, const std::string& role) {
  const std::string password = "correct horse battery " + name;
  auto r =
      c.cli({"user", "add", "--name", name, "--role", role, "--password-stdin"}, password + "\n");
  REQUIRE(r.exit_code == 0);
  return password;
}

Ctl make_ctl(CollectorFixture& c, const std::string& dir) {
  Ctl ctl{c, c.root() / dir, c.root() / "ca.pem"};
  std::ofstream(ctl.ca_file) << c.ca_pem();
  return ctl;
}

std::int64_t created_id(const std::string& out) {
  auto at = out.find('#');
  REQUIRE(at != std::string::npos);
  return std::stoll(out.substr(at + 1));
}

}  // namespace

TEST_CASE("triagectl: login, create, list, note, show, escalate", "[integration][triagectl]") {
  CollectorFixture c;
  const auto password = add_user(c, "tom", "technician");
  auto ctl = make_ctl(c, "cfg");

  auto login = ctl.login("tom", password);
  INFO(login.out << login.err);
  REQUIRE(login.exit_code == 0);
  CHECK(login.out.find("tom") != std::string::npos);
  struct stat st {};
  REQUIRE(::stat((ctl.config_dir / "credentials.json").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat(ctl.config_dir.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);

  // Later commands use the stored server, CA and token.
  auto create = ctl.run({"ticket", "create", "--title", "Printer on floor 3 jams", "--requester",
                         "alice@example.com", "--priority", "P2"});
  INFO(create.out << create.err);
  REQUIRE(create.exit_code == 0);
  const auto id = std::to_string(created_id(create.out));

  auto list = ctl.run({"tickets"});
  REQUIRE(list.exit_code == 0);
  CHECK(list.out.find("Printer on floor 3 jams") != std::string::npos);
  CHECK(list.out.find("TITLE") != std::string::npos);

  auto filtered = ctl.run({"tickets", "--status", "resolved,closed"});
  REQUIRE(filtered.exit_code == 0);
  CHECK(filtered.out.find("Printer on floor 3 jams") == std::string::npos);

  auto json_list = ctl.run({"--json", "tickets"});
  REQUIRE(json_list.exit_code == 0);
  auto parsed = nlohmann::json::parse(json_list.out, nullptr, false);
  REQUIRE(!parsed.is_discarded());
  REQUIRE(parsed["tickets"].size() == 1);
  CHECK(parsed["tickets"][0]["title"] == "Printer on floor 3 jams");
  CHECK(std::to_string(parsed["tickets"][0]["id"].get<std::int64_t>()) == id);

  auto note = ctl.run({"ticket", "note", id, "Replaced the fuser unit"});
  INFO(note.err);
  REQUIRE(note.exit_code == 0);
  auto time = ctl.run({"ticket", "time", id, "25", "--note", "on site"});
  INFO(time.err);
  CHECK(time.exit_code == 0);

  auto show = ctl.run({"ticket", "show", id});
  REQUIRE(show.exit_code == 0);
  CHECK(show.out.find("Replaced the fuser unit") != std::string::npos);
  CHECK(show.out.find("alice@example.com") != std::string::npos);
  CHECK(show.out.find("tom") != std::string::npos);

  auto escalate = ctl.run({"ticket", "escalate", id, "--reason", "needs a new fuser"});
  INFO(escalate.err);
  REQUIRE(escalate.exit_code == 0);
  CHECK(escalate.out.find("tier L2") != std::string::npos);
  auto after = c.get("/api/v1/tickets/" + id, c.admin_token());
  CHECK(after.body["tier"] == "L2");

  auto assign = ctl.run({"ticket", "assign", id, "tom"});
  INFO(assign.err);
  CHECK(assign.exit_code == 0);
  CHECK(assign.out.find("assignee tom") != std::string::npos);

  auto devices = ctl.run({"devices"});
  CHECK(devices.exit_code == 0);
  CHECK(devices.out.find("HOSTNAME") != std::string::npos);
  auto findings = ctl.run({"findings"});
  CHECK(findings.exit_code == 0);

  // API errors: the server's message and status on stderr, exit 1.
  auto missing = ctl.run({"ticket", "show", "999999"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("(HTTP 404)") != std::string::npos);
  // Usage errors: exit 2.
  CHECK(ctl.run({"ticket", "show", "../devices"}).exit_code == 2);
  CHECK(ctl.run({"ticket", "frobnicate"}).exit_code == 2);

  auto logout = ctl.run({"logout"});
  CHECK(logout.exit_code == 0);
  CHECK(!std::filesystem::exists(ctl.config_dir / "credentials.json"));
  CHECK(ctl.run({"tickets"}).exit_code == 3);
}

TEST_CASE("triagectl: wrong password, no login, unsafe credentials file",
          "[integration][triagectl]") {
  CollectorFixture c;
  const auto password = add_user(c, "lena", "viewer");
  auto ctl = make_ctl(c, "cfg");

  auto wrong = ctl.login("lena", "not the password");
  CHECK(wrong.exit_code == 3);
  CHECK(wrong.err.find("HTTP 401") != std::string::npos);
  CHECK(!std::filesystem::exists(ctl.config_dir / "credentials.json"));

  auto none = ctl.run({"--server", ctl.server(), "tickets"});
  CHECK(none.exit_code == 3);
  CHECK(none.err.find("triagectl login") != std::string::npos);

  REQUIRE(ctl.login("lena", password).exit_code == 0);
  const auto creds = ctl.config_dir / "credentials.json";
  std::filesystem::permissions(creds, std::filesystem::perms::group_read,
                               std::filesystem::perm_options::add);
  auto unsafe = ctl.run({"tickets"});
  CHECK(unsafe.exit_code != 0);
  CHECK(unsafe.err.find("group or others") != std::string::npos);
  std::filesystem::permissions(creds, std::filesystem::perms::group_read,
                               std::filesystem::perm_options::remove);
  CHECK(ctl.run({"tickets"}).exit_code == 0);

  // The stored token is never sent to another server.
  auto elsewhere = ctl.run({"--server", "https://127.0.0.2:1", "tickets"});
  CHECK(elsewhere.exit_code == 3);
  // The same server spelled with a trailing slash is the same server.
  CHECK(ctl.run({"--server", ctl.server() + "/", "tickets"}).exit_code == 0);
}

TEST_CASE("triagectl: terminal escapes in server text are stripped", "[integration][triagectl]") {
  CollectorFixture c;
  const auto password = add_user(c, "tom", "technician");
  auto ctl = make_ctl(c, "cfg");
  REQUIRE(ctl.login("tom", password).exit_code == 0);

  const std::string hostile =
      "Evil \x1b]0;owned\x07\x1b[2J title\xc2\x9b"
      "1m";
  auto created = c.post("/api/v1/tickets", {{"title", hostile}}, c.admin_token());
  REQUIRE(created.status == 201);
  const auto id = std::to_string(created.body["id"].get<std::int64_t>());
  c.post("/api/v1/tickets/" + id + "/notes", {{"text", "note \x1b[31mred\x1b[0m"}},
         c.admin_token());

  for (const auto& args :
       std::vector<std::vector<std::string>>{{"tickets"}, {"ticket", "show", id}}) {
    auto r = ctl.run(args);
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find('\x1b') == std::string::npos);
    CHECK(r.out.find('\x07') == std::string::npos);
    CHECK(r.out.find("\xc2\x9b") == std::string::npos);
    CHECK(r.out.find("Evil ]0;owned[2J title") != std::string::npos);
  }
  // --json output keeps the text, escaped.
  auto json = ctl.run({"--json", "ticket", "show", id});
  REQUIRE(json.exit_code == 0);
  CHECK(json.out.find('\x1b') == std::string::npos);
  CHECK(nlohmann::json::parse(json.out)["title"] == hostile);
}
