// The storage contract, live sessions and their samples: which sessions run, ending them once,
// samples stored once and counted, recordings kept with their ticket, whatever the backend.

#include <catch2/catch.hpp>

#include <algorithm>

#include "tests/collector/storage/contract/contract_fixtures.hpp"
#include "tests/collector/storage/contract/storage_backends.hpp"

using namespace triage;
using namespace triage::collector;
using namespace triage::collector::contract;

namespace {

/// A session on `device_id` started at `started` seconds that ends by itself at `ends`.
LiveSession live_session(const std::string& id, const std::string& device_id, int started,
                         int ends) {
  LiveSession s;
  s.id = id;
  s.device_id = device_id;
  s.started_by = "alice";
  s.started_at = at(started);
  s.ends_at = at(ends);
  return s;
}

LiveSampleRow sample(const std::string& session_id, std::uint32_t seq) {
  return LiveSampleRow{session_id, seq, at(static_cast<int>(seq)),
                       R"({"seq":)" + std::to_string(seq) + R"(,"cpu":"12\"%"})"};
}

Result<void> insert_all(WriteTx& tx, const std::vector<LiveSession>& sessions) {
  for (const auto& s : sessions) {
    if (auto r = tx.live().insert_live_session(s); !r) return r;
  }
  return {};
}

std::vector<std::string> ids_of(const std::vector<LiveSession>& sessions) {
  std::vector<std::string> ids;
  for (const auto& s : sessions) ids.push_back(s.id);
  return ids;
}

std::vector<std::uint32_t> seqs_of(const std::vector<LiveSampleRow>& rows) {
  std::vector<std::uint32_t> seqs;
  for (const auto& r : rows) seqs.push_back(r.seq);
  return seqs;
}

std::uint32_t samples_counted(Store& store, const std::string& id) {
  auto s = store.read().live().find_live_session(id);
  REQUIRE(s);
  REQUIRE(*s);
  return (*s)->samples;
}

std::int64_t create_ticket(Store& store, const std::string& title) {
  auto t = ticket(title);
  REQUIRE(store.write([&](WriteTx& tx) { return tx.tickets().create_ticket(t, {}); }));
  return t.id;
}

}  // namespace

TEMPLATE_TEST_CASE("storage contract: a live session is stored as given and its id only once",
                   "[storage][contract][live]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  const auto ticket_id = create_ticket(*store, "Laptop slow in video calls");
  auto s = live_session("ls-1", "d1", 10, 70);
  s.ticket_id = ticket_id;
  // The transaction reads its own write before it commits.
  REQUIRE(store->write([&](WriteTx& tx) -> Result<void> {
    if (auto r = tx.live().insert_live_session(s); !r) return r;
    auto own = tx.live().find_live_session("ls-1");
    if (!own) return tl::unexpected(own.error());
    CHECK(own->has_value());
    return {};
  }));

  auto found = store->read().live().find_live_session("ls-1");
  REQUIRE(found);
  REQUIRE(*found);
  CHECK((*found)->device_id == "d1");
  CHECK((*found)->ticket_id == ticket_id);
  CHECK((*found)->started_by == "alice");
  CHECK((*found)->started_at == at(10));
  CHECK((*found)->ends_at == at(70));
  CHECK_FALSE((*found)->ended_at);
  CHECK((*found)->end_reason.empty());
  CHECK((*found)->samples == 0);

  auto without_ticket = live_session("ls-2", "d1", 11, 71);
  REQUIRE(store->write([&](WriteTx& tx) { return tx.live().insert_live_session(without_ticket); }));
  CHECK_FALSE(store->read().live().find_live_session("ls-2").value()->ticket_id);
  CHECK_FALSE(store->read().live().find_live_session("ls-unknown").value());

  // The same id again, even for another device: refused, the stored session unchanged, and
  // the transaction still usable for what follows.
  auto twin = live_session("ls-1", "d2", 20, 80);
  auto refused = store->write([&](WriteTx& tx) -> Result<void> {
    auto r = tx.live().insert_live_session(twin);
    CHECK_FALSE(r);
    if (!r) CHECK(r.error().code == ErrorCode::kConflict);
    return tx.live().insert_live_session(live_session("ls-3", "d2", 20, 80));
  });
  CHECK(refused);
  CHECK(store->read().live().find_live_session("ls-1").value()->device_id == "d1");
  CHECK(store->read().live().find_live_session("ls-3").value());
  CHECK(
      store->write([&](WriteTx& tx) { return tx.live().insert_live_session(twin); }).error().code ==
      ErrorCode::kConflict);
}

