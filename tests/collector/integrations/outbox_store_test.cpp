// The outbox in a real SQLite file: messages, planned the way the ticket services plan them,
// commit with the ticket change that causes them (and not without it), targets receive their
// messages in order one at a time, leases bring back messages whose delivery never reported, and
// the delivery log and requeue behave.

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "collector/integrations/ticket_event_planner.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "collector/tickets/ticket_service.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::collector;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<SqliteStore> open_store(const testing::TempDir& dir) {
  auto store = SqliteStore::open((dir.path() / "c.db").string());
  REQUIRE(store);
  return std::move(*store);
}

// As the ticket services do: the events, then what they cause, in one transaction.
TicketEventPlanner planner;

Result<void> create_ticket(Store& store, Ticket& t, const TicketEvent& created) {
  return store.write([&](WriteTx& tx) -> Result<void> {
    if (auto r = tx.tickets().create_ticket(t, {created}); !r) return r;
    TicketEvent stored = created;
    stored.ticket_id = t.id;
    return planner.enqueue_planned(tx, {stored});
  });
}

Result<void> append_event(Store& store, const TicketEvent& e) {
  return store.write([&](WriteTx& tx) -> Result<void> {
    if (auto r = tx.tickets().append_ticket_events({e}); !r) return r;
    return planner.enqueue_planned(tx, {e});
  });
}

Result<void> update_ticket(Store& store, const Ticket& t, std::int64_t version,
                           const TicketEvent& e) {
  return store.write([&](WriteTx& tx) -> Result<void> {
    if (auto r = tx.tickets().update_ticket(t, version, {e}); !r) return r;
    return planner.enqueue_planned(tx, {e});
  });
}

IntegrationTarget webhook(const std::string& url, std::vector<std::string> events,
                          bool internal = false) {
  IntegrationTarget t;
  t.connector = "webhook";
  t.url = url;
  t.event_types = std::move(events);
  t.internal = internal;
  t.secret = "whsec_x";
  t.created_at = t.updated_at = std::chrono::system_clock::now();
  return t;
}

Ticket new_ticket(TimePoint now) {
  Ticket t;
  t.title = "VPN drops";
  t.status = TicketStatus::kNew;
  t.created_at = t.updated_at = t.response_due_at = t.due_at = now;
  return t;
}

TicketEvent created_event(TimePoint now) {
  TicketEvent e;
  e.at = now;
  e.actor = "alice";
  e.kind = "created";
  e.visibility = Visibility::kPublic;
  return e;
}

TicketEvent note(std::int64_t ticket_id, TimePoint now, std::string text) {
  TicketEvent e;
  e.ticket_id = ticket_id;
  e.at = now;
  e.actor = "bob";
  e.kind = "note";
  e.visibility = Visibility::kPublic;
  e.data = {{"text", std::move(text)}};
  return e;
}

std::vector<OutboxMessage> log_of(Store& store, std::int64_t target) {
  OutboxFilter f;
  f.target_id = target;
  f.limit = 500;
  return store.read().outbox().list_outbox(f).value().items;
}

}  // namespace

