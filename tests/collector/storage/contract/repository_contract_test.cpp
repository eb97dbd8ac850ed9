// The storage contract, part 3: what each repository promises, whatever the backend (the
// backend's own tests cover its specifics: SQL, files, pragmas). Runs against every backend
// in TRIAGE_STORAGE_BACKENDS.

#include <catch2/catch.hpp>

#include "collector/audit/audit_chain.hpp"
#include "tests/collector/storage/contract/contract_fixtures.hpp"
#include "tests/collector/storage/contract/storage_backends.hpp"

using namespace triage;
using namespace triage::collector;
using namespace triage::collector::contract;
using namespace std::chrono_literals;

TEMPLATE_TEST_CASE("storage contract: devices and enrollment", "[storage][contract][devices]",
                   TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  REQUIRE(store->write(
      [](WriteTx& tx) { return tx.devices().insert_enrollment_token(enrollment_token("t1", 1)); }));
  CHECK(store->read().devices().check_enrollment_token("hash-t1", at(5)));
  CHECK(store->read().devices().check_enrollment_token("nope", at(5)).error().code ==
        ErrorCode::kDenied);
  CHECK(store->read().devices().check_enrollment_token("hash-t1", at(7200)).error().code ==
        ErrorCode::kDenied);

  auto used = store->write(
      [](WriteTx& tx) { return tx.devices().enroll_device("hash-t1", device("d1"), at(5)); });
  REQUIRE(used);
  CHECK(*used == "t1");
  CHECK(store->read().devices().check_enrollment_token("hash-t1", at(6)).error().message ==
        "enrollment token has no uses left");

  DeviceUpdate update;
  update.owner = "eve@example.com";
  update.tags = std::vector<std::string>{"site:paris", "finance"};
  auto updated =
      store->write([&](WriteTx& tx) { return tx.devices().update_device("d1", update); });
  REQUIRE(updated);
  CHECK(updated->owner == "eve@example.com");
  CHECK(updated->tags == std::vector<std::string>{"finance", "site:paris"});
  CHECK(store->write([&](WriteTx& tx) { return tx.devices().update_device("d9", update); })
            .error()
            .code == ErrorCode::kNotFound);

  REQUIRE(store->write([](WriteTx& tx) { return tx.devices().revoke_device("d1", at(9)); }));
  REQUIRE(store->write([](WriteTx& tx) { return tx.devices().revoke_device("d1", at(99)); }));
  auto revoked = store->read().devices().find_device("d1");
  REQUIRE(revoked);
  REQUIRE(*revoked);
  CHECK((*revoked)->revoked_at == at(9));
  CHECK(store->write([](WriteTx& tx) { return tx.devices().revoke_device("d9", at(9)); })
            .error()
            .code == ErrorCode::kNotFound);
}