TEMPLATE_TEST_CASE("storage contract: a running live session has not ended and ends later",
                   "[storage][contract][live]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  auto ended = live_session("ended", "d1", 120, 500);
  ended.ended_at = at(130);
  ended.end_reason = "stopped";
  REQUIRE(store->write([&](WriteTx& tx) {
    return insert_all(
        tx, {live_session("expired", "d1", 90, 140), ended, live_session("older", "d1", 100, 400),
             live_session("newer", "d1", 110, 300), live_session("other-device", "d2", 100, 200)});
  }));
  auto& live = store->read().live();

  // At 150: "expired" is past its end, "ended" was ended; of the two left, the newer one.
  auto running = live.running_live_session("d1", at(150));
  REQUIRE(running);
  REQUIRE(*running);
  CHECK((*running)->id == "newer");
  CHECK(live.count_running_live_sessions(at(150)).value() == 3);

  // At 300 "newer" ends (an end at `now` is not after it) and "other-device" is over.
  running = live.running_live_session("d1", at(300));
  REQUIRE(running);
  REQUIRE(*running);
  CHECK((*running)->id == "older");
  CHECK_FALSE(live.running_live_session("d2", at(300)).value());
  CHECK(live.count_running_live_sessions(at(300)).value() == 1);

  CHECK_FALSE(live.running_live_session("d1", at(400)).value());
  CHECK(live.count_running_live_sessions(at(400)).value() == 0);
  CHECK_FALSE(live.running_live_session("d-unknown", at(150)).value());

  // Ended by staff: no longer running, whatever its end.
  REQUIRE(store->write(
      [](WriteTx& tx) { return tx.live().end_live_session("newer", at(160), "stopped"); }));
  CHECK(live.running_live_session("d1", at(170)).value().value().id == "older");
  CHECK(live.count_running_live_sessions(at(170)).value() == 2);
}

TEMPLATE_TEST_CASE("storage contract: a live session is extended and ended only until it ends",
                   "[storage][contract][live]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  REQUIRE(store->write(
      [](WriteTx& tx) { return tx.live().insert_live_session(live_session("s", "d1", 0, 60)); }));
  CHECK(store->write([](WriteTx& tx) { return tx.live().extend_live_session("s", at(120)); })
            .value());
  CHECK(store->read().live().find_live_session("s").value()->ends_at == at(120));

  CHECK(store
            ->write([](WriteTx& tx) {
              return tx.live().end_live_session("s", at(90), "stopped by technician");
            })
            .value());
  auto stored = store->read().live().find_live_session("s").value();
  REQUIRE(stored);
  CHECK(stored->ended_at == at(90));
  CHECK(stored->end_reason == "stopped by technician");

  // Once ended: a second end and an extension write nothing.
  CHECK_FALSE(
      store->write([](WriteTx& tx) { return tx.live().end_live_session("s", at(95), "time up"); })
          .value());
  CHECK_FALSE(store->write([](WriteTx& tx) { return tx.live().extend_live_session("s", at(300)); })
                  .value());
  stored = store->read().live().find_live_session("s").value();
  REQUIRE(stored);
  CHECK(stored->ended_at == at(90));
  CHECK(stored->end_reason == "stopped by technician");
  CHECK(stored->ends_at == at(120));

  // An unknown session is neither extended nor ended.
  CHECK_FALSE(
      store->write([](WriteTx& tx) { return tx.live().extend_live_session("nope", at(300)); })
          .value());
  CHECK_FALSE(
      store->write([](WriteTx& tx) { return tx.live().end_live_session("nope", at(95), "x"); })
          .value());
}