TEST_CASE("ticket changes enqueue messages in their own transaction") {
  testing::TempDir dir;
  auto store = open_store(dir);
  const auto now = std::chrono::system_clock::now();

  // Nothing subscribed: nothing queued.
  auto t0 = new_ticket(now);
  REQUIRE(create_ticket(*store, t0, created_event(now)));

  const auto target = store->write([&](WriteTx& tx) {
    return tx.outbox().insert_integration_target(
        webhook("https://a.example/", {"ticket.created", "ticket.note_added", "ticket.updated"}));
  });
  REQUIRE(target);
  CHECK(log_of(*store, *target).empty());
  auto t1 = new_ticket(now);
  REQUIRE(create_ticket(*store, t1, created_event(now)));
  REQUIRE(append_event(*store, note(t1.id, now, "first")));
  auto log = log_of(*store, *target);
  REQUIRE(log.size() == 2);
  CHECK(log[1].event_type == "ticket.created");  // newest first
  CHECK(log[1].ticket_id == t1.id);
  CHECK(log[0].event_type == "ticket.note_added");
  CHECK(log[0].status == OutboxStatus::kPending);
  CHECK(log[0].attempts == 0);
  // The note carries its id on the ticket's timeline.
  const auto timeline = store->read().tickets().ticket_events(t1.id).value();
  REQUIRE(timeline.size() == 2);
  CHECK(timeline.back().id > 0);
  CHECK(nlohmann::json::parse(log[0].payload)["data"]["note"]["event_id"] == timeline.back().id);

  // A change that rolls back (stale version) leaves no message behind.
  Ticket edited = t1;
  edited.title = "VPN drops hourly";
  TicketEvent change;
  change.ticket_id = t1.id;
  change.at = now;
  change.actor = "bob";
  change.kind = "title_change";
  change.data = {{"from", t1.title}, {"to", edited.title}};
  auto stale = update_ticket(*store, edited, t1.version + 5, change);
  REQUIRE_FALSE(stale);
  CHECK(stale.error().code == ErrorCode::kConflict);
  CHECK(log_of(*store, *target).size() == 2);
  // The same change with the right version commits both.
  REQUIRE(update_ticket(*store, edited, t1.version, change));
  log = log_of(*store, *target);
  REQUIRE(log.size() == 3);
  CHECK(log[0].event_type == "ticket.updated");
  CHECK(nlohmann::json::parse(log[0].payload)["ticket"]["title"] == "VPN drops hourly");
  // A note on a ticket that does not exist rolls back, and enqueues nothing.
  CHECK_FALSE(append_event(*store, note(9999, now, "lost")));
  CHECK(log_of(*store, *target).size() == 3);
}

TEST_CASE("the ticket service enqueues what its changes cause, in their transaction") {
  testing::TempDir dir;
  auto store = open_store(dir);
  const auto now = std::chrono::system_clock::now();
  const auto target =
      store
          ->write([&](WriteTx& tx) {
            return tx.outbox().insert_integration_target(webhook(
                "https://a.example/", {"ticket.created", "ticket.note_added", "ticket.updated"}));
          })
          .value();
  TicketService tickets(*store, SlaPolicy{}, nullptr, &planner);
  NewTicket request;
  request.title = "Printer jams";
  auto t = tickets.create(request, "alice", now);
  REQUIRE(t);
  auto added = tickets.add_note(t->id, "Checked the tray", Visibility::kPublic, "bob", now);
  REQUIRE(added);
  TicketChange change;
  change.priority = 1;
  REQUIRE(tickets.update(t->id, change, "bob", now));
  REQUIRE(tickets.add_time(t->id, 5, "", "bob", now));  // causes nothing
  auto log = log_of(*store, target);
  REQUIRE(log.size() == 3);
  CHECK(log[2].event_type == "ticket.created");
  CHECK(log[1].event_type == "ticket.note_added");
  const auto timeline = store->read().tickets().ticket_events(t->id).value();
  REQUIRE(timeline.size() == 4);
  CHECK(nlohmann::json::parse(log[1].payload)["data"]["note"]["event_id"] == timeline[1].id);
  CHECK(log[0].event_type == "ticket.updated");

  // Without a planner (tools, tests) nothing is planned.
  TicketService unplanned(*store, SlaPolicy{}, nullptr);
  REQUIRE(unplanned.add_note(t->id, "quiet", Visibility::kPublic, "bob", now));
  CHECK(log_of(*store, target).size() == 3);
}

