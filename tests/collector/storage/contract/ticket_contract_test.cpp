// The storage contract, tickets: links, timelines, attachments and enrichments, whatever the
// backend.

#include <catch2/catch.hpp>

#include "tests/collector/storage/contract/contract_fixtures.hpp"
#include "tests/collector/storage/contract/storage_backends.hpp"

using namespace triage;
using namespace triage::collector;
using namespace triage::collector::contract;

TEMPLATE_TEST_CASE("storage contract: a ticket keeps its devices, events and external key",
                   "[storage][contract][tickets][devices]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  REQUIRE(store->write([](WriteTx& tx) { return enroll_devices(tx, {"d2", "d1"}); }));
  auto t = ticket("Printer offline");
  t.external_system = std::string(kEndpointOrigin);
  t.external_id = "req-1";
  t.device_ids = {"d2", "d1"};
  REQUIRE(store->write([&](WriteTx& tx) {
    return tx.tickets().create_ticket(t, {event(0, "created"), event(0, "enriched")});
  }));
  REQUIRE(t.id > 0);

  auto found = store->read().tickets().find_ticket(t.id);
  REQUIRE(found);
  REQUIRE(*found);
  CHECK((*found)->title == "Printer offline");
  // Linked together, they come back by id.
  CHECK((*found)->device_ids == std::vector<std::string>{"d1", "d2"});
  CHECK((*found)->version == 0);
  auto timeline = store->read().tickets().ticket_events(t.id);
  REQUIRE(timeline);
  REQUIRE(timeline->size() == 2);
  CHECK((*timeline)[0].kind == "created");
  CHECK((*timeline)[0].ticket_id == t.id);
  CHECK((*timeline)[1].kind == "enriched");

  // The same key again is refused, and the refused ticket leaves nothing behind.
  auto again = ticket("Printer offline (resent)");
  again.external_system = t.external_system;
  again.external_id = t.external_id;
  CHECK(store->write([&](WriteTx& tx) { return tx.tickets().create_ticket(again, {}); })
            .error()
            .code == ErrorCode::kConflict);
  CHECK(store->read().tickets().list_tickets(TicketFilter{}).value().total == 1);

  // Linked to Request Tracker, the ticket is still found under the key it came in with.
  auto linked = store->write([&](WriteTx& tx) {
    return tx.tickets().link_ticket_external(t.id, "rt", "4711", event(t.id, "linked"));
  });
  REQUIRE(linked);
  CHECK(linked->external_system == "rt");
  CHECK(store->read()
            .tickets()
            .find_ticket_by_external(kEndpointOrigin, "req-1")
            .value()
            .value()
            .id == t.id);
  CHECK(store->read().tickets().find_ticket_by_external("rt", "4711").value().value().id == t.id);
  CHECK(store->read().tickets().linked_open_tickets("rt", 10).value().size() == 1);
  // Linking again to the same is a no-op; to another external ticket a conflict.
  REQUIRE(store->write([&](WriteTx& tx) {
    return tx.tickets().link_ticket_external(t.id, "rt", "4711", event(t.id, "linked"));
  }));
  CHECK(store
            ->write([&](WriteTx& tx) {
              return tx.tickets().link_ticket_external(t.id, "rt", "4712", event(t.id, "linked"));
            })
            .error()
            .code == ErrorCode::kConflict);
  auto other = ticket("Other");
  REQUIRE(store->write([&](WriteTx& tx) { return tx.tickets().create_ticket(other, {}); }));
  CHECK(store
            ->write([&](WriteTx& tx) {
              return tx.tickets().link_ticket_external(other.id, "rt", "4711",
                                                       event(other.id, "linked"));
            })
            .error()
            .code == ErrorCode::kConflict);
  CHECK(store
            ->write([&](WriteTx& tx) {
              return tx.tickets().link_ticket_external(999, "rt", "1", event(999, "linked"));
            })
            .error()
            .code == ErrorCode::kNotFound);

  // A device is linked once; the second link writes no event.
  CHECK_FALSE(store
                  ->write([&](WriteTx& tx) {
                    return tx.tickets().link_ticket_device(t.id, "d1", event(t.id, "device"));
                  })
                  .value());
  CHECK(store->read().tickets().ticket_events(t.id).value().size() == 3);

  // Appending to a ticket that does not exist writes nothing.
  CHECK(store
            ->write([&](WriteTx& tx) {
              return tx.tickets().append_ticket_events({event(t.id, "note"), event(999, "note")});
            })
            .error()
            .code == ErrorCode::kNotFound);
  CHECK(store->read().tickets().ticket_events(t.id).value().size() == 3);
}

