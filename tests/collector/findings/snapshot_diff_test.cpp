// What changed between two snapshots of one machine.
#include <catch2/catch.hpp>

#include "collector/findings/snapshot_diff.hpp"
#include "tests/collector/findings/fixture_loader.hpp"
#include "tests/collector/findings/snapshot_builders.hpp"

using namespace triage::collector;
using namespace triage::collector::testing;
using triage::v1::ServiceUnit;

namespace {

triage::v1::Snapshot desktop() {
  bool ok = false;
  auto s = load_snapshot_fixture("healthy_desktop", ok);
  REQUIRE(ok);
  return s;
}

triage::v1::Package* find_package(triage::v1::Snapshot& s, const std::string& name) {
  for (auto& p : *s.mutable_software()->mutable_packages()) {
    if (p.name() == name) return &p;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("diff: identical snapshots have no changes", "[findings][diff]") {
  auto s = desktop();
  auto changes = diff_snapshots(s, s);
  CHECK(changes.empty());
  auto json = to_json(changes);
  CHECK(json["empty"] == true);
  CHECK(json["software"]["installed"].empty());
  CHECK(json["network"]["default_gateway"].is_null());
  CHECK(diff_snapshots(empty_snapshot(), empty_snapshot()).empty());
}

TEST_CASE("diff: software installed, removed and updated", "[findings][diff]") {
  auto older = desktop();
  auto newer = older;
  newer.set_collected_at_unix_ms(older.collected_at_unix_ms() + kDayMs);
  find_package(newer, "openssl")->set_version("3.0.15-1~deb12u1");
  add_package(newer, "zoom", "6.0.2.4680", "amd64");
  add_package(newer, "aaa-tool", "1.0", "all");
  auto& packages = *newer.mutable_software()->mutable_packages();
  packages.erase(std::find_if(packages.begin(), packages.end(),
                              [](const auto& p) { return p.name() == "cups"; }));
  auto changes = diff_snapshots(older, newer);
  REQUIRE(changes.packages_installed.size() == 2);
  CHECK(changes.packages_installed[0].name == "aaa-tool");  // sorted by name
  CHECK(changes.packages_installed[1].name == "zoom");
  CHECK(changes.packages_installed[1].version == "6.0.2.4680");
  REQUIRE(changes.packages_removed.size() == 1);
  CHECK(changes.packages_removed[0].name == "cups");
  CHECK(changes.packages_removed[0].version == "2.4.2-3+deb12u5");
  REQUIRE(changes.packages_updated.size() == 1);
  CHECK(changes.packages_updated[0].old_version == "3.0.13-1~deb12u1");
  CHECK(changes.packages_updated[0].new_version == "3.0.15-1~deb12u1");
  CHECK_FALSE(changes.empty());
  auto json = to_json(changes);
  CHECK(json["software"]["updated"][0] == nlohmann::json{{"name", "openssl"},
                                                         {"arch", "amd64"},
                                                         {"old_version", "3.0.13-1~deb12u1"},
                                                         {"new_version", "3.0.15-1~deb12u1"}});
  CHECK(json["software"]["removed"][0]["name"] == "cups");
}

TEST_CASE("diff: a package list that was not reported is not 'everything removed'",
          "[findings][diff]") {
  auto older = desktop();
  auto newer = older;
  SECTION("dpkg collector failed in the newer snapshot") {
    newer.mutable_software()->clear_packages();
    for (auto& c : *newer.mutable_collectors()) {
      if (c.name() == "dpkg") c.set_outcome(triage::v1::CollectorStatus::FAILED);
    }
  }
  SECTION("no collector statuses and no packages (category turned off)") {
    newer.mutable_software()->clear_packages();
    newer.clear_collectors();
  }
  SECTION("the collector failed in the older one") {
    for (auto& c : *older.mutable_collectors()) {
      if (c.name() == "dpkg") c.set_outcome(triage::v1::CollectorStatus::OVER_BUDGET);
    }
    older.mutable_software()->clear_packages();
    add_package(newer, "zoom", "6.0");
  }
  auto changes = diff_snapshots(older, newer);
  CHECK(changes.packages_removed.empty());
  CHECK(changes.packages_installed.empty());
  CHECK(changes.empty());
}

TEST_CASE("diff: service state changes", "[findings][diff]") {
  auto older = desktop();
  auto newer = older;
  for (auto& u : *newer.mutable_software()->mutable_services()->mutable_units()) {
    if (u.name() == "cups.service") {
      u.set_active_state(ServiceUnit::FAILED);
      u.set_sub_state("failed");
    }
  }
  SECTION("a service failed") {
    auto changes = diff_snapshots(older, newer);
    REQUIRE(changes.services.size() == 1);
    CHECK(changes.services[0].unit == "cups.service");
    CHECK(changes.services[0].old_active == "active");
    CHECK(changes.services[0].old_sub == "running");
    CHECK(changes.services[0].new_active == "failed");
    CHECK(changes.services[0].new_sub == "failed");
    CHECK(to_json(changes)["services"][0] == nlohmann::json::parse(R"({"unit": "cups.service",
            "old": {"active": "active", "sub": "running"},
            "new": {"active": "failed", "sub": "failed"}})"));
  }
  SECTION("a failed mount appears; a new inactive service is not a state change") {
    add_unit(newer, "mnt-nas.mount", ServiceUnit::FAILED, "failed");
    add_unit(newer, "zoom-updater.service", ServiceUnit::INACTIVE, "dead");
    auto changes = diff_snapshots(older, newer);
    REQUIRE(changes.services.size() == 2);
    CHECK(changes.services[1].unit == "mnt-nas.mount");
    CHECK(changes.services[1].old_active.empty());
    CHECK(to_json(changes)["services"][1]["old"].is_null());
  }
  SECTION("unit list not reported on one side: no changes") {
    newer.mutable_software()->mutable_services()->clear_units();
    CHECK(diff_snapshots(older, newer).services.empty());
  }
}

TEST_CASE("diff: filesystems that filled", "[findings][diff]") {
  auto older = empty_snapshot();
  add_filesystem(older, "/", 43.7);
  add_filesystem(older, "/home", 85);
  add_filesystem(older, "/var", 50);
  add_filesystem(older, "/data", 95);
  auto newer = empty_snapshot();
  add_filesystem(newer, "/", 53.7);      // +10 points
  add_filesystem(newer, "/home", 90.5);  // crossed 90 %
  add_filesystem(newer, "/var", 59.9);   // +9.9: not enough
  add_filesystem(newer, "/data", 97);    // already above 90, +2
  add_filesystem(newer, "/new", 99);     // not in the older snapshot
  auto changes = diff_snapshots(older, newer);
  REQUIRE(changes.filesystems_filled.size() == 2);
  CHECK(changes.filesystems_filled[0].mount_point == "/");
  CHECK(changes.filesystems_filled[1].mount_point == "/home");
  auto json = to_json(changes)["filesystems_filled"];
  CHECK(json[1] == nlohmann::json{{"mount_point", "/home"},
                                  {"old_used_percent", 85.0},
                                  {"new_used_percent", 90.5}});
}

TEST_CASE("diff: network configuration changes", "[findings][diff]") {
  auto older = desktop();
  auto newer = older;
  auto* net = newer.mutable_network();
  for (auto& i : *net->mutable_interfaces()) {
    if (i.name() != "enp0s31f6") continue;
    i.mutable_addresses(0)->set_address("10.20.9.33");
  }
  add_interface(newer, "tun0", {"172.16.0.5"});
  net->set_default_gateway("10.20.9.1");
  net->mutable_dns()->clear_upstream_nameservers();
  net->mutable_dns()->add_upstream_nameservers("10.20.9.53");
  net->mutable_dns()->add_upstream_nameservers("1.1.1.1");
  auto changes = diff_snapshots(older, newer);
  REQUIRE(changes.addresses.size() == 2);
  CHECK(changes.addresses[0].interface == "enp0s31f6");
  CHECK(changes.addresses[0].added == std::vector<std::string>{"10.20.9.33/24"});
  CHECK(changes.addresses[0].removed == std::vector<std::string>{"10.20.4.117/24"});
  CHECK(changes.addresses[1].interface == "tun0");
  CHECK(changes.addresses[1].removed.empty());
  REQUIRE(changes.default_gateway);
  CHECK(changes.default_gateway->old_value == "10.20.4.1");
  CHECK(changes.default_gateway->new_value == "10.20.9.1");
  CHECK_FALSE(changes.default_gateway_v6);
  REQUIRE(changes.dns_servers);
  CHECK(changes.dns_servers->added == std::vector<std::string>{"1.1.1.1", "10.20.9.53"});
  CHECK(changes.dns_servers->removed == std::vector<std::string>{"10.20.0.53"});
  auto json = to_json(changes)["network"];
  CHECK(json["default_gateway"] == nlohmann::json{{"old", "10.20.4.1"}, {"new", "10.20.9.1"}});
  CHECK(json["default_gateway_v6"].is_null());

  SECTION("losing the default route is a change to none") {
    newer.mutable_network()->clear_default_gateway();
    auto lost = diff_snapshots(older, newer);
    REQUIRE(lost.default_gateway);
    CHECK(to_json(lost)["network"]["default_gateway"]["new"].is_null());
  }
  SECTION("routes not collected in the newer snapshot: no gateway change") {
    for (auto& c : *newer.mutable_collectors()) {
      if (c.name() == "routes") c.set_outcome(triage::v1::CollectorStatus::FAILED);
    }
    CHECK_FALSE(diff_snapshots(older, newer).default_gateway);
  }
}

TEST_CASE("diff: kernel, OS and hardware changes", "[findings][diff]") {
  auto older = desktop();
  auto newer = older;
  newer.mutable_system()->set_kernel_release("6.1.0-23-amd64");
  newer.mutable_system()->set_os_pretty_name("Debian GNU/Linux 12 (bookworm) 12.6");
  SECTION("kernel and OS") {
    auto changes = diff_snapshots(older, newer);
    REQUIRE(changes.kernel);
    CHECK(changes.kernel->old_value == "6.1.0-21-amd64");
    CHECK(changes.kernel->new_value == "6.1.0-23-amd64");
    REQUIRE(changes.os);
    CHECK_FALSE(changes.memory_total);
  }
  SECTION("memory doubled; a few MiB of kernel reservations is no change") {
    newer.mutable_hardware()->mutable_memory()->set_total_bytes(
        2 * older.hardware().memory().total_bytes());
    auto changes = diff_snapshots(older, newer);
    REQUIRE(changes.memory_total);
    CHECK(changes.memory_total->new_bytes == 2 * changes.memory_total->old_bytes);
    newer.mutable_hardware()->mutable_memory()->set_total_bytes(
        older.hardware().memory().total_bytes() - 8 * kMiB);
    CHECK_FALSE(diff_snapshots(older, newer).memory_total);
  }
  SECTION("a side that did not report the kernel is no change") {
    newer.mutable_system()->clear_kernel_release();
    CHECK_FALSE(diff_snapshots(older, newer).kernel);
  }
}

TEST_CASE("diff: JSON has stable keys even when empty", "[findings][diff]") {
  auto json = to_json(SnapshotChanges{});
  CHECK(json == nlohmann::json::parse(R"({
    "software": {"installed": [], "removed": [], "updated": []},
    "services": [],
    "filesystems_filled": [],
    "network": {"addresses": [], "default_gateway": null, "default_gateway_v6": null,
                "dns_servers": null},
    "system": {"kernel": null, "os": null},
    "hardware": {"memory_total": null, "cpu_model": null},
    "empty": true})"));
}