TEMPLATE_TEST_CASE("storage contract: ending a device's live sessions returns the ids it ended",
                   "[storage][contract][live]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  auto already = live_session("a-ended", "d1", 5, 50);
  already.ended_at = at(20);
  already.end_reason = "time up";
  REQUIRE(store->write([&](WriteTx& tx) {
    // "a-expired" is past its end but was never ended: it is ended now too.
    return insert_all(
        tx, {live_session("a-1", "d1", 10, 100), live_session("a-2", "d1", 30, 100),
             live_session("a-expired", "d1", 1, 5), already, live_session("b-1", "d2", 10, 100)});
  }));

  auto ended = store->write(
      [](WriteTx& tx) { return tx.live().end_device_live_sessions("d1", at(40), "device gone"); });
  REQUIRE(ended);
  auto ids = *ended;
  std::sort(ids.begin(), ids.end());
  CHECK(ids == std::vector<std::string>{"a-1", "a-2", "a-expired"});
  for (const auto& id : ids) {
    auto s = store->read().live().find_live_session(id).value();
    REQUIRE(s);
    CHECK(s->ended_at == at(40));
    CHECK(s->end_reason == "device gone");
  }
  auto kept = store->read().live().find_live_session("a-ended").value();
  REQUIRE(kept);
  CHECK(kept->ended_at == at(20));
  CHECK(kept->end_reason == "time up");
  CHECK_FALSE(store->read().live().find_live_session("b-1").value()->ended_at);

  auto again = store->write(
      [](WriteTx& tx) { return tx.live().end_device_live_sessions("d1", at(45), "device gone"); });
  REQUIRE(again);
  CHECK(again->empty());
}

TEMPLATE_TEST_CASE(
    "storage contract: live samples of known sessions are stored once per seq and counted",
    "[storage][contract][live]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  REQUIRE(store->write([](WriteTx& tx) {
    return insert_all(tx, {live_session("s1", "d1", 0, 600), live_session("s2", "d2", 0, 600)});
  }));

  // s1's seq 2 twice in one batch (the first is kept), a session nobody started, and s2.
  auto changed_seq2 = sample("s1", 2);
  changed_seq2.sample_json = R"({"seq":2,"cpu":"resent"})";
  auto stored = store->write([&](WriteTx& tx) {
    return tx.live().append_live_samples({sample("s1", 1), sample("s1", 2), changed_seq2,
                                          sample("unknown", 1), sample("s2", 1), sample("s1", 3)});
  });
  REQUIRE(stored);
  CHECK(*stored == 4);
  CHECK(samples_counted(*store, "s1") == 3);
  CHECK(samples_counted(*store, "s2") == 1);
  CHECK_FALSE(store->read().live().find_live_session("unknown").value());
  CHECK(store->read().live().live_samples_after("unknown", 0, 10).value().empty());

  // Received again (a resend after a reconnect) with one new sample: only that one counts.
  stored = store->write([](WriteTx& tx) {
    return tx.live().append_live_samples({sample("s1", 3), sample("s1", 5), sample("s1", 4)});
  });
  REQUIRE(stored);
  CHECK(*stored == 2);
  CHECK(samples_counted(*store, "s1") == 5);
  CHECK(samples_counted(*store, "s2") == 1);
  CHECK(store->write([](WriteTx& tx) { return tx.live().append_live_samples({}); }).value() == 0);

  auto& live = store->read().live();
  auto all = live.live_samples_after("s1", 0, 100);
  REQUIRE(all);
  CHECK(seqs_of(*all) == std::vector<std::uint32_t>{1, 2, 3, 4, 5});
  CHECK(all->at(1).session_id == "s1");
  CHECK(all->at(1).at == at(2));
  CHECK(all->at(1).sample_json == sample("s1", 2).sample_json);
  CHECK(seqs_of(live.live_samples_after("s1", 2, 100).value()) ==
        std::vector<std::uint32_t>{3, 4, 5});
  CHECK(seqs_of(live.live_samples_after("s1", 1, 2).value()) == std::vector<std::uint32_t>{2, 3});
  CHECK(live.live_samples_after("s1", 5, 100).value().empty());
  CHECK(live.live_samples_after("s1", 0, 0).value().empty());
  CHECK(seqs_of(live.live_samples_after("s2", 0, 100).value()) == std::vector<std::uint32_t>{1});

  // Samples written in a transaction that fails are gone with it, counter included.
  auto failed = store->write([](WriteTx& tx) -> Result<void> {
    if (auto r = tx.live().append_live_samples({sample("s2", 2)}); !r) {
      return tl::unexpected(r.error());
    }
    return fail("the caller gives up");
  });
  CHECK_FALSE(failed);
  CHECK(samples_counted(*store, "s2") == 1);
  CHECK(seqs_of(live.live_samples_after("s2", 0, 100).value()) == std::vector<std::uint32_t>{1});
}

