#include <catch2/catch.hpp>

#include "collector/storage/sqlite/schema.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"
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

EnrollmentToken token(const std::string& hash, TimePoint now, int uses = 1) {
  EnrollmentToken t;
  t.id = "t-" + hash;
  t.token_hash = hash;
  t.created_at = now;
  t.expires_at = now + 1h;
  t.max_uses = uses;
  return t;
}

Device device(const std::string& id, TimePoint now) {
  Device d;
  d.id = id;
  d.hostname = "pc-" + id;
  d.certificate_sha256 = std::string(64, 'a');
  d.enrolled_at = now;
  return d;
}

}  // namespace

TEST_CASE("schema migrations apply once and survive reopening") {
  testing::TempDir dir;
  const auto latest = static_cast<int>(schema::kMigrations.size());
  CHECK(latest >= 2);
  CHECK(open_store(dir)->schema_version() == latest);
  CHECK(open_store(dir)->schema_version() == latest);
}

TEST_CASE("enrollment tokens count uses and expire") {
  testing::TempDir dir;
  auto store = open_store(dir);
  auto now = std::chrono::system_clock::now();
  REQUIRE(store->write(
      [&](WriteTx& tx) { return tx.devices().insert_enrollment_token(token("h2", now, 2)); }));
  CHECK(store->write(
      [&](WriteTx& tx) { return tx.devices().enroll_device("h2", device("d1", now), now); }));
  CHECK(store->write(
      [&](WriteTx& tx) { return tx.devices().enroll_device("h2", device("d2", now), now); }));
  auto third = store->write(
      [&](WriteTx& tx) { return tx.devices().enroll_device("h2", device("d3", now), now); });
  REQUIRE_FALSE(third);
  CHECK(third.error().code == ErrorCode::kDenied);
  CHECK_THAT(third.error().message, Catch::Contains("no uses left"));
  // The refused enrollment left no device behind.
  CHECK_FALSE(store->read().devices().find_device("d3").value().has_value());

  REQUIRE(store->write(
      [&](WriteTx& tx) { return tx.devices().insert_enrollment_token(token("h1", now)); }));
  auto late = store->write(
      [&](WriteTx& tx) { return tx.devices().enroll_device("h1", device("d4", now), now + 2h); });
  REQUIRE_FALSE(late);
  CHECK_THAT(late.error().message, Catch::Contains("expired"));

  auto unknown = store->write(
      [&](WriteTx& tx) { return tx.devices().enroll_device("nope", device("d5", now), now); });
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == ErrorCode::kDenied);
}

TEST_CASE("devices record hellos and revocation") {
  testing::TempDir dir;
  auto store = open_store(dir);
  auto now = std::chrono::system_clock::now();
  REQUIRE(store->write(
      [&](WriteTx& tx) { return tx.devices().insert_enrollment_token(token("h", now)); }));
  REQUIRE(store->write(
      [&](WriteTx& tx) { return tx.devices().enroll_device("h", device("d1", now), now); }));
  REQUIRE(store->write([&](WriteTx& tx) {
    return tx.devices().record_hello("d1", {"laptop-7", "0.1.0", "Debian 12", "6.1", "x86_64", ""},
                                     now);
  }));
  auto d = store->read().devices().find_device("d1").value();
  REQUIRE(d);
  CHECK(d->hostname == "laptop-7");
  CHECK(d->os_pretty_name == "Debian 12");
  CHECK(d->last_seen.has_value());
  CHECK_FALSE(d->revoked_at);
  REQUIRE(store->write([&](WriteTx& tx) { return tx.devices().revoke_device("d1", now); }));
  REQUIRE(store->write([&](WriteTx& tx) { return tx.devices().revoke_device("d1", now + 1h); }));
  auto revoked = store->read().devices().find_device("d1").value();
  REQUIRE(revoked->revoked_at);
  CHECK(*revoked->revoked_at - now < 1s);  // the first revocation time is kept
  auto missing = store->write([&](WriteTx& tx) { return tx.devices().revoke_device("zz", now); });
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::kNotFound);
}

