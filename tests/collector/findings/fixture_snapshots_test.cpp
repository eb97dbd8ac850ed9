// Findings on realistic whole snapshots (tests/fixtures/snapshots/*.textproto).
#include <catch2/catch.hpp>
#include <tuple>

#include "tests/collector/findings/fixture_loader.hpp"
#include "tests/collector/findings/snapshot_builders.hpp"

using namespace triage::collector;
using namespace triage::collector::testing;

namespace {

using Row = std::tuple<std::string, std::string, std::string>;  // rule, subject, severity

std::vector<Row> rows(const std::vector<Finding>& findings) {
  std::vector<Row> out;
  for (const auto& f : findings) out.emplace_back(f.rule_id, f.subject, severity_name(f.severity));
  return out;
}

std::string listing(const std::vector<Finding>& findings) {
  std::string text;
  for (const auto& f : findings)
    text += std::string(severity_name(f.severity)) + " " + f.rule_id + " [" + f.subject + "] " +
            f.title + " -- " + f.evidence + "\n";
  return text;
}

}  // namespace

TEST_CASE("fixture: a healthy desktop has no warnings or critical findings",
          "[findings][fixture]") {
  bool ok = false;
  auto s = load_snapshot_fixture("healthy_desktop", ok);
  REQUIRE(ok);
  REQUIRE(s.hardware().filesystems_size() == 4);  // parsed, not just empty
  auto findings = evaluate(s);
  INFO(listing(findings));
  for (const auto& f : findings) CHECK(f.severity == Severity::kInfo);
  // The mounted installer DVD is 100 % full and read-only: not a finding.
  CHECK(findings_of(s, "disk.full").empty());
}

TEST_CASE("fixture: a broken laptop triggers most rules", "[findings][fixture]") {
  bool ok = false;
  auto s = load_snapshot_fixture("broken_laptop", ok);
  REQUIRE(ok);
  auto findings = evaluate(s);
  INFO(listing(findings));
  CHECK(rows(findings) == std::vector<Row>{
                              {"clock.skew", "", "critical"},
                              {"disk.full", "/", "critical"},
                              {"network.dns_failing", "", "critical"},
                              {"updates.security_pending", "", "critical"},
                              {"battery.worn", "BAT0", "warning"},
                              {"clock.unsynchronized", "", "warning"},
                              {"disk.smart_warning", "nvme0n1", "warning"},
                              {"journal.unit_errors", "cups.service", "warning"},
                              {"kernel.storage_errors", "", "warning"},
                              {"memory.low", "", "warning"},
                              {"memory.oom_kills", "", "warning"},
                              {"memory.pressure", "", "warning"},
                              {"memory.swap_heavy", "", "warning"},
                              {"network.gateway_unreachable", "192.168.178.1", "warning"},
                              {"print.stuck_jobs", "Office_HP", "warning"},
                              {"process.cpu_hog", "tracker-miner-f", "warning"},
                              {"service.failed", "cups.service", "warning"},
                              {"system.reboot_pending", "", "warning"},
                              {"updates.lists_stale", "", "warning"},
                              {"crash.recent", "/usr/bin/evince", "info"},
                              {"system.long_uptime", "", "info"},
                          });
  // Evidence reads as the endpoint reported it, with units.
  auto disk = findings_of(s, "disk.full");
  REQUIRE(disk.size() == 1);
  CHECK(disk[0].evidence ==
        "/: 98.4 % used (3.5 GiB free of 233.2 GiB); inodes 10 %; ext4 on /dev/nvme0n1p2");
  auto memory = findings_of(s, "memory.low");
  REQUIRE(memory.size() == 1);
  CHECK(memory[0].evidence ==
        "memory available 180.0 MiB of 7.6 GiB (2.3 %); swap 2.0 GiB of 2.0 GiB used; largest "
        "process: chrome (pid 4021, user bob) 3.5 GiB resident");
  // The whole list serialises (the API dumps it).
  auto json = nlohmann::json::array();
  for (const auto& f : findings) json.push_back(to_json(f));
  CHECK_NOTHROW(json.dump());
}

TEST_CASE("fixture: an unprivileged container with failed collectors yields nothing",
          "[findings][fixture]") {
  bool ok = false;
  auto s = load_snapshot_fixture("container_minimal", ok);
  REQUIRE(ok);
  REQUIRE(s.collectors_size() == 9);
  auto findings = evaluate(s);
  INFO(listing(findings));
  CHECK(findings.empty());
}
