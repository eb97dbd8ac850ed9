// The storage contract, part 2: concurrent writers. Real threads on real storage, released
// together by a barrier; each race has exactly one winner. Two stores on the same data stand
// for two processes or collector nodes; one store shared by both threads for one process.

#include <catch2/catch.hpp>

#include <algorithm>

#include "collector/audit/audit_log.hpp"
#include "collector/audit/audit_verify.hpp"
#include "shared/pki/keys.hpp"
#include "tests/collector/storage/contract/contract_fixtures.hpp"
#include "tests/collector/storage/contract/storage_backends.hpp"

using namespace triage;
using namespace triage::collector;
using namespace triage::collector::contract;
using namespace std::chrono_literals;

namespace {

// The stores the two contenders use: the same one, or one each on the same data.
template <class Backend>
struct Contenders {
  explicit Contenders(Backend& backend, bool same_store) : first(backend.open()) {
    if (!same_store) second = backend.open();
  }
  Store& operator[](int i) { return i == 0 || !second ? *first : *second; }
  StorePtr first;
  StorePtr second;
};

int winners(const std::vector<bool>& won) {
  return static_cast<int>(std::count(won.begin(), won.end(), true));
}

}  // namespace

TEMPLATE_TEST_CASE("storage contract: two enrollments race for the last use of a token",
                   "[storage][contract][race][devices]", TRIAGE_STORAGE_BACKENDS) {
  const bool same_store = GENERATE(true, false);
  TestType backend;
  Contenders<TestType> stores(backend, same_store);
  REQUIRE(stores[0].write([](WriteTx& tx) {
    return tx.devices().insert_enrollment_token(enrollment_token("t1", 3, 2));
  }));
  auto results = race([&](int i) {
    return stores[i].write([&](WriteTx& tx) {
      return tx.devices().enroll_device("hash-t1", device("d" + std::to_string(i)), at(5));
    });
  });
  std::vector<bool> won;
  for (const auto& r : results) {
    won.push_back(r.has_value());
    if (!r) {
      CHECK(r.error().code == ErrorCode::kDenied);
      CHECK(r.error().message == "enrollment token has no uses left");
    }
  }
  CHECK(winners(won) == 1);
  auto tokens = stores[0].read().devices().list_enrollment_tokens();
  REQUIRE(tokens);
  REQUIRE(tokens->size() == 1);
  CHECK(tokens->front().uses == 3);
  CHECK(stores[0].read().devices().list_devices().value().size() == 1);
}

