// The storage contract, integrations: targets and the outbox's delivery cycle (claim in
// order per target, lease, outcome, requeue, prune), whatever the backend.

#include <catch2/catch.hpp>

#include "tests/collector/storage/contract/contract_fixtures.hpp"
#include "tests/collector/storage/contract/storage_backends.hpp"

using namespace triage;
using namespace triage::collector;
using namespace triage::collector::contract;
using namespace std::chrono_literals;

TEMPLATE_TEST_CASE("storage contract: integration targets are stored, updated and deleted",
                   "[storage][contract][outbox]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  auto target = webhook_target("a");
  target.settings = {{"queue", "General"}};
  auto id =
      store->write([&](WriteTx& tx) { return tx.outbox().insert_integration_target(target); });
  REQUIRE(id);
  auto found = store->read().outbox().find_integration_target(*id);
  REQUIRE(found);
  REQUIRE(*found);
  CHECK((*found)->event_types == target.event_types);
  CHECK((*found)->settings == target.settings);
  CHECK((*found)->active);

  IntegrationTargetUpdate off;
  off.active = false;
  off.name = "renamed";
  auto updated = store->write(
      [&](WriteTx& tx) { return tx.outbox().update_integration_target(*id, off, at(5)); });
  REQUIRE(updated);
  CHECK_FALSE(updated->active);
  CHECK(updated->name == "renamed");
  CHECK(updated->url == target.url);
  CHECK(updated->updated_at == at(5));
  CHECK(store->read().outbox().list_integration_targets("webhook").value().size() == 1);
  CHECK(store->read().outbox().list_integration_targets("rt").value().empty());
  CHECK(store
            ->write(
                [&](WriteTx& tx) { return tx.outbox().update_integration_target(999, off, at(5)); })
            .error()
            .code == ErrorCode::kNotFound);

  REQUIRE(store->write(
      [&](WriteTx& tx) { return tx.outbox().enqueue_outbox({outbox_message(*id, "m1")}); }));
  REQUIRE(store->write([&](WriteTx& tx) { return tx.outbox().delete_integration_target(*id); }));
  CHECK_FALSE(store->read().outbox().find_integration_target(*id).value());
  CHECK_FALSE(store->read().outbox().find_outbox_message(*id, "m1").value());
  CHECK(store->write([&](WriteTx& tx) { return tx.outbox().delete_integration_target(*id); })
            .error()
            .code == ErrorCode::kNotFound);
}

