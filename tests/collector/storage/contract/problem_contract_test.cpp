// The storage contract, problems and fleet findings, whatever the backend.

#include <catch2/catch.hpp>

#include "tests/collector/storage/contract/contract_fixtures.hpp"
#include "tests/collector/storage/contract/storage_backends.hpp"

using namespace triage;
using namespace triage::collector;
using namespace triage::collector::contract;

namespace {

DeviceFinding finding(const std::string& device_id, const std::string& rule_id,
                      const std::string& subject, const std::string& severity) {
  return DeviceFinding{device_id,          rule_id,    subject, severity,
                       rule_id + " title", "evidence", {},      {}};
}

}  // namespace

TEMPLATE_TEST_CASE("storage contract: device findings keep first_seen and add up per fleet",
                   "[storage][contract][problems][devices]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  REQUIRE(store->write([](WriteTx& tx) { return enroll_devices(tx, {"d1", "d2", "d3"}); }));
  REQUIRE(store->write([](WriteTx& tx) -> Result<void> {
    if (auto r = tx.problems().replace_device_findings(
            "d1",
            {finding("d1", "disk.full", "/", "warning"), finding("d1", "ntp.off", "", "info")},
            at(10));
        !r) {
      return r;
    }
    if (auto r = tx.problems().replace_device_findings(
            "d2", {finding("d2", "disk.full", "/var", "critical")}, at(12));
        !r) {
      return r;
    }
    return tx.problems().replace_device_findings("d3", {finding("d3", "disk.full", "/", "info")},
                                                 at(14));
  }));
  // d1 again later: disk.full still there (first_seen kept), ntp.off gone.
  REQUIRE(store->write([](WriteTx& tx) {
    return tx.problems().replace_device_findings(
        "d1", {finding("d1", "disk.full", "/", "critical")}, at(20));
  }));
  auto d1 = store->read().problems().device_findings("d1");
  REQUIRE(d1);
  REQUIRE(d1->size() == 1);
  CHECK((*d1)[0].severity == "critical");
  CHECK((*d1)[0].first_seen == at(10));
  CHECK((*d1)[0].last_seen == at(20));

  REQUIRE(store->write([](WriteTx& tx) { return tx.devices().revoke_device("d3", at(30)); }));
  auto fleet = store->read().problems().fleet_findings(std::nullopt);
  REQUIRE(fleet);
  REQUIRE(fleet->size() == 1);
  CHECK((*fleet)[0].rule_id == "disk.full");
  CHECK((*fleet)[0].devices == 2);
  CHECK((*fleet)[0].severity == "critical");
  CHECK((*fleet)[0].first_seen == at(10));
  CHECK((*fleet)[0].last_seen == at(20));
  CHECK((*fleet)[0].example_devices == std::vector<std::string>{"d1", "d2"});
  auto recent = store->read().problems().fleet_findings(at(11));
  REQUIRE(recent);
  REQUIRE(recent->size() == 1);
  CHECK((*recent)[0].example_devices == std::vector<std::string>{"d2"});
}

TEMPLATE_TEST_CASE("storage contract: one open problem per rule, linked to tickets once",
                   "[storage][contract][problems][tickets][devices]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  REQUIRE(store->write([](WriteTx& tx) -> Result<std::string> {
    if (auto r = tx.devices().insert_enrollment_token(enrollment_token("t1", 1)); !r) {
      return tl::unexpected(r.error());
    }
    return tx.devices().enroll_device("hash-t1", device("d1"), at(1));
  }));
  auto t = ticket("Disk full");
  t.device_ids = {"d1"};
  REQUIRE(store->write([&](WriteTx& tx) { return tx.tickets().create_ticket(t, {}); }));
  REQUIRE(store->write([](WriteTx& tx) {
    return tx.problems().replace_device_findings(
        "d1", {DeviceFinding{"d1", "disk.full", "/", "warning", "Disk full", "", {}, {}}}, at(5));
  }));
  CHECK(store->read().problems().open_tickets_with_finding("disk.full").value() ==
        std::vector<std::int64_t>{t.id});

  Problem p;
  p.rule_id = "disk.full";
  p.title = "Disks filling up";
  p.created_by = "alice";
  p.created_at = at(30);
  REQUIRE(store->write([&](WriteTx& tx) { return tx.problems().create_problem(p); }));
  CHECK(p.id > 0);
  Problem twin = p;
  CHECK(
      store->write([&](WriteTx& tx) { return tx.problems().create_problem(twin); }).error().code ==
      ErrorCode::kConflict);

  CHECK(store
            ->write([&](WriteTx& tx) {
              return tx.problems().link_ticket_problem(t.id, p.id, event(t.id, "problem_linked"));
            })
            .value());
  CHECK_FALSE(store
                  ->write([&](WriteTx& tx) {
                    return tx.problems().link_ticket_problem(t.id, p.id,
                                                             event(t.id, "problem_linked"));
                  })
                  .value());
  auto open = store->read().problems().open_problem_for_rule("disk.full");
  REQUIRE(open);
  REQUIRE(*open);
  CHECK((*open)->tickets == 1);
  CHECK((*open)->open_tickets == 1);
  CHECK(store->read().problems().ticket_problems(t.id).value().size() == 1);
  TicketFilter linked;
  linked.problem_id = p.id;
  CHECK(store->read().tickets().list_tickets(linked).value().total == 1);

  Problem resolved = **open;
  resolved.open = false;
  resolved.resolved_at = at(40);
  resolved.resolved_by = "bob";
  resolved.resolution = "log rotation";
  REQUIRE(store->write([&](WriteTx& tx) {
    return tx.problems().update_problem(resolved, {event(t.id, "problem_resolved")});
  }));
  CHECK(store->read().problems().list_problems(true).value().empty());
  CHECK(store->read().problems().list_problems(false).value().size() == 1);
  // A new problem for the rule may open now; reopening the old one is then refused.
  Problem next = p;
  REQUIRE(store->write([&](WriteTx& tx) { return tx.problems().create_problem(next); }));
  CHECK(next.id != p.id);
  Problem reopen = resolved;
  reopen.open = true;
  reopen.resolved_at.reset();
  CHECK(store->write([&](WriteTx& tx) { return tx.problems().update_problem(reopen, {}); })
            .error()
            .code == ErrorCode::kConflict);
  Problem unknown = reopen;
  unknown.id = 999;
  unknown.open = false;
  CHECK(store->write([&](WriteTx& tx) { return tx.problems().update_problem(unknown, {}); })
            .error()
            .code == ErrorCode::kNotFound);

  CHECK(store
            ->write([&](WriteTx& tx) {
              return tx.problems().unlink_ticket_problem(t.id, p.id,
                                                         event(t.id, "problem_unlinked"));
            })
            .value());
  CHECK_FALSE(store
                  ->write([&](WriteTx& tx) {
                    return tx.problems().unlink_ticket_problem(t.id, p.id,
                                                               event(t.id, "problem_unlinked"));
                  })
                  .value());
  auto timeline = store->read().tickets().ticket_events(t.id);
  REQUIRE(timeline);
  CHECK(timeline->size() == 3);  // linked, resolved, unlinked
}