TEMPLATE_TEST_CASE(
    "storage contract: certificate renewal keeps the replaced certificate until it is retired",
    "[storage][contract][devices]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  REQUIRE(store->write([](WriteTx& tx) { return enroll_devices(tx, {"d1", "d2"}); }));
  auto renew = [&](const char* id, const char* presented, const char* fresh) {
    return store->write(
        [&](WriteTx& tx) { return tx.devices().renew_certificate(id, presented, fresh); });
  };
  auto certificates = [&](const char* id) {
    auto d = store->read().devices().find_device(id);
    REQUIRE(d);
    REQUIRE(*d);
    return std::pair{(*d)->certificate_sha256, (*d)->previous_certificate_sha256};
  };
  CHECK(certificates("d1") == std::pair<std::string, std::string>{"cert-d1", ""});

  REQUIRE(renew("d1", "cert-d1", "cert-d1-b"));
  CHECK(certificates("d1") == std::pair<std::string, std::string>{"cert-d1-b", "cert-d1"});
  // The answer was lost: the agent asks again with the certificate it still has. The one it
  // never received is replaced; the one it holds stays accepted.
  REQUIRE(renew("d1", "cert-d1", "cert-d1-c"));
  CHECK(certificates("d1") == std::pair<std::string, std::string>{"cert-d1-c", "cert-d1"});
  // Neither current nor previous: refused.
  CHECK(renew("d1", "cert-d1-b", "cert-d1-d").error().code == ErrorCode::kConflict);
  CHECK(renew("d1", "cert-d2", "cert-d1-d").error().code == ErrorCode::kConflict);
  CHECK(renew("d9", "cert-d9", "cert-d9-b").error().code == ErrorCode::kNotFound);

  REQUIRE(store->write([](WriteTx& tx) { return tx.devices().retire_previous_certificate("d1"); }));
  CHECK(certificates("d1") == std::pair<std::string, std::string>{"cert-d1-c", ""});
  // Once retired, the old certificate renews nothing; the other device was never touched.
  CHECK(renew("d1", "cert-d1", "cert-d1-e").error().code == ErrorCode::kConflict);
  CHECK(certificates("d2") == std::pair<std::string, std::string>{"cert-d2", ""});

  REQUIRE(store->write([](WriteTx& tx) { return tx.devices().revoke_device("d2", at(9)); }));
  CHECK(renew("d2", "cert-d2", "cert-d2-b").error().code == ErrorCode::kConflict);
  CHECK(certificates("d2") == std::pair<std::string, std::string>{"cert-d2", ""});
}

TEMPLATE_TEST_CASE("storage contract: platform field: a device's hello platform is stored and read",
                   "[storage][contract][devices]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  REQUIRE(store->write(
      [](WriteTx& tx) { return tx.devices().insert_enrollment_token(enrollment_token("t1", 2)); }));
  REQUIRE(store->write(
      [](WriteTx& tx) { return tx.devices().enroll_device("hash-t1", device("d1"), at(5)); }));
  REQUIRE(store->write(
      [](WriteTx& tx) { return tx.devices().enroll_device("hash-t1", device("d2"), at(5)); }));
  // Before its first hello a device has no platform.
  CHECK(store->read().devices().find_device("d1").value()->platform.empty());
  REQUIRE(store->write([](WriteTx& tx) {
    return tx.devices().record_hello(
        "d1", {"pc-7", "0.1.0", "Windows 10 Pro", "Windows NT 10.0.19045", "x86_64", "windows"},
        at(6));
  }));
  REQUIRE(store->write([](WriteTx& tx) {
    return tx.devices().record_hello(
        "d2", {"laptop-7", "0.1.0", "Debian 12", "6.1", "x86_64", "linux"}, at(6));
  }));
  CHECK(store->read().devices().find_device("d1").value()->platform == "windows");
  auto listed = store->read().devices().list_devices();
  REQUIRE(listed);
  REQUIRE(listed->size() == 2);
  for (const auto& d : *listed) CHECK(d.platform == (d.id == "d1" ? "windows" : "linux"));
}

TEMPLATE_TEST_CASE("storage contract: users, sessions and API tokens", "[storage][contract][auth]",
                   TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  auto id = store->write([](WriteTx& tx) { return tx.auth().insert_user(user("alice")); });
  REQUIRE(id);
  CHECK(
      store->write([](WriteTx& tx) { return tx.auth().insert_user(user("alice")); }).error().code ==
      ErrorCode::kConflict);

  ApiSession session;
  session.token_hash = "s1";
  session.user_id = *id;
  session.created_at = at(0);
  session.expires_at = at(100);
  REQUIRE(store->write([&](WriteTx& tx) { return tx.auth().insert_session(session); }));
  CHECK(store->read().auth().find_session("s1", at(50)).value());
  CHECK_FALSE(store->read().auth().find_session("s1", at(100)).value());

  ApiToken token;
  token.id = "k1";
  token.token_hash = "th1";
  token.user_id = *id;
  token.name = "ci";
  token.created_at = at(0);
  token.expires_at = at(1000);
  REQUIRE(store->write([&](WriteTx& tx) { return tx.auth().insert_api_token(token); }));

  UserUpdate disable;
  disable.disabled = true;
  auto disabled =
      store->write([&](WriteTx& tx) { return tx.auth().update_user(*id, disable, at(60)); });
  REQUIRE(disabled);
  CHECK(disabled->disabled);
  // Disabling ends every way in, in the same transaction.
  CHECK_FALSE(store->read().auth().find_session("s1", at(61)).value());
  auto found = store->read().auth().find_api_token("th1");
  REQUIRE(found);
  REQUIRE(*found);
  CHECK((*found)->revoked_at == at(60));

  auto throttled = store->write([](WriteTx& tx) {
    return tx.auth().update_login_throttle("alice", at(70), [](LoginThrottleState s) {
      ++s.failures;
      s.updated_at = at(70);
      return s;
    });
  });
  REQUIRE(throttled);
  CHECK(throttled->failures == 1);
  CHECK(store->read().auth().find_login_throttle("alice").value()->failures == 1);
}