TEMPLATE_TEST_CASE("storage contract: the outbox sends each target's messages in order",
                   "[storage][contract][outbox]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  auto a = store->write(
      [](WriteTx& tx) { return tx.outbox().insert_integration_target(webhook_target("a")); });
  auto b = store->write(
      [](WriteTx& tx) { return tx.outbox().insert_integration_target(webhook_target("b")); });
  REQUIRE(a);
  REQUIRE(b);
  auto late = outbox_message(*b, "b1");
  late.next_attempt_at = at(45);
  REQUIRE(store->write([&](WriteTx& tx) {
    return tx.outbox().enqueue_outbox(
        {outbox_message(*a, "a1"), outbox_message(*a, "a2"), late, outbox_message(*a, "a1-again")});
  }));
  // The same event for the same target is enqueued once.
  auto duplicate = outbox_message(*a, "a1-dup");
  duplicate.event_id = "evt-a1";
  REQUIRE(store->write([&](WriteTx& tx) { return tx.outbox().enqueue_outbox({duplicate}); }));
  CHECK(store->read().outbox().outbox_counts().value()[*a].pending == 3);
  CHECK(store->read().outbox().next_outbox_due().value() == at(40));

  // At 42 only a's head is due (b's head is due at 45).
  auto claimed =
      store->write([](WriteTx& tx) { return tx.outbox().claim_outbox(at(42), 10, 30'000ms); });
  REQUIRE(claimed);
  REQUIRE(claimed->size() == 1);
  CHECK(claimed->front().delivery_id == "a1");
  CHECK(claimed->front().attempts == 1);
  CHECK(claimed->front().next_attempt_at == at(72));
  // Leased: a second claim takes b's head when it is due, never a2 behind a1.
  auto next =
      store->write([](WriteTx& tx) { return tx.outbox().claim_outbox(at(50), 10, 30'000ms); });
  REQUIRE(next);
  REQUIRE(next->size() == 1);
  CHECK(next->front().delivery_id == "b1");
  // The lease ran out without an outcome (the process died): a1 is claimed again.
  auto reclaimed =
      store->write([](WriteTx& tx) { return tx.outbox().claim_outbox(at(73), 1, 30'000ms); });
  REQUIRE(reclaimed);
  REQUIRE(reclaimed->size() == 1);
  CHECK(reclaimed->front().delivery_id == "a1");
  CHECK(reclaimed->front().attempts == 2);

  OutboxAttempt delivered;
  delivered.status = OutboxStatus::kDelivered;
  delivered.at = at(74);
  delivered.next_attempt_at = at(74);
  delivered.http_status = 200;
  REQUIRE(store->write([&](WriteTx& tx) {
    return tx.outbox().record_outbox_attempt(reclaimed->front().id, delivered);
  }));
  auto then =
      store->write([](WriteTx& tx) { return tx.outbox().claim_outbox(at(75), 10, 30'000ms); });
  REQUIRE(then);
  REQUIRE(then->size() == 1);
  CHECK(then->front().delivery_id == "a2");

  // Gone (410): the target is switched off and its queue stops.
  OutboxAttempt gone;
  gone.status = OutboxStatus::kFailed;
  gone.at = at(76);
  gone.next_attempt_at = at(76);
  gone.http_status = 410;
  gone.error = "gone";
  gone.disable_target = "the receiver answered 410 Gone";
  REQUIRE(store->write(
      [&](WriteTx& tx) { return tx.outbox().record_outbox_attempt(then->front().id, gone); }));
  auto target = store->read().outbox().find_integration_target(*a).value();
  REQUIRE(target);
  CHECK_FALSE(target->active);
  CHECK(target->disabled_reason == "the receiver answered 410 Gone");

  OutboxFilter failed;
  failed.target_id = *a;
  failed.status = OutboxStatus::kFailed;
  auto page = store->read().outbox().list_outbox(failed);
  REQUIRE(page);
  CHECK(page->total == 1);
  REQUIRE(page->items.size() == 1);
  CHECK(page->items[0].last_http_status == 410);
  OutboxFilter all;
  all.target_id = *a;
  auto log = store->read().outbox().list_outbox(all).value();
  CHECK(log.total == 3);
  REQUIRE(log.items.size() == 3);
  CHECK(log.items[0].delivery_id == "a1-again");  // newest first
  auto delivered_message = store->read().outbox().find_outbox_message(*a, "a1").value();
  REQUIRE(delivered_message);
  CHECK(delivered_message->delivered_at == at(74));

  // Requeued by an admin: pending again, attempts from zero; a pending one cannot be.
  auto requeued = store->write(
      [&](WriteTx& tx) { return tx.outbox().requeue_outbox_message(*a, "a2", at(80)); });
  REQUIRE(requeued);
  CHECK(requeued->status == OutboxStatus::kPending);
  CHECK(requeued->attempts == 0);
  CHECK(requeued->last_error.empty());
  CHECK(
      store
          ->write([&](WriteTx& tx) { return tx.outbox().requeue_outbox_message(*a, "a2", at(81)); })
          .error()
          .code == ErrorCode::kConflict);
  CHECK(store
            ->write(
                [&](WriteTx& tx) { return tx.outbox().requeue_outbox_message(*a, "nope", at(81)); })
            .error()
            .code == ErrorCode::kNotFound);

  // Pruning drops finished messages older than the cut, nothing pending.
  CHECK(store->write([](WriteTx& tx) { return tx.outbox().prune_outbox(at(75)); }).value() == 1);
  auto counts = store->read().outbox().outbox_counts().value();
  CHECK(counts[*a].delivered == 0);
  CHECK(counts[*a].pending == 2);
  CHECK(counts[*b].pending == 1);
}
