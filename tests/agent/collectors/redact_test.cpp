// Secrets never leave the collector function: redaction rules and their use in snapshots.
#include <catch2/catch.hpp>

#include "agent/collectors/redact.hpp"
#include "tests/agent/collectors/fixture_support.hpp"

using namespace triage::agent;

namespace {

std::string argv_line(std::vector<std::string> argv) {
  redact_argv(argv);
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

}  // namespace

TEST_CASE("Command-line secrets are redacted", "[redact]") {
  using Row = std::pair<std::vector<std::string>, std::string>;
  auto row = GENERATE(
      Row{{"app", "--password=hunter2"}, "app --password=[REDACTED]"},
      Row{{"app", "--password", "hunter2", "--verbose"}, "app --password [REDACTED] --verbose"},
      Row{{"app", "--db-pass=x1", "--api_key=abc"},
          "app --db-pass=[REDACTED] --api_key=[REDACTED]"},
      Row{{"app", "--client-secret", "s3"}, "app --client-secret [REDACTED]"},
      Row{{"mysql", "-uroot", "-pS3cret", "db"}, "mysql -uroot -p[REDACTED] db"},
      Row{{"curl", "-H", "Authorization: Bearer abc.def.ghi", "https://x"},
          "curl -H Authorization: [REDACTED] https://x"},
      Row{{"curl", "https://user:pa55@example.com/path"},
          "curl https://user:[REDACTED]@example.com/path"},
      Row{{"wget", "https://api.example.com/v1?user=bob&token=abc123&page=2"},
          "wget https://api.example.com/v1?user=bob&token=[REDACTED]&page=2"},
      Row{{"env", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
          "env AWS_SECRET_ACCESS_KEY=[REDACTED]"},
      Row{{"aws", "--key", "AKIAIOSFODNN7EXAMPLE"}, "aws --key [REDACTED]"},
      Row{{"tool", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}, "tool [REDACTED]"},
      Row{{"git", "push", "https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/o/r"},
          "git push https://[REDACTED]@github.com/o/r"},
      Row{{"app", "--jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_nature_value"},
          "app --jwt [REDACTED]"},
      Row{{"app", "--auth-token=xoxb-1234567890-abcdefghijkl"}, "app --auth-token=[REDACTED]"});
  CAPTURE(row.first);
  CHECK(argv_line(row.first) == row.second);
}

TEST_CASE("Ordinary command lines are left alone", "[redact]") {
  auto argv = GENERATE(
      as<std::vector<std::string>>{},
      std::vector<std::string>{"/usr/bin/python3", "-m", "http.server", "8080"},
      std::vector<std::string>{"git", "checkout", "3f1c2b7a9d8e4c6b8a7f6e5d4c3b2a1900112233"},
      std::vector<std::string>{"ssh", "-p", "22", "bob@host"},
      std::vector<std::string>{"sshd:", "bob", "[priv]"},
      std::vector<std::string>{"app", "--passive", "--author=jane", "--keyboard=us"},
      std::vector<std::string>{"rsync", "-avz", "/home/", "backup:/srv/home/"});
  std::string plain;
  for (const auto& a : argv) plain += (plain.empty() ? "" : " ") + a;
  CHECK(argv_line(argv) == plain);
}

TEST_CASE("Environment values are redacted by name and by content", "[redact]") {
  CHECK(redact_env_value("DB_PASSWORD", "x") == "[REDACTED]");
  CHECK(redact_env_value("GITHUB_TOKEN", "ghp_x") == "[REDACTED]");
  CHECK(redact_env_value("AWS_SECRET_ACCESS_KEY", "abc") == "[REDACTED]");
  CHECK(redact_env_value("http_proxy", "http://u:p@proxy:3128") ==
        "http://u:[REDACTED]@proxy:3128");
  CHECK(redact_env_value("no_proxy", "localhost,.corp") == "localhost,.corp");
  CHECK(redact_env_value("LANG", "C.UTF-8") == "C.UTF-8");
  CHECK(is_secret_name("--Api-Key"));
  CHECK(is_secret_name("MYSQL_PWD"));
  CHECK_FALSE(is_secret_name("--author"));
  CHECK_FALSE(is_secret_name("PATH"));
}

TEST_CASE("redact_cmdline splits NUL-separated arguments and bounds the length", "[redact]") {
  std::string raw("prog\0--token\0abc\0--x=1\0", 23);
  CHECK(redact_cmdline(raw) == "prog --token [REDACTED] --x=1");
  // A process that rewrote its title into argv[0] is split on spaces first.
  CHECK(redact_cmdline(std::string("postgres: app --password=x\0", 27)) ==
        "postgres: app --password=[REDACTED]");
  auto long_line = redact_cmdline(std::string(5000, 'a'), 100);
  CHECK(long_line.size() == 100);
  CHECK(long_line.ends_with("..."));
  CHECK(redact_cmdline("").empty());
}

TEST_CASE("redact_log changes only the lines that hold a secret", "[redact]") {
  std::string log =
      "Dec  6 sudo: bob : COMMAND=/usr/bin/sshpass -p pw123 ssh -p 22 host\n"
      "Dec  6 nm[4]: proxy http://u:pw456@proxy:3128\n"
      "Dec  6 systemd[1]: Started Daily apt upgrade.\n"
      "no newline at the end, Authorization: Bearer abc.def.ghi";
  CHECK(redact_log(log) == 3);
  CHECK(log ==
        "Dec  6 sudo: bob : COMMAND=/usr/bin/sshpass -p [REDACTED] ssh -p 22 host\n"
        "Dec  6 nm[4]: proxy http://u:[REDACTED]@proxy:3128\n"
        "Dec  6 systemd[1]: Started Daily apt upgrade.\n"
        "no newline at the end, Authorization: Bearer [REDACTED]");
  std::string clean = "line one\n\nline three\n";
  CHECK(redact_log(clean) == 0);
  CHECK(clean == "line one\n\nline three\n");
}

// Found by fuzzing (tests/fuzz/redact_fuzz.cpp): a cap under 3 bytes left no room for "..." and
// the cut wrapped around, returning the whole line.
TEST_CASE("redact_cmdline stays within a cap too small for the ellipsis", "[redact]") {
  const std::string raw("/usr/bin/python3\0/opt/app/run.py\0--verbose", 42);
  for (std::size_t cap : {0, 1, 2, 3, 4}) {
    INFO("cap " << cap);
    CHECK(redact_cmdline(raw, cap).size() <= cap);
  }
  CHECK(redact_cmdline(raw, 4) == "/...");
}

TEST_CASE("No secret from the fixtures reaches a snapshot", "[redact][fixture]") {
  auto machine = GENERATE(as<std::string>{}, "desktop", "laptop", "container");
  auto snap = testing::fixture_snapshot(machine);
  auto bytes = snap.SerializeAsString();
  for (const char* secret : {"Hunter2Secret", "abcdef123456", "AKIAIOSFODNN7EXAMPLE", "S3cretPass",
                             "supersecretvalue123", "eyJhbGciOiJIUzI1NiJ9"}) {
    CAPTURE(machine, secret);
    CHECK(bytes.find(secret) == std::string::npos);
  }
}