TEMPLATE_TEST_CASE("storage contract: a client address's failed-login bucket",
                   "[storage][contract][auth]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  CHECK_FALSE(store->read().auth().find_login_client_throttle("192.0.2.1").value());

  // `update` sees what is stored (nothing: a full bucket), and what it returns is stored.
  auto bump = [&](const std::string& client, TimePoint now) {
    std::optional<LoginClientThrottle> seen;
    auto stored = store->write([&](WriteTx& tx) {
      return tx.auth().update_login_client_throttle(
          client, now, [&](std::optional<LoginClientThrottle> s) {
            seen = s;
            return LoginClientThrottle{(s ? s->full_at : now) + 60s};
          });
    });
    REQUIRE(stored);
    return std::make_pair(seen, stored->full_at);
  };
  auto [before, full_at] = bump("192.0.2.1", at(70));
  CHECK_FALSE(before);
  CHECK(full_at == at(130));
  CHECK(store->read().auth().find_login_client_throttle("192.0.2.1").value()->full_at == at(130));
  auto [again, later] = bump("192.0.2.1", at(80));
  REQUIRE(again);
  CHECK(again->full_at == at(130));
  CHECK(later == at(190));

  // Another client's failure after the first one's bucket is full again forgets the first.
  bump("192.0.2.2", at(200));
  CHECK_FALSE(store->read().auth().find_login_client_throttle("192.0.2.1").value());
  CHECK(store->read().auth().find_login_client_throttle("192.0.2.2").value());

  // A bucket full by now is no row.
  REQUIRE(store->write([](WriteTx& tx) {
    return tx.auth().update_login_client_throttle(
        "192.0.2.2", at(210),
        [](std::optional<LoginClientThrottle>) { return LoginClientThrottle{at(210)}; });
  }));
  CHECK_FALSE(store->read().auth().find_login_client_throttle("192.0.2.2").value());
}

TEMPLATE_TEST_CASE("storage contract: reports are stored once per device and seq",
                   "[storage][contract][reports][devices]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  REQUIRE(store->write([](WriteTx& tx) -> Result<std::string> {
    if (auto r = tx.devices().insert_enrollment_token(enrollment_token("t1", 1)); !r) {
      return tl::unexpected(r.error());
    }
    return tx.devices().enroll_device("hash-t1", device("d1"), at(1));
  }));
  StoredReport snapshot;
  snapshot.device_id = "d1";
  snapshot.seq = 1;
  snapshot.kind = "snapshot";
  snapshot.received_at = at(10);
  snapshot.payload = "full";
  StoredReport delta = snapshot;
  delta.seq = 2;
  delta.kind = "delta";
  delta.payload = "diff";
  auto stored = store->write([&](WriteTx& tx) {
    return tx.reports().store_reports({snapshot, delta, delta});
  });
  REQUIRE(stored);
  CHECK(*stored == std::vector<bool>{true, true, false});
  CHECK(store->read().reports().last_report_seq("d1").value() == 2);
  CHECK(store->read().reports().has_snapshot("d1").value());
  auto latest = store->read().reports().latest_snapshot("d1");
  REQUIRE(latest);
  REQUIRE(*latest);
  CHECK((*latest)->payload == "full");
  CHECK(store->read().reports().find_report("d1", 2).value()->payload == "diff");
  CHECK_FALSE(store->read().reports().find_report("d1", 3).value());
}