TEST_CASE("claims: oldest first, one at a time per target, leased, recorded") {
  testing::TempDir dir;
  auto store = open_store(dir);
  const auto now = std::chrono::system_clock::now();
  const auto a = store
                     ->write([&](WriteTx& tx) {
                       return tx.outbox().insert_integration_target(
                           webhook("https://a.example/", {"ticket.note_added"}));
                     })
                     .value();
  const auto b = store
                     ->write([&](WriteTx& tx) {
                       return tx.outbox().insert_integration_target(
                           webhook("https://b.example/", {"ticket.note_added"}));
                     })
                     .value();
  auto t = new_ticket(now);
  REQUIRE(create_ticket(*store, t, created_event(now)));
  REQUIRE(append_event(*store, note(t.id, now, "one")));
  REQUIRE(append_event(*store, note(t.id, now + 1ms, "two")));

  // One message per target: the head of each queue.
  auto claimed =
      store->write([&](WriteTx& tx) { return tx.outbox().claim_outbox(now + 1s, 10, 30s); })
          .value();
  REQUIRE(claimed.size() == 2);
  for (const auto& m : claimed) {
    CHECK(m.attempts == 1);
    CHECK_THAT(m.payload, Catch::Contains("\"one\""));
  }
  // Leased: nothing more is claimable, not even the second message of either target.
  CHECK(store->write([&](WriteTx& tx) { return tx.outbox().claim_outbox(now + 2s, 10, 30s); })
            .value()
            .empty());
  CHECK(store->read().outbox().next_outbox_due().value() ==
        std::chrono::time_point_cast<std::chrono::milliseconds>(now + 1s + 30s));

  const auto first_a = claimed[0].target_id == a ? claimed[0] : claimed[1];
  const auto first_b = claimed[0].target_id == b ? claimed[0] : claimed[1];
  OutboxAttempt delivered;
  delivered.status = OutboxStatus::kDelivered;
  delivered.at = now + 2s;
  delivered.next_attempt_at = delivered.at;
  delivered.http_status = 204;
  REQUIRE(store->write(
      [&](WriteTx& tx) { return tx.outbox().record_outbox_attempt(first_a.id, delivered); }));
  OutboxAttempt retry;
  retry.status = OutboxStatus::kPending;
  retry.at = now + 2s;
  retry.next_attempt_at = now + 10s;
  retry.http_status = 503;
  retry.error = "HTTP 503";
  REQUIRE(store->write(
      [&](WriteTx& tx) { return tx.outbox().record_outbox_attempt(first_b.id, retry); }));

  // a moves on to its second message; b waits for its head's retry (order is kept).
  claimed = store->write([&](WriteTx& tx) { return tx.outbox().claim_outbox(now + 3s, 10, 30s); })
                .value();
  REQUIRE(claimed.size() == 1);
  CHECK(claimed[0].target_id == a);
  CHECK_THAT(claimed[0].payload, Catch::Contains("\"two\""));
  claimed = store->write([&](WriteTx& tx) { return tx.outbox().claim_outbox(now + 11s, 10, 30s); })
                .value();
  REQUIRE(claimed.size() == 1);
  CHECK(claimed[0].id == first_b.id);
  CHECK(claimed[0].attempts == 2);
  CHECK(claimed[0].last_http_status == 503);

  // The outcome never comes (the process died): after the lease it is claimed again.
  CHECK(store->write([&](WriteTx& tx) { return tx.outbox().claim_outbox(now + 20s, 10, 30s); })
            .value()
            .empty());
  claimed = store->write([&](WriteTx& tx) { return tx.outbox().claim_outbox(now + 42s, 10, 30s); })
                .value();
  REQUIRE(claimed.size() == 2);  // a's leased second message and b's head, both expired

  auto counts = store->read().outbox().outbox_counts().value();
  CHECK(counts[a].delivered == 1);
  CHECK(counts[a].pending == 1);
  CHECK(counts[b].pending == 2);
}