TEMPLATE_TEST_CASE("storage contract: the ticket list filters, sorts and pages",
                   "[storage][contract][tickets][devices][problems]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  REQUIRE(store->write([](WriteTx& tx) { return enroll_devices(tx, {"d1"}); }));
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    auto t = ticket("Disk full #" + std::to_string(i));
    t.priority = 1 + i % 3;
    t.due_at = at(100 - i);
    t.assignee = i % 2 == 0 ? "alice" : "bob";
    if (i == 3) t.device_ids = {"d1"};
    REQUIRE(store->write([&](WriteTx& tx) { return tx.tickets().create_ticket(t, {}); }));
    ids.push_back(t.id);
  }
  REQUIRE(store->write([](WriteTx& tx) {
    return tx.problems().replace_device_findings(
        "d1", {DeviceFinding{"d1", "disk.full", "/", "critical", "Disk full", "99%", {}, {}}},
        at(50));
  }));

  TicketFilter by_priority;
  by_priority.priorities = {1, 2};
  by_priority.assignee = "alice";
  auto page = store->read().tickets().list_tickets(by_priority);
  REQUIRE(page);
  CHECK(page->total == 2);  // #0 (P1) and #4 (P2); #2 is P3
  REQUIRE(page->items.size() == 2);
  CHECK(page->items[0].id == ids[0]);
  CHECK(page->items[1].id == ids[4]);

  TicketFilter by_due;
  by_due.sort = "-due";
  by_due.limit = 2;
  by_due.offset = 1;
  auto due = store->read().tickets().list_tickets(by_due);
  REQUIRE(due);
  CHECK(due->total == 5);
  REQUIRE(due->items.size() == 2);
  CHECK(due->items[0].id == ids[1]);
  CHECK(due->items[1].id == ids[2]);

  TicketFilter by_device;
  by_device.device_id = "d1";
  by_device.text = "DISK FULL #3";
  auto on_device = store->read().tickets().list_tickets(by_device);
  REQUIRE(on_device);
  REQUIRE(on_device->items.size() == 1);
  CHECK(on_device->items[0].device_ids == std::vector<std::string>{"d1"});
  CHECK(on_device->items[0].worst_severity == "critical");
  CHECK(on_device->items[0].findings_count == 1);

  TicketFilter by_status;
  by_status.statuses = {TicketStatus::kResolved};
  CHECK(store->read().tickets().list_tickets(by_status).value().total == 0);
}

TEMPLATE_TEST_CASE("storage contract: an enrichment lands with its attachment and event",
                   "[storage][contract][tickets][devices]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  REQUIRE(store->write([](WriteTx& tx) { return enroll_devices(tx, {"d1"}); }));
  auto t = ticket("Slow boot");
  t.device_ids = {"d1"};
  REQUIRE(store->write([&](WriteTx& tx) { return tx.tickets().create_ticket(t, {}); }));

  Enrichment e;
  e.ticket_id = t.id;
  e.device_id = "d1";
  e.purpose = "creation";
  e.source = "fresh";
  e.snapshot_at = at(15);
  e.report_seq = 42;
  e.findings = nlohmann::json::array({{{"rule", "boot.slow"}}});
  e.created_at = at(16);
  Attachment a;
  a.ticket_id = t.id;
  a.name = "snapshot.json";
  a.content_type = "application/json";
  a.kind = "diagnostics";
  a.sha256 = std::string(64, 'b');
  a.created_at = at(16);
  a.created_by = "system";
  a.content = std::string("{\"bytes\":\"\0\xff\"}", 15);
  auto stored = store->write(
      [&](WriteTx& tx) { return tx.tickets().insert_enrichment(e, a, event(t.id, "enrichment")); });
  REQUIRE(stored);
  CHECK(e.id > 0);
  CHECK(e.attachment_id > 0);

  auto enrichments = store->read().tickets().ticket_enrichments(t.id);
  REQUIRE(enrichments);
  REQUIRE(enrichments->size() == 1);
  CHECK((*enrichments)[0].report_seq == 42);
  CHECK((*enrichments)[0].snapshot_at == at(15));
  CHECK((*enrichments)[0].attachment_id == e.attachment_id);
  CHECK((*enrichments)[0].findings == e.findings);
  auto listed = store->read().tickets().ticket_attachments(t.id);
  REQUIRE(listed);
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].size == 15);
  CHECK((*listed)[0].content.empty());
  auto full = store->read().tickets().find_attachment(e.attachment_id);
  REQUIRE(full);
  REQUIRE(*full);
  CHECK((*full)->content == a.content);
  auto timeline = store->read().tickets().ticket_events(t.id);
  REQUIRE(timeline);
  REQUIRE(timeline->size() == 1);
  CHECK(timeline->front().data["enrichment_id"] == e.id);
  CHECK(timeline->front().data["attachment_id"] == e.attachment_id);
  CHECK(store->read().tickets().find_ticket(t.id).value()->updated_at == at(20));
}