TEMPLATE_TEST_CASE("storage contract: a ticket update needs the version it read",
                   "[storage][contract][tickets]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  auto t = ticket("VPN drops");
  REQUIRE(store->write([&](WriteTx& tx) { return tx.tickets().create_ticket(t, {}); }));
  REQUIRE(t.id > 0);
  auto read = store->read().tickets().find_ticket(t.id);
  REQUIRE(read);
  REQUIRE(*read);
  Ticket changed = **read;
  changed.title = "VPN drops hourly";
  REQUIRE(store->write([&](WriteTx& tx) {
    return tx.tickets().update_ticket(changed, (*read)->version, {event(t.id, "title_changed")});
  }));
  // A second writer still holding the old version loses.
  CHECK(store
            ->write([&](WriteTx& tx) {
              return tx.tickets().update_ticket(changed, (*read)->version, {});
            })
            .error()
            .code == ErrorCode::kConflict);
  auto timeline = store->read().tickets().ticket_events(t.id);
  REQUIRE(timeline);
  CHECK(timeline->size() == 1);
}

TEMPLATE_TEST_CASE("storage contract: the audit repository stores records as given",
                   "[storage][contract][audit]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  CHECK_FALSE(store->read().audit().audit_head().value());
  auto first = next_audit_record(audit_event(1), 0, kAuditGenesisHash);
  REQUIRE(store->write([&](WriteTx& tx) { return tx.audit().insert_audit_record(first); }));
  // A second record with a seq already taken is refused: a forked chain cannot be stored.
  auto fork = next_audit_record(audit_event(2), 0, kAuditGenesisHash);
  CHECK(store->write([&](WriteTx& tx) { return tx.audit().insert_audit_record(fork); })
            .error()
            .code == ErrorCode::kConflict);
  auto head = store->read().audit().audit_head();
  REQUIRE(head);
  REQUIRE(*head);
  CHECK((*head)->hash == first.hash);
}

TEMPLATE_TEST_CASE("storage contract: custom actions and catalog proposals change only once",
                   "[storage][contract][catalog]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  CustomAction action;
  action.id = "clear-cache";
  action.version = 1;
  action.definition = "v1";
  action.sha256 = "h1";
  REQUIRE(store->write([&](WriteTx& tx) { return tx.catalog().insert_custom_action(action); }));
  CHECK(store->write([&](WriteTx& tx) { return tx.catalog().insert_custom_action(action); })
            .error()
            .code == ErrorCode::kConflict);
  CustomAction next = action;
  next.version = 2;
  next.definition = "v2";
  next.sha256 = "h2";
  CHECK(store->write([&](WriteTx& tx) { return tx.catalog().replace_custom_action(next, "h1"); })
            .value());
  // Replacing against a hash that is no longer stored changes nothing.
  CHECK_FALSE(
      store->write([&](WriteTx& tx) { return tx.catalog().replace_custom_action(action, "h1"); })
          .value());
  CHECK(store->read().catalog().find_custom_action("clear-cache").value()->version == 2);
}

