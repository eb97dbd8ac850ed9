// Deltas: diff and apply, property-tested on fixture machines and random mutations.
#include <google/protobuf/util/message_differencer.h>

#include <catch2/catch.hpp>
#include <random>

#include "shared/protocol/delta.hpp"
#include "tests/agent/collectors/fixture_support.hpp"

using namespace triage::protocol;
namespace testing = triage::agent::testing;
namespace v1 = triage::v1;
using google::protobuf::util::MessageDifferencer;

namespace {

void check_round_trip(const v1::Snapshot& a, const v1::Snapshot& b) {
  auto delta = diff_snapshots(a, b);
  auto applied = apply_delta(a, delta);
  REQUIRE(applied.has_value());
  std::string report;
  MessageDifferencer d;
  d.ReportDifferencesToString(&report);
  INFO(report);
  CHECK(d.Compare(*applied, b));
  // The delta survives the wire.
  v1::Delta wire;
  REQUIRE(wire.ParseFromString(delta.SerializeAsString()));
  auto again = apply_delta(a, wire);
  REQUIRE(again.has_value());
  CHECK(MessageDifferencer::Equals(*again, b));
}

/// Random edits of the kinds real machines produce between two snapshots.
v1::Snapshot mutate(v1::Snapshot s, std::mt19937& rng) {
  auto pick = [&](int n) { return n > 0 ? static_cast<int>(rng() % static_cast<unsigned>(n)) : 0; };
  int edits = 1 + pick(6);
  for (int e = 0; e < edits; ++e) {
    auto* sw = s.mutable_software();
    auto* hw = s.mutable_hardware();
    switch (pick(12)) {
      case 0: {  // package upgraded
        if (sw->packages_size())
          sw->mutable_packages(pick(sw->packages_size()))
              ->set_version("9.9-" + std::to_string(rng() % 100));
        break;
      }
      case 1: {  // package removed
        if (sw->packages_size())
          sw->mutable_packages()->DeleteSubrange(pick(sw->packages_size()), 1);
        break;
      }
      case 2: {  // package installed, somewhere in the list
        auto* p = sw->add_packages();
        p->set_name("new-" + std::to_string(rng()));
        p->set_arch("amd64");
        p->set_source(v1::Package::DPKG);
        p->set_version("1.0");
        for (int i = sw->packages_size() - 1; i > pick(sw->packages_size()); --i)
          sw->mutable_packages()->SwapElements(i, i - 1);
        break;
      }
      case 3:  // filesystem fills up
        if (hw->filesystems_size()) {
          auto* f = hw->mutable_filesystems(pick(hw->filesystems_size()));
          f->set_used_percent(static_cast<float>(pick(100)));
          f->clear_inodes_total();
        }
        break;
      case 4:  // processes reshuffle (order matters: ranked by CPU)
        if (sw->top_processes_size() > 1)
          sw->mutable_top_processes()->SwapElements(0, sw->top_processes_size() - 1);
        break;
      case 5:
        s.mutable_system()->set_hostname("renamed-" + std::to_string(rng() % 10));
        break;
      case 6:  // a whole sub-message disappears or appears
        if (s.has_security())
          s.clear_security();
        else
          s.mutable_security()->set_secure_boot(true);
        break;
      case 7:
        s.mutable_health()->mutable_load()->set_load1(static_cast<double>(rng() % 1000) / 100.0);
        break;
      case 8: {  // a unit fails
        auto* u = sw->mutable_services()->add_units();
        u->set_name("unit" + std::to_string(rng() % 5) + ".service");  // may duplicate a key
        u->set_active_state(v1::ServiceUnit::FAILED);
        break;
      }
      case 9:  // DNS servers change (unkeyed list)
        s.mutable_network()->mutable_dns()->add_nameservers("10.0.0." +
                                                            std::to_string(rng() % 255));
        break;
      case 10:  // optional field cleared vs zero
        hw->mutable_memory()->clear_used_percent();
        hw->mutable_memory()->set_swap_used_percent(0);
        break;
      case 11:  // pending reboot appears with reasons
        s.mutable_system()->mutable_pending_reboot()->set_required(true);
        s.mutable_system()->mutable_pending_reboot()->add_reasons("kernel upgraded");
        break;
    }
  }
  s.set_collected_at_unix_ms(s.collected_at_unix_ms() + 60000);
  return s;
}

}  // namespace