TEST_CASE("reports are stored once per device and sequence") {
  testing::TempDir dir;
  auto store = open_store(dir);
  auto now = std::chrono::system_clock::now();
  REQUIRE(store->write(
      [&](WriteTx& tx) { return tx.devices().insert_enrollment_token(token("h", now)); }));
  REQUIRE(store->write(
      [&](WriteTx& tx) { return tx.devices().enroll_device("h", device("d1", now), now); }));
  StoredReport r{"d1", 7, "snapshot", now, "payload-7"};
  CHECK(store->write([&](WriteTx& tx) { return tx.reports().store_report(r); }).value() == true);
  CHECK(store->write([&](WriteTx& tx) { return tx.reports().store_report(r); }).value() == false);
  StoredReport delta{"d1", 8, "delta", now, "payload-8"};
  CHECK(store->write([&](WriteTx& tx) { return tx.reports().store_report(delta); }).value() ==
        true);
  CHECK(store->read().reports().last_report_seq("d1").value() == 8);
  auto latest = store->read().reports().latest_snapshot("d1").value();
  REQUIRE(latest);
  CHECK(latest->seq == 7);
  CHECK(latest->payload == "payload-7");
  CHECK(store->read().reports().last_report_seq("other").value() == 0);
}

TEST_CASE("user names are unique and sessions expire") {
  testing::TempDir dir;
  auto store = open_store(dir);
  auto now = std::chrono::system_clock::now();
  User u;
  u.name = "ana";
  u.role = Role::kSenior;
  u.password_hash = "x";
  u.created_at = now;
  auto id = store->write([&](WriteTx& tx) { return tx.auth().insert_user(u); });
  REQUIRE(id);
  auto again = store->write([&](WriteTx& tx) { return tx.auth().insert_user(u); });
  REQUIRE_FALSE(again);
  CHECK(again.error().code == ErrorCode::kConflict);
  REQUIRE(store->write([&](WriteTx& tx) {
    return tx.auth().insert_session(
        {"hash", *id, now, now + 1h, SessionKind::kBearer, "", std::nullopt, "", "", "password"});
  }));
  CHECK(store->read().auth().find_session("hash", now).value().has_value());
  CHECK_FALSE(store->read().auth().find_session("hash", now + 2h).value().has_value());
  CHECK(store->read().auth().find_user(*id).value()->role == Role::kSenior);
}

TEST_CASE("a ticket is found by the key it came in under, also once linked elsewhere") {
  testing::TempDir dir;
  auto store = open_store(dir);
  const auto now = std::chrono::system_clock::now();
  auto ticket = [&](const std::string& key) {
    Ticket t;
    t.title = "help";
    t.source = "endpoint";
    t.external_system = "endpoint";
    t.external_id = key;
    t.created_at = t.updated_at = t.response_due_at = t.due_at = now;
    return t;
  };
  Ticket first = ticket("dev-1/7");
  REQUIRE(store->write([&](WriteTx& tx) { return tx.tickets().create_ticket(first, {}); }));

  TicketEvent linked;
  linked.ticket_id = first.id;
  linked.at = now;
  linked.actor = "system";
  linked.kind = "external_link";
  linked.visibility = Visibility::kInternal;
  REQUIRE(store->write([&](WriteTx& tx) {
    return tx.tickets().link_ticket_external(first.id, "rt", "42", linked);
  }));

  // Found by its new link and by its origin; the same request sent again is a conflict.
  auto by_link = store->read().tickets().find_ticket_by_external("rt", "42");
  REQUIRE(by_link);
  REQUIRE(*by_link);
  CHECK((*by_link)->id == first.id);
  auto by_origin = store->read().tickets().find_ticket_by_external("endpoint", "dev-1/7");
  REQUIRE(by_origin);
  REQUIRE(*by_origin);
  CHECK((*by_origin)->id == first.id);
  CHECK((*by_origin)->external_system == "rt");
  Ticket again = ticket("dev-1/7");
  auto duplicate = store->write([&](WriteTx& tx) { return tx.tickets().create_ticket(again, {}); });
  REQUIRE_FALSE(duplicate);
  CHECK(duplicate.error().code == ErrorCode::kConflict);
  auto none = store->read().tickets().find_ticket_by_external("endpoint", "dev-1/8");
  REQUIRE(none);
  CHECK_FALSE(*none);
}