TEMPLATE_TEST_CASE("storage contract: two claimants of one outbox message",
                   "[storage][contract][race][outbox]", TRIAGE_STORAGE_BACKENDS) {
  const bool same_store = GENERATE(true, false);
  TestType backend;
  Contenders<TestType> stores(backend, same_store);
  auto target = stores[0].write(
      [](WriteTx& tx) { return tx.outbox().insert_integration_target(webhook_target("a")); });
  REQUIRE(target);
  REQUIRE(stores[0].write(
      [&](WriteTx& tx) { return tx.outbox().enqueue_outbox({outbox_message(*target, "m1")}); }));
  auto results = race([&](int i) {
    return stores[i].write(
        [&](WriteTx& tx) { return tx.outbox().claim_outbox(at(50), 10, 30'000ms); });
  });
  std::vector<bool> won;
  for (const auto& r : results) {
    REQUIRE(r);
    won.push_back(r->size() == 1);
    CHECK(r->size() <= 1);
  }
  CHECK(winners(won) == 1);
  auto claimed = stores[0].read().outbox().find_outbox_message(*target, "m1");
  REQUIRE(claimed);
  REQUIRE(*claimed);
  CHECK((*claimed)->attempts == 1);
}

TEMPLATE_TEST_CASE("storage contract: two approvers of one order",
                   "[storage][contract][race][orders][tickets][devices]", TRIAGE_STORAGE_BACKENDS) {
  const bool same_store = GENERATE(true, false);
  TestType backend;
  Contenders<TestType> stores(backend, same_store);
  auto ticket_id = stores[0].write([](WriteTx& tx) -> Result<std::int64_t> {
    if (auto r = tx.devices().insert_enrollment_token(enrollment_token("t1", 1)); !r) {
      return tl::unexpected(r.error());
    }
    if (auto r = tx.devices().enroll_device("hash-t1", device("d1"), at(1)); !r) {
      return tl::unexpected(r.error());
    }
    auto t = ticket("printer");
    t.device_ids = {"d1"};
    if (auto r = tx.tickets().create_ticket(t, {}); !r) return tl::unexpected(r.error());
    if (auto r =
            tx.orders().insert_order(order("o1", t.id, "d1", OrderState::kAwaitingApproval), {});
        !r) {
      return tl::unexpected(r.error());
    }
    return t.id;
  });
  REQUIRE(ticket_id);
  auto results = race([&](int i) {
    auto approved = order("o1", *ticket_id, "d1", OrderState::kQueued);
    approved.approved_by = i == 0 ? "senior-a" : "senior-b";
    return stores[i].write([&](WriteTx& tx) {
      return tx.orders().update_order(approved, {OrderState::kAwaitingApproval},
                                      {event(*ticket_id, "order_approved")});
    });
  });
  std::vector<bool> won;
  for (const auto& r : results) {
    REQUIRE(r);
    won.push_back(*r);
  }
  REQUIRE(winners(won) == 1);
  auto stored = stores[0].read().orders().find_order("o1");
  REQUIRE(stored);
  REQUIRE(*stored);
  CHECK((*stored)->state == OrderState::kQueued);
  CHECK((*stored)->approved_by == (won[0] ? "senior-a" : "senior-b"));
  auto timeline = stores[0].read().tickets().ticket_events(*ticket_id);
  REQUIRE(timeline);
  CHECK(std::count_if(timeline->begin(), timeline->end(),
                      [](const TicketEvent& e) { return e.kind == "order_approved"; }) == 1);
}

TEMPLATE_TEST_CASE("storage contract: two appenders to the audit chain never fork it",
                   "[storage][contract][race][audit]", TRIAGE_STORAGE_BACKENDS) {
  const bool same_store = GENERATE(true, false);
  TestType backend;
  Contenders<TestType> stores(backend, same_store);
  constexpr int kPerWriter = 50;
  auto results = race([&](int i) {
    std::vector<std::string> errors;
    for (int n = 0; n < kPerWriter; ++n) {
      auto r = stores[i].write(
          [&](WriteTx& tx) { return AuditLog::append(tx, audit_event(i * 1000 + n)); });
      if (!r) errors.push_back(r.error().message);
    }
    return errors;
  });
  CHECK(results[0].empty());
  CHECK(results[1].empty());
  auto key = pki::generate_ed25519_key();
  REQUIRE(key);
  auto verified = verify_audit_log(stores[0], key->get());
  REQUIRE(verified);
  CHECK(verified->intact);
  CHECK(verified->records == 2 * kPerWriter);
}

TEMPLATE_TEST_CASE("storage contract: two failed logins at once count two failures",
                   "[storage][contract][race][auth]", TRIAGE_STORAGE_BACKENDS) {
  const bool same_store = GENERATE(true, false);
  TestType backend;
  Contenders<TestType> stores(backend, same_store);
  // Two nodes (or workers) record a failure for a name with no throttle row yet: each must
  // see the other's, or lockout could be dodged by spreading guesses over the nodes.
  auto results = race([&](int i) {
    return stores[i].write([&](WriteTx& tx) {
      return tx.auth().update_login_throttle("mallory", at(70), [&](LoginThrottleState s) {
        ++s.failures;
        s.updated_at = at(70 + i);
        return s;
      });
    });
  });
  std::vector<int> seen;
  for (const auto& r : results) {
    REQUIRE(r);
    seen.push_back(r->failures);
  }
  std::sort(seen.begin(), seen.end());
  CHECK(seen == std::vector<int>{1, 2});
  auto stored = stores[0].read().auth().find_login_throttle("mallory");
  REQUIRE(stored);
  REQUIRE(*stored);
  CHECK((*stored)->failures == 2);
}

TEMPLATE_TEST_CASE("storage contract: two failed logins of one client at once both count",
                   "[storage][contract][race][auth]", TRIAGE_STORAGE_BACKENDS) {
  const bool same_store = GENERATE(true, false);
  TestType backend;
  Contenders<TestType> stores(backend, same_store);
  // One client guesses on two nodes at once with no bucket row yet: each failure must see the
  // other's, or spreading guesses over the nodes would double the client's rate.
  auto results = race([&](int i) {
    return stores[i].write([&](WriteTx& tx) {
      return tx.auth().update_login_client_throttle(
          "203.0.113.7", at(70), [](std::optional<LoginClientThrottle> s) {
            return LoginClientThrottle{(s ? s->full_at : at(70)) + 60s};
          });
    });
  });
  std::vector<TimePoint> seen;
  for (const auto& r : results) {
    REQUIRE(r);
    seen.push_back(r->full_at);
  }
  std::sort(seen.begin(), seen.end());
  CHECK(seen == std::vector<TimePoint>{at(130), at(190)});
  auto stored = stores[0].read().auth().find_login_client_throttle("203.0.113.7");
  REQUIRE(stored);
  REQUIRE(*stored);
  CHECK((*stored)->full_at == at(190));
}

TEMPLATE_TEST_CASE("storage contract: two writers store the same report at once, once",
                   "[storage][contract][race][reports]", TRIAGE_STORAGE_BACKENDS) {
  const bool same_store = GENERATE(true, false);
  TestType backend;
  Contenders<TestType> stores(backend, same_store);
  REQUIRE(stores[0].write([](WriteTx& tx) -> Result<std::string> {
    if (auto r = tx.devices().insert_enrollment_token(enrollment_token("t1", 1)); !r) {
      return tl::unexpected(r.error());
    }
    return tx.devices().enroll_device("hash-t1", device("d1"), at(1));
  }));
  // An agent that reconnected through another node resends what was not acknowledged yet,
  // while the first node still commits it.
  StoredReport delta;
  delta.device_id = "d1";
  delta.seq = 7;
  delta.kind = "delta";
  delta.received_at = at(10);
  delta.payload = "diff";
  auto results = race([&](int i) {
    return stores[i].write([&](WriteTx& tx) { return tx.reports().store_report(delta); });
  });
  std::vector<bool> won;
  for (const auto& r : results) {
    REQUIRE(r);
    won.push_back(*r);
  }
  CHECK(winners(won) == 1);
  CHECK(stores[0].read().reports().find_report("d1", 7).value()->payload == "diff");
}
