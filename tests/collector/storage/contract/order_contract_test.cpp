// The storage contract, orders: conditional state changes, output under a cap, file output
// as an attachment, whatever the backend.

#include <catch2/catch.hpp>

#include "tests/collector/storage/contract/contract_fixtures.hpp"
#include "tests/collector/storage/contract/storage_backends.hpp"

using namespace triage;
using namespace triage::collector;
using namespace triage::collector::contract;

namespace {

// A device d1 and a ticket on it; returns the ticket's id.
std::int64_t ticket_on_device(Store& store) {
  auto id = store.write([](WriteTx& tx) -> Result<std::int64_t> {
    if (auto r = tx.devices().insert_enrollment_token(enrollment_token("t1", 1)); !r) {
      return tl::unexpected(r.error());
    }
    if (auto r = tx.devices().enroll_device("hash-t1", device("d1"), at(1)); !r) {
      return tl::unexpected(r.error());
    }
    auto t = ticket("Spooler stuck");
    t.device_ids = {"d1"};
    if (auto r = tx.tickets().create_ticket(t, {}); !r) return tl::unexpected(r.error());
    return t.id;
  });
  REQUIRE(id);
  return *id;
}

}  // namespace

TEMPLATE_TEST_CASE("storage contract: an order moves only from the states it names",
                   "[storage][contract][orders][tickets][devices]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  const auto ticket_id = ticket_on_device(*store);
  auto o = order("o1", ticket_id, "d1", OrderState::kAwaitingApproval);
  o.params = {{"service", "spooler"}};
  o.argv = {"systemctl", "restart", "cups"};
  o.signed_order = std::string("\x00\x01\xfe", 3);
  REQUIRE(store->write([&](WriteTx& tx) {
    return tx.orders().insert_order(o, {event(ticket_id, "order_requested")});
  }));
  auto second = order("o2", ticket_id, "d1", OrderState::kQueued);
  second.created_at = at(31);
  REQUIRE(store->write([&](WriteTx& tx) { return tx.orders().insert_order(second, {}); }));

  auto stored = store->read().orders().find_order("o1");
  REQUIRE(stored);
  REQUIRE(*stored);
  CHECK((*stored)->params == o.params);
  CHECK((*stored)->argv == o.argv);
  CHECK((*stored)->signed_order == o.signed_order);
  CHECK_FALSE((*stored)->expires_at);

  auto sent = o;
  sent.state = OrderState::kSent;
  sent.sent_at = at(35);
  // Not from awaiting approval to sent when the writer expects queued.
  CHECK_FALSE(store
                  ->write([&](WriteTx& tx) {
                    return tx.orders().update_order(sent, {OrderState::kQueued},
                                                    {event(ticket_id, "order_sent")});
                  })
                  .value());
  CHECK(store
            ->write([&](WriteTx& tx) {
              return tx.orders().update_order(sent,
                                              {OrderState::kQueued, OrderState::kAwaitingApproval},
                                              {event(ticket_id, "order_sent")});
            })
            .value());
  auto after = store->read().orders().find_order("o1").value();
  REQUIRE(after);
  CHECK(after->state == OrderState::kSent);
  CHECK(after->sent_at == at(35));

  // A cancel request once recorded is kept by a writer that read before it.
  auto cancel = sent;
  cancel.cancel_requested_by = "bob";
  cancel.cancel_reason = "wrong device";
  REQUIRE(store->write(
      [&](WriteTx& tx) { return tx.orders().update_order(cancel, {OrderState::kSent}, {}); }));
  REQUIRE(store->write(
      [&](WriteTx& tx) { return tx.orders().update_order(sent, {OrderState::kSent}, {}); }));
  CHECK(store->read().orders().find_order("o1").value()->cancel_requested_by == "bob");

  OrderQuery by_state;
  by_state.states = {OrderState::kQueued};
  auto queued = store->read().orders().list_orders(by_state);
  REQUIRE(queued);
  REQUIRE(queued->size() == 1);
  CHECK(queued->front().id == "o2");
  OrderQuery newest;
  newest.ticket_id = ticket_id;
  newest.newest_first = true;
  newest.limit = 1;
  auto first = store->read().orders().list_orders(newest);
  REQUIRE(first);
  REQUIRE(first->size() == 1);
  CHECK(first->front().id == "o2");
  newest.offset = 1;
  CHECK(store->read().orders().list_orders(newest).value().front().id == "o1");
  CHECK(store->read().tickets().ticket_events(ticket_id).value().size() == 2);
}