TEST_CASE("Identical snapshots give an empty delta", "[delta]") {
  auto snap = testing::fixture_snapshot("desktop");
  auto later = snap;
  later.set_collected_at_unix_ms(snap.collected_at_unix_ms() + 3600000);
  later.mutable_collectors(0)->set_cpu_ms(42);
  auto delta = diff_snapshots(snap, later);
  CHECK(delta_is_empty(delta));
  CHECK(delta.collected_at_unix_ms() == later.collected_at_unix_ms());
  CHECK(delta.collectors_size() == later.collectors_size());
  auto applied = apply_delta(snap, delta);
  REQUIRE(applied.has_value());
  CHECK(MessageDifferencer::Equals(*applied, later));
}

TEST_CASE("A delta names what changed by stable keys", "[delta]") {
  auto before = testing::fixture_snapshot("desktop");
  auto after = before;
  for (auto& p : *after.mutable_software()->mutable_packages()) {
    if (p.name() == "openssl") p.set_version("3.0.2-0ubuntu1.15");
  }
  after.mutable_software()->mutable_packages()->erase(
      after.mutable_software()->mutable_packages()->begin());  // bash
  auto* f = after.mutable_hardware()->mutable_filesystems(0);
  f->set_used_percent(91.5f);
  auto delta = diff_snapshots(before, after);
  std::vector<std::string> paths;
  for (const auto& c : delta.changes())
    paths.push_back(v1::Change::Kind_Name(c.kind()) + " " + describe_path(c));
  CHECK(paths == std::vector<std::string>{"CHANGED hardware.filesystems[/]",
                                          "REMOVED software.packages[bash/amd64/DPKG]",
                                          "CHANGED software.packages[openssl/amd64/DPKG]"});
  CHECK(delta.changes(0).fields(0) == "used_percent");
  CHECK(delta.changes(2).fields(0) == "version");
  check_round_trip(before, after);
}

TEST_CASE("apply(old, diff(old, new)) == new across fixture machines", "[delta][property]") {
  std::vector<v1::Snapshot> machines;
  for (const char* m : {"desktop", "laptop", "server-raid", "container"})
    machines.push_back(testing::fixture_snapshot(m));
  machines.emplace_back();  // the empty snapshot
  for (std::size_t i = 0; i < machines.size(); ++i) {
    for (std::size_t j = 0; j < machines.size(); ++j) {
      CAPTURE(i, j);
      check_round_trip(machines[i], machines[j]);
    }
  }
}

TEST_CASE("apply(old, diff(old, new)) == new under random mutations", "[delta][property]") {
  auto seed = GENERATE(range(1u, 41u));
  std::mt19937 rng(seed);
  auto base = testing::fixture_snapshot(seed % 2 ? "desktop" : "server-raid");
  auto next = mutate(base, rng);
  CAPTURE(seed);
  check_round_trip(base, next);
  auto third = mutate(next, rng);
  check_round_trip(next, third);
  // Deltas chain.
  auto step1 = apply_delta(base, diff_snapshots(base, next));
  REQUIRE(step1.has_value());
  auto step2 = apply_delta(*step1, diff_snapshots(next, third));
  REQUIRE(step2.has_value());
  CHECK(MessageDifferencer::Equals(*step2, third));
}

TEST_CASE("A delta against the wrong base is refused, not misapplied", "[delta]") {
  auto desktop = testing::fixture_snapshot("desktop");
  auto changed = desktop;
  changed.mutable_software()->mutable_packages(0)->set_version("0");
  auto delta = diff_snapshots(desktop, changed);
  auto laptop = testing::fixture_snapshot("laptop");
  auto applied = apply_delta(laptop, delta);
  REQUIRE_FALSE(applied.has_value());
  CHECK_THAT(applied.error().message, Catch::Contains("missing element"));
  v1::Delta junk;
  junk.add_changes()->set_kind(v1::Change::CHANGED);
  junk.mutable_changes(0)->set_value("\xff\xff not a message");
  CHECK_FALSE(apply_delta(desktop, junk).has_value());
}
