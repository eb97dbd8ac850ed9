// The journal probe against real journal files: systemd-journal-remote (Debian's
// systemd-journal-remote) writes entries of the export format into a journal below a sysroot,
// and the probe reads them through sd-journal as it reads /var/log/journal on a PC: by unit and
// by syslog identifier, by level and time, newest kept, messages redacted.

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "agent/probes/probe_runner.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::agent;

namespace {

constexpr const char* kJournalRemote = "/lib/systemd/systemd-journal-remote";

struct Entry {
  int minutes_ago;
  int priority;
  std::string unit;        // _SYSTEMD_UNIT ("" = none)
  std::string identifier;  // SYSLOG_IDENTIFIER
  std::string message;
  std::string about_unit = "";  // UNIT: systemd's messages about a unit
  int pid = 4242;
};

/// A sysroot holding one journal file with `entries`, as journald would keep it.
struct JournalRoot {
  testing::TempDir dir;
  explicit JournalRoot(const std::vector<Entry>& entries) {
    const auto machine = dir.path() / "var/log/journal/0123456789abcdef0123456789abcdef";
    std::filesystem::create_directories(machine);
    const auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    std::string export_text;
    long long monotonic = 1'000'000;
    for (const auto& e : entries) {
      export_text += "__REALTIME_TIMESTAMP=" +
                     std::to_string(now_us - static_cast<long long>(e.minutes_ago) * 60'000'000) +
                     "\n__MONOTONIC_TIMESTAMP=" + std::to_string(monotonic += 1000) +
                     "\n_BOOT_ID=fedcba9876543210fedcba9876543210\n_HOSTNAME=pc-1\n_PID=" +
                     std::to_string(e.pid) + "\nPRIORITY=" + std::to_string(e.priority) +
                     "\nSYSLOG_IDENTIFIER=" + e.identifier + "\n";
      if (e.message.find('\n') == std::string::npos &&
          std::all_of(e.message.begin(), e.message.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
        export_text += "MESSAGE=" + e.message + "\n";
      } else {
        // The export format's binary field: name, newline, little-endian 64-bit size, bytes.
        export_text += "MESSAGE\n";
        for (int i = 0; i < 8; ++i) {
          export_text += static_cast<char>((e.message.size() >> (8 * i)) & 0xff);
        }
        export_text += e.message + "\n";
      }
      if (!e.unit.empty()) export_text += "_SYSTEMD_UNIT=" + e.unit + "\n";
      if (!e.about_unit.empty()) export_text += "UNIT=" + e.about_unit + "\n";
      export_text += "\n";
    }
    auto written = testing::run_command(
        {kJournalRemote, "--output=" + (machine / "system.journal").string(), "-"}, dir.path(),
        export_text);
    REQUIRE(written.exit_code == 0);
  }
  ProbeEnvironment env() const {
    ProbeEnvironment e;
    e.sysroot = dir.path().string();
    return e;
  }
};

v1::ProbePayload log_lines(const std::string& source, const std::string& level, int minutes,
                           int lines) {
  v1::ProbePayload p;
  p.set_probe_run_id("p-test");
  p.set_probe("log_lines");
  p.set_time_budget_ms(10'000);
  p.set_output_budget_bytes(16 * 1024);
  auto* l = p.mutable_log_lines();
  l->set_source(source);
  l->set_min_level(level);
  l->set_since_minutes(static_cast<std::uint32_t>(minutes));
  l->set_max_lines(static_cast<std::uint32_t>(lines));
  return p;
}

const std::vector<Entry>& print_service_day() {
  static const std::vector<Entry> entries = {
      {120, 3, "cups.service", "cupsd", "an error from two hours ago"},
      {9, 6, "cups.service", "cupsd", "printer HP-2 idle"},
      {8, 3, "cups.service", "cupsd", "Unable to open printer: ipp://print:password=hunter2@hp-2/"},
      {7, 4, "", "systemd", "cups.service: Watchdog timeout (limit 3min)!", "cups.service", 1},
      // Any process may write UNIT=: only PID 1's count as systemd's word about the unit.
      {7, 3, "", "evil", "cups.service: printer hacked, call 555-0100", "cups.service", 4242},
      {6, 3, "ssh.service", "sshd", "error: kex_exchange_identification: Connection closed"},
      {5, 2, "cups.service", "cupsd", "Scheduler shutting down due to program error."},
  };
  return entries;
}

}  // namespace

TEST_CASE("log_lines: a unit's lines at warning and above, from the window, oldest first",
          "[probes][linux][journal]") {
  JournalRoot root(print_service_day());
  auto result = run_probe(log_lines("cups.service", "warning", 30, 100), root.env());
  REQUIRE(result.status() == v1::PROBE_COMPLETED);
  const auto& r = result.log_lines();
  CHECK(r.error().empty());
  REQUIRE(r.lines_size() == 3);  // not the info line, not two hours ago, not sshd
  CHECK(r.lines(0).level() == "err");
  CHECK(r.lines(0).identifier() == "cupsd");
  CHECK(r.lines(0).source() == "cups.service");
  CHECK(r.lines(0).pid() == 4242);
  // Secrets in a message are redacted before it leaves the PC.
  CHECK_THAT(r.lines(0).message(), !Catch::Contains("hunter2"));
  CHECK_THAT(r.lines(0).message(), Catch::Contains("Unable to open printer"));
  // What systemd said about the unit counts as the unit's.
  CHECK(r.lines(1).level() == "warning");
  CHECK_THAT(r.lines(1).message(), Catch::Contains("Watchdog timeout"));
  CHECK(r.lines(2).level() == "crit");
  CHECK(r.lines(0).time_unix_ms() < r.lines(2).time_unix_ms());
  CHECK_FALSE(r.more());
  for (const auto& line : r.lines()) CHECK_THAT(line.message(), !Catch::Contains("hacked"));
}

TEST_CASE("log_lines: a message that is not UTF-8 arrives as text the collector can read",
          "[probes][linux][journal]") {
  JournalRoot root({{2, 3, "cups.service", "cupsd", "bad bytes \xff\xfe\x01 and a\nsecond line"}});
  auto result = run_probe(log_lines("cups.service", "warning", 10, 10), root.env());
  REQUIRE(result.log_lines().lines_size() == 1);
  CHECK_THAT(result.log_lines().lines(0).message(), Catch::StartsWith("bad bytes"));
  // What the agent sends parses on the other side (proto3 strings must be valid UTF-8).
  v1::ProbeResult parsed;
  CHECK(parsed.ParseFromString(result.SerializeAsString()));
}

TEST_CASE("log_lines: a syslog identifier, a lower level, and the newest kept under the cap",
          "[probes][linux][journal]") {
  JournalRoot root(print_service_day());
  auto sshd = run_probe(log_lines("sshd", "err", 30, 100), root.env());
  REQUIRE(sshd.log_lines().lines_size() == 1);
  CHECK_THAT(sshd.log_lines().lines(0).message(), Catch::Contains("kex_exchange_identification"));

  auto info = run_probe(log_lines("cups", "info", 30, 2), root.env());  // cups -> cups.service
  const auto& r = info.log_lines();
  REQUIRE(r.lines_size() == 2);
  CHECK(r.more());
  CHECK_THAT(r.lines(0).message(), Catch::Contains("Watchdog"));
  CHECK_THAT(r.lines(1).message(), Catch::Contains("shutting down"));

  auto all_day = run_probe(log_lines("cups.service", "err", 180, 100), root.env());
  CHECK(all_day.log_lines().lines_size() == 3);  // the old error, the printer, the crash
}

TEST_CASE("log_lines: an endpoint without journal files says so", "[probes][linux][journal]") {
  testing::TempDir empty;
  ProbeEnvironment env;
  env.sysroot = empty.path().string();
  auto result = run_probe(log_lines("cups.service", "warning", 10, 10), env);
  REQUIRE(result.status() == v1::PROBE_COMPLETED);
  CHECK(result.log_lines().lines_size() == 0);
  CHECK_THAT(result.log_lines().error(), Catch::Contains("no journal files"));
}