TEMPLATE_TEST_CASE("storage contract: order output is kept once per chunk and up to its cap",
                   "[storage][contract][orders][tickets][devices]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  const auto ticket_id = ticket_on_device(*store);
  REQUIRE(store->write([&](WriteTx& tx) {
    return tx.orders().insert_order(order("o1", ticket_id, "d1", OrderState::kRunning), {});
  }));
  auto append = [&](std::uint32_t index, const std::string& data, int second) {
    OrderOutputChunk chunk{index, "stdout", data};
    chunk.received_at = at(second);
    return store->write(
        [&](WriteTx& tx) { return tx.orders().append_order_output("o1", chunk, 10); });
  };
  CHECK(append(0, "hello", 40).value());
  CHECK(append(0, "hello", 41).value());  // received twice: stored once
  CHECK(append(1, std::string("\0wor", 4) + "ld!!", 42).value());
  CHECK_FALSE(append(2, "more", 43).value());
  auto output = store->read().orders().order_output("o1");
  REQUIRE(output);
  REQUIRE(output->size() == 2);
  CHECK((*output)[0].data == "hello");
  CHECK((*output)[1].index == 1);
  CHECK((*output)[1].data == std::string("\0worl", 5));  // cut at the cap
  CHECK(store->read().orders().find_order("o1").value()->first_output_at == at(40));
}

TEMPLATE_TEST_CASE("storage contract: an order's file output becomes a ticket attachment",
                   "[storage][contract][orders][tickets][devices]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  const auto ticket_id = ticket_on_device(*store);
  REQUIRE(store->write([&](WriteTx& tx) {
    return tx.orders().insert_order(order("o1", ticket_id, "d1", OrderState::kRunning), {});
  }));
  auto done = order("o1", ticket_id, "d1", OrderState::kSucceeded);
  done.finished_at = at(50);
  done.result = {{"exit_code", 0}, {"attachment", {{"name", "log.txt"}}}};
  Attachment file;
  file.ticket_id = ticket_id;
  file.name = "log.txt";
  file.content_type = "text/plain";
  file.kind = "action_output";
  file.sha256 = std::string(64, 'c');
  file.created_at = at(50);
  file.created_by = "device:d1";
  file.content = "log lines";
  auto finished = store->write([&](WriteTx& tx) {
    return tx.orders().update_order_with_attachment(done, {OrderState::kRunning}, file,
                                                    {event(ticket_id, "order_finished")});
  });
  REQUIRE(finished);
  CHECK(*finished);
  CHECK(file.id > 0);
  auto stored = store->read().orders().find_order("o1").value();
  REQUIRE(stored);
  CHECK(stored->result["attachment"]["id"] == file.id);
  CHECK(stored->result["attachment"]["name"] == "log.txt");
  auto timeline = store->read().tickets().ticket_events(ticket_id).value();
  REQUIRE(timeline.size() == 1);
  CHECK(timeline[0].data["attachment_id"] == file.id);
  CHECK(store->read().tickets().find_attachment(file.id).value()->content == "log lines");
  // Not from running any more: nothing is stored the second time.
  Attachment again = file;
  CHECK_FALSE(store
                  ->write([&](WriteTx& tx) {
                    return tx.orders().update_order_with_attachment(done, {OrderState::kRunning},
                                                                    again, {});
                  })
                  .value());
  CHECK(store->read().tickets().ticket_attachments(ticket_id).value().size() == 1);
}

TEMPLATE_TEST_CASE("storage contract: output chunks racing from two nodes stay within the cap",
                   "[storage][contract][race][orders][tickets][devices]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto first = backend.open();
  auto second = backend.open();
  const auto ticket_id = ticket_on_device(*first);
  // Both stores connected before the races, so neither starts late.
  REQUIRE(second->read().orders().find_order("none"));
  constexpr int kRounds = 10;
  for (int round = 0; round < kRounds; ++round) {
    const std::string id = "o" + std::to_string(round);
    REQUIRE(first->write([&](WriteTx& tx) {
      return tx.orders().insert_order(order(id, ticket_id, "d1", OrderState::kRunning), {});
    }));
    auto results = race([&](int i) {
      OrderOutputChunk chunk{static_cast<std::uint32_t>(i), i == 0 ? "stdout" : "stderr",
                             std::string(8, static_cast<char>('a' + i))};
      chunk.received_at = at(40 + i);
      Store& store = i == 0 ? *first : *second;
      return store.write(
          [&](WriteTx& tx) { return tx.orders().append_order_output(id, chunk, 10); });
    });
    REQUIRE(results[0]);
    REQUIRE(results[1]);
    auto output = first->read().orders().order_output(id);
    REQUIRE(output);
    std::size_t stored = 0;
    for (const auto& chunk : *output) stored += chunk.data.size();
    // One whole chunk and the other cut at the cap, in either order.
    CHECK(stored == 10);
  }
}