TEST_CASE("inactive targets are not claimed, 410 deactivates, requeue and delete") {
  testing::TempDir dir;
  auto store = open_store(dir);
  const auto now = std::chrono::system_clock::now();
  const auto a = store
                     ->write([&](WriteTx& tx) {
                       return tx.outbox().insert_integration_target(
                           webhook("https://a.example/", {"ticket.note_added"}));
                     })
                     .value();
  auto t = new_ticket(now);
  REQUIRE(create_ticket(*store, t, created_event(now)));
  REQUIRE(append_event(*store, note(t.id, now, "one")));
  REQUIRE(append_event(*store, note(t.id, now, "two")));

  IntegrationTargetUpdate off;
  off.active = false;
  REQUIRE(store->write(
      [&](WriteTx& tx) { return tx.outbox().update_integration_target(a, off, now); }));
  CHECK(store->write([&](WriteTx& tx) { return tx.outbox().claim_outbox(now + 1s, 10, 30s); })
            .value()
            .empty());
  CHECK_FALSE(store->read().outbox().next_outbox_due().value().has_value());
  // No new messages for an inactive target.
  REQUIRE(append_event(*store, note(t.id, now, "while off")));
  CHECK(log_of(*store, a).size() == 2);

  IntegrationTargetUpdate on;
  on.active = true;
  REQUIRE(
      store->write([&](WriteTx& tx) { return tx.outbox().update_integration_target(a, on, now); }));
  auto claimed =
      store->write([&](WriteTx& tx) { return tx.outbox().claim_outbox(now + 1s, 10, 30s); })
          .value();
  REQUIRE(claimed.size() == 1);
  OutboxAttempt gone;
  gone.status = OutboxStatus::kFailed;
  gone.at = now + 1s;
  gone.next_attempt_at = gone.at;
  gone.http_status = 410;
  gone.disable_target = "the receiver answered 410 Gone";
  REQUIRE(store->write(
      [&](WriteTx& tx) { return tx.outbox().record_outbox_attempt(claimed[0].id, gone); }));
  auto target = store->read().outbox().find_integration_target(a).value();
  REQUIRE(target);
  CHECK_FALSE(target->active);
  CHECK(target->disabled_reason == "the receiver answered 410 Gone");

  // Requeue: failed and delivered ones only.
  auto again = store->write([&](WriteTx& tx) {
    return tx.outbox().requeue_outbox_message(a, claimed[0].delivery_id, now + 5s);
  });
  REQUIRE(again);
  CHECK(again->status == OutboxStatus::kPending);
  CHECK(again->attempts == 0);
  CHECK(again->queued_at == std::chrono::time_point_cast<std::chrono::milliseconds>(now + 5s));
  CHECK(again->delivery_id == claimed[0].delivery_id);
  auto pending = store->write([&](WriteTx& tx) {
    return tx.outbox().requeue_outbox_message(a, claimed[0].delivery_id, now + 6s);
  });
  REQUIRE_FALSE(pending);
  CHECK(pending.error().code == ErrorCode::kConflict);
  CHECK(
      store->write([&](WriteTx& tx) { return tx.outbox().requeue_outbox_message(a, "nope", now); })
          .error()
          .code == ErrorCode::kNotFound);

  // Reactivation clears the reason.
  REQUIRE(
      store->write([&](WriteTx& tx) { return tx.outbox().update_integration_target(a, on, now); }));
  CHECK(store->read().outbox().find_integration_target(a).value()->disabled_reason.empty());

  REQUIRE(store->write([&](WriteTx& tx) { return tx.outbox().delete_integration_target(a); }));
  CHECK(log_of(*store, a).empty());
  CHECK(store->write([&](WriteTx& tx) { return tx.outbox().delete_integration_target(a); })
            .error()
            .code == ErrorCode::kNotFound);
}

TEST_CASE("the delivery log is pruned after its retention, the database is owner-only") {
  testing::TempDir dir;
  auto store = open_store(dir);
  const auto now = std::chrono::system_clock::now();
  const auto a = store
                     ->write([&](WriteTx& tx) {
                       return tx.outbox().insert_integration_target(
                           webhook("https://a.example/", {"ticket.note_added"}));
                     })
                     .value();
  auto t = new_ticket(now);
  REQUIRE(create_ticket(*store, t, created_event(now)));
  REQUIRE(append_event(*store, note(t.id, now, "one")));
  REQUIRE(append_event(*store, note(t.id, now, "two")));
  auto claimed =
      store->write([&](WriteTx& tx) { return tx.outbox().claim_outbox(now, 1, 30s); }).value();
  OutboxAttempt delivered;
  delivered.status = OutboxStatus::kDelivered;
  delivered.at = now;
  delivered.next_attempt_at = now;
  REQUIRE(store->write(
      [&](WriteTx& tx) { return tx.outbox().record_outbox_attempt(claimed[0].id, delivered); }));
  CHECK(store->write([&](WriteTx& tx) { return tx.outbox().prune_outbox(now - 1h); }).value() == 0);
  CHECK(store->write([&](WriteTx& tx) { return tx.outbox().prune_outbox(now + 1h); }).value() ==
        1);  // the pending one stays
  CHECK(log_of(*store, a).size() == 1);

  struct stat st {};
  REQUIRE(::stat((dir.path() / "c.db").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}