TEMPLATE_TEST_CASE("storage contract: a ticket's live sessions are listed newest first",
                   "[storage][contract][live][tickets]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  const auto ticket_id = create_ticket(*store, "VPN drops");
  const auto other_ticket = create_ticket(*store, "Printer offline");
  std::vector<LiveSession> sessions = {
      live_session("first", "d1", 10, 70), live_session("third", "d2", 300, 360),
      live_session("second", "d1", 100, 160), live_session("elsewhere", "d1", 200, 260),
      live_session("no-ticket", "d1", 400, 460)};
  for (auto& s : sessions) {
    if (s.id == "elsewhere") {
      s.ticket_id = other_ticket;
    } else if (s.id != "no-ticket") {
      s.ticket_id = ticket_id;
    }
  }
  REQUIRE(store->write([&](WriteTx& tx) { return insert_all(tx, sessions); }));

  auto listed = store->read().live().ticket_live_sessions(ticket_id);
  REQUIRE(listed);
  CHECK(ids_of(*listed) == std::vector<std::string>{"third", "second", "first"});
  CHECK(ids_of(store->read().live().ticket_live_sessions(other_ticket).value()) ==
        std::vector<std::string>{"elsewhere"});
  CHECK(store->read().live().ticket_live_sessions(ticket_id + 100).value().empty());
}

TEMPLATE_TEST_CASE(
    "storage contract: pruning live samples keeps ticket recordings and sessions not ended",
    "[storage][contract][live]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  const auto ticket_id = create_ticket(*store, "Fan noise under load");
  auto old_ended = live_session("old-ended", "d1", 0, 200);
  old_ended.ended_at = at(100);
  auto on_ticket = live_session("on-ticket", "d1", 0, 200);
  on_ticket.ended_at = at(100);
  on_ticket.ticket_id = ticket_id;
  auto recent = live_session("recent", "d2", 0, 400);
  recent.ended_at = at(300);
  auto at_cutoff = live_session("at-cutoff", "d3", 0, 400);
  at_cutoff.ended_at = at(200);
  // Past its end but never ended: not pruned (its end is not recorded yet).
  auto not_ended = live_session("not-ended", "d4", 0, 50);
  auto empty = live_session("empty", "d5", 0, 200);
  empty.ended_at = at(100);
  REQUIRE(store->write([&](WriteTx& tx) -> Result<void> {
    if (auto r = insert_all(tx, {old_ended, on_ticket, recent, at_cutoff, not_ended, empty}); !r) {
      return r;
    }
    return tx.live()
        .append_live_samples({sample("old-ended", 1), sample("old-ended", 2),
                              sample("on-ticket", 1), sample("recent", 1), sample("at-cutoff", 1),
                              sample("not-ended", 1)})
        .map([](std::size_t) {});
  }));

  auto pruned = store->write([](WriteTx& tx) { return tx.live().prune_live_samples(at(200)); });
  REQUIRE(pruned);
  CHECK(*pruned == 1);
  auto& live = store->read().live();
  CHECK(live.live_samples_after("old-ended", 0, 100).value().empty());
  // The session itself stays, its counter back to what is stored.
  auto old_row = live.find_live_session("old-ended").value();
  REQUIRE(old_row);
  CHECK(old_row->samples == 0);
  CHECK(old_row->ended_at == at(100));
  for (const char* kept : {"on-ticket", "recent", "at-cutoff", "not-ended"}) {
    INFO(kept);
    CHECK(live.live_samples_after(kept, 0, 100).value().size() == 1);
    CHECK(samples_counted(*store, kept) == 1);
  }

  CHECK(store->write([](WriteTx& tx) { return tx.live().prune_live_samples(at(200)); }).value() ==
        0);
}
