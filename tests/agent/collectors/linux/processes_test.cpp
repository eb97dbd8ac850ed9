// The processes collector: counts by state and the top processes, command lines redacted.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/processes.hpp"
#include "tests/agent/collectors/fixture_support.hpp"
#include "tests/agent/collectors/linux/hostile_inputs.hpp"

using namespace triage::agent;
using testing::find_if;

TEST_CASE("processes: desktop counts and top processes", "[processes][fixture][desktop]") {
  auto sw = testing::fixture_collect("desktop", "processes").software();
  const auto& ps = sw.process_summary();
  CHECK(ps.total() == 6);
  CHECK(ps.zombies() == 1);
  CHECK(ps.blocked() == 1);
  CHECK(ps.running() == 1);
  CHECK(ps.sample_ms() == 0);  // fixtures use lifetime averages
  REQUIRE(sw.top_processes_size() >= 3);
  const auto& top = sw.top_processes(0);
  CHECK(top.pid() == 1234);
  CHECK(top.name() == "firefox");
  CHECK(top.user() == "alice");
  CHECK(top.cpu_percent() == Approx(80.08).epsilon(0.001));
  CHECK(top.rss_bytes() == 262144ull * 4096);
  CHECK(top.threads() == 87);
  CHECK(top.start_time_unix_ms() == 1717990000000 + 10000);
  CHECK(top.command_line() ==
        "/usr/lib/firefox/firefox -new-window https://intranet.corp.example.com/?token=[REDACTED]");
  const auto* mysql = find_if(sw.top_processes(), [](auto& p) { return p.pid() == 3456; });
  REQUIRE(mysql);
  CHECK(mysql->user() == "mysql");
  CHECK(mysql->command_line() == "/usr/sbin/mysqld --user=mysql --password=[REDACTED]");
  const auto* backup = find_if(sw.top_processes(), [](auto& p) { return p.pid() == 4567; });
  REQUIRE(backup);
  CHECK(backup->command_line() ==
        "/bin/sh /opt/backup.sh --api-key [REDACTED] --target s3://bucket");
}

TEST_CASE("processes: laptop secrets redacted", "[processes][fixture][laptop]") {
  auto sw = testing::fixture_collect("laptop", "processes").software();
  CHECK(sw.top_processes(0).command_line() ==
        "/usr/share/teams/teams --type=renderer --auth-token=[REDACTED]");
  CHECK(sw.top_processes(0).user() == "carol");
}

TEST_CASE("processes: container environment secrets redacted", "[processes][fixture][container]") {
  auto sw = testing::fixture_collect("container", "processes").software();
  CHECK(sw.top_processes(0).command_line() == "/bin/sh -c APP_TOKEN=[REDACTED] /app/run");
}

TEST_CASE("processes: a command name with spaces and parentheses", "[processes][parsers]") {
  auto st = parse_proc_stat(
      "42 (tmux: server (1)) S 1 42 42 0 -1 4194560 0 0 0 0 7 3 0 0 20 0 "
      "2 0 500 1000000 300 18446744073709551615");
  REQUIRE(st.has_value());
  CHECK(st->comm == "tmux: server (1)");
  CHECK(st->state == "S");
  CHECK(st->ppid == 1);
  CHECK(st->cpu_ticks == 10);
  CHECK(st->threads == 2);
  CHECK(st->start_ticks == 500);
  CHECK(st->rss_pages == 300);
}

TEST_CASE("processes: the parser survives hostile input", "[processes][parsers][robustness]") {
  for (const auto& input : testing::hostile_inputs()) (void)parse_proc_stat(input);
  SUCCEED();
}