TEMPLATE_TEST_CASE("storage contract: an ingest batch stores reports, states and points together",
                   "[storage][contract][reports][devices]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  REQUIRE(store->write([](WriteTx& tx) -> Result<std::string> {
    if (auto r = tx.devices().insert_enrollment_token(enrollment_token("t1", 1)); !r) {
      return tl::unexpected(r.error());
    }
    return tx.devices().enroll_device("hash-t1", device("d1"), at(1));
  }));
  IngestBatch batch;
  StoredReport snapshot;
  snapshot.device_id = "d1";
  snapshot.seq = 1;
  snapshot.kind = "snapshot";
  snapshot.received_at = at(10);
  snapshot.payload = std::string("\x00\x01\xff", 3);
  batch.reports = {snapshot};
  DeviceState state;
  state.device_id = "d1";
  state.seq = state.base_seq = 1;
  state.as_of = at(10);
  state.snapshot = std::string("\x00state\xfe", 7);
  batch.states = {state};
  batch.points = {{"d1", "mem.used_pct", at(10), 41.5},
                  {"d1", "mem.used_pct", at(20), 42.25},
                  {"d1", "mem.used_pct", at(10), 99.0},  // same time again: the first is kept
                  {"d1", "disk.free_gb", at(10), 7}};
  auto stored = store->write([&](WriteTx& tx) { return tx.reports().store_ingest(batch); });
  REQUIRE(stored);
  CHECK(*stored == std::vector<bool>{true});
  CHECK(store->read().reports().latest_snapshot("d1").value()->payload == snapshot.payload);

  auto head = store->read().reports().device_state("d1", false);
  REQUIRE(head);
  REQUIRE(*head);
  CHECK((*head)->seq == 1);
  CHECK((*head)->snapshot.empty());
  CHECK(store->read().reports().device_state("d1", true).value()->snapshot == state.snapshot);

  auto points = store->read().reports().metric_points("d1", "mem.used_pct", at(0), at(30), 10);
  REQUIRE(points);
  REQUIRE(points->size() == 2);
  CHECK((*points)[0].value == 41.5);
  CHECK((*points)[1].value == 42.25);
  CHECK(store->read().reports().metric_points("d1", "mem.used_pct", at(0), at(30), 1)->size() == 1);

  // A gap: the state stays, marked stale from the report that could not be applied.
  IngestBatch gap;
  gap.stale_marks = {{"d1", 5}};
  REQUIRE(store->write([&](WriteTx& tx) { return tx.reports().store_ingest(gap); }));
  auto stale = store->read().reports().device_state("d1", false);
  REQUIRE(stale);
  CHECK((*stale)->stale);
  CHECK((*stale)->gap_seq == 5);
  CHECK((*stale)->seq == 1);
}

TEMPLATE_TEST_CASE(
    "storage contract: the states of a batch's devices are read at once, and a device's last "
    "state or stale mark in one batch wins",
    "[storage][contract][reports][devices]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  REQUIRE(store->write([](WriteTx& tx) { return enroll_devices(tx, {"d1", "d2", "d3"}); }));
  const auto state = [](const std::string& id, std::uint64_t seq, std::string snapshot) {
    DeviceState s;
    s.device_id = id;
    s.seq = s.base_seq = seq;
    s.as_of = at(static_cast<int>(10 * seq));
    s.snapshot = std::move(snapshot);
    return s;
  };
  IngestBatch batch;
  batch.states = {state("d1", 1, std::string("\x00one\xff", 5)), state("d2", 1, "two"),
                  state("d1", 2, std::string("\x00one again\xfe", 11))};
  batch.stale_marks = {{"d2", 5}, {"d2", 7}};
  REQUIRE(store->write([&](WriteTx& tx) { return tx.reports().store_ingest(batch); }));

  auto heads = store->read().reports().device_states({"d1", "d2", "d3", "unknown"}, false);
  REQUIRE(heads);
  REQUIRE(heads->size() == 2);  // d3 and `unknown` have no state
  const auto& d1 = heads->at("d1");
  CHECK(d1.device_id == "d1");
  CHECK(d1.seq == 2);
  CHECK(d1.as_of == at(20));
  CHECK_FALSE(d1.stale);
  CHECK(d1.snapshot.empty());
  const auto& d2 = heads->at("d2");
  CHECK(d2.seq == 1);
  CHECK(d2.stale);
  CHECK(d2.gap_seq == 7);

  auto full = store->read().reports().device_states({"d1"}, true);
  REQUIRE(full);
  REQUIRE(full->size() == 1);
  CHECK(full->at("d1").snapshot == std::string("\x00one again\xfe", 11));
  CHECK(full->at("d1").snapshot ==
        store->read().reports().device_state("d1", true).value()->snapshot);
  CHECK(store->read().reports().device_states({}, true).value().empty());
}
