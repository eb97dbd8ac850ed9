// The audit log on a real SQLite file: append, verify, and every kind of tampering the
// verifier must catch (with the database's own triggers dropped, as an attacker would).
#include <catch2/catch.hpp>

#include <thread>

#include "collector/audit/audit_log.hpp"
#include "collector/audit/audit_verify.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "shared/pki/keys.hpp"
#include "shared/sqlite/database.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::collector;
using namespace std::chrono_literals;

namespace {

Result<AuditRecord> append_audit(Store& store, const AuditEvent& event) {
  return store.write([&](WriteTx& tx) { return AuditLog::append(tx, event); });
}

struct AuditFixture {
  AuditFixture() {
    auto opened = SqliteStore::open(db_path().string());
    REQUIRE(opened);
    store = std::move(*opened);
    auto generated = pki::generate_ed25519_key();
    REQUIRE(generated);
    key = std::move(*generated);
  }
  std::filesystem::path db_path() const { return dir.path() / "c.db"; }

  AuditEvent event(int i) const {
    AuditEvent e;
    e.at = TimePoint(std::chrono::milliseconds(1795000000000 + i * 1000));
    e.actor = "alice";
    e.actor_kind = AuditActorKind::kUser;
    e.source = "127.0.0.1:4000";
    e.type = i % 2 == 0 ? "auth.login.succeeded" : "user.created";
    e.target = "user:u" + std::to_string(i);
    e.details = {{"i", i}};
    return e;
  }

  /// Raw SQL on the file, as someone with write access to it would run.
  void raw(const std::string& sql) {
    auto db = sqlite::Database::open(db_path());
    REQUIRE(db);
    auto r = (*db)->exec(sql);
    INFO(sql);
    REQUIRE(r);
  }

  AuditVerification verify() {
    auto v = verify_audit_log(*store, key.get());
    REQUIRE(v);
    return *v;
  }

  testing::TempDir dir;
  std::unique_ptr<SqliteStore> store;
  pki::PKeyPtr key;
};

}  // namespace

TEST_CASE("appended events form an intact chain and are listed newest first") {
  AuditFixture f;
  AuditLog log(*f.store, AuditLogOptions{f.key.get(), 3});
  for (int i = 1; i <= 7; ++i) REQUIRE(log.record(f.event(i)));
  auto v = f.verify();
  CHECK(v.intact);
  CHECK(v.records == 7);
  CHECK(v.head_seq == 7);
  // Every 3 events a checkpoint: after 3 and 6.
  CHECK(v.checkpoints == 2);
  CHECK(v.last_checkpoint_seq == 6);

  AuditFilter filter;
  filter.limit = 3;
  auto page = f.store->read().audit().list_audit(filter);
  REQUIRE(page);
  REQUIRE(page->items.size() == 3);
  CHECK(page->items[0].seq == 7);
  CHECK(page->items[2].seq == 5);
  CHECK(page->more);
  filter.before_seq = 5;
  filter.limit = 10;
  page = f.store->read().audit().list_audit(filter);
  REQUIRE(page);
  CHECK(page->items.size() == 4);
  CHECK(page->items.front().seq == 4);
  CHECK_FALSE(page->more);
}

TEST_CASE("audit filters: type prefix, actor, target, time range") {
  AuditFixture f;
  for (int i = 1; i <= 6; ++i) REQUIRE(append_audit(*f.store, f.event(i)));
  auto count = [&](AuditFilter filter) {
    auto page = f.store->read().audit().list_audit(filter);
    REQUIRE(page);
    return page->items.size();
  };
  AuditFilter by_type;
  by_type.type_prefix = "auth.";
  CHECK(count(by_type) == 3);
  by_type.type_prefix = "user.created";
  CHECK(count(by_type) == 3);
  by_type.type_prefix = "device.";
  CHECK(count(by_type) == 0);
  AuditFilter by_target;
  by_target.target = "user:u4";
  CHECK(count(by_target) == 1);
  AuditFilter by_actor;
  by_actor.actor = "bob";
  CHECK(count(by_actor) == 0);
  AuditFilter by_time;
  by_time.since = TimePoint(std::chrono::milliseconds(1795000000000 + 2000));
  by_time.until = TimePoint(std::chrono::milliseconds(1795000000000 + 5000));
  CHECK(count(by_time) == 3);
}

TEST_CASE("the database refuses to update or delete audit rows") {
  AuditFixture f;
  REQUIRE(append_audit(*f.store, f.event(1)));
  auto db = sqlite::Database::open(f.db_path());
  REQUIRE(db);
  CHECK_FALSE((*db)->exec("UPDATE audit_log SET actor = 'mallory'"));
  CHECK_FALSE((*db)->exec("DELETE FROM audit_log"));
  CHECK(f.verify().intact);
}

TEST_CASE("a changed row is found and named by its seq") {
  AuditFixture f;
  AuditLog log(*f.store, AuditLogOptions{f.key.get(), 100});
  for (int i = 1; i <= 5; ++i) REQUIRE(log.record(f.event(i)));
  REQUIRE(log.checkpoint(std::chrono::system_clock::now()));
  REQUIRE(f.verify().intact);

  const auto [column, value] = GENERATE(table<std::string, std::string>({
      {"details", "'{\"i\":99}'"},
      {"at", "at + 1"},
      {"actor", "'mallory'"},
      {"type", "'auth.logout'"},
      {"outcome", "'failure'"},
  }));
  INFO(column);
  f.raw("DROP TRIGGER audit_log_no_update");
  f.raw("UPDATE audit_log SET " + column + " = " + value + " WHERE seq = 3");
  auto v = f.verify();
  CHECK_FALSE(v.intact);
  CHECK(v.first_bad_seq == 3u);
  CHECK_THAT(v.message, Catch::Contains("seq 3"));
}

TEST_CASE("a deleted row is found: in the middle by the gap, at the end by the checkpoint") {
  AuditFixture f;
  AuditLog log(*f.store, AuditLogOptions{f.key.get(), 100});
  for (int i = 1; i <= 5; ++i) REQUIRE(log.record(f.event(i)));
  REQUIRE(log.checkpoint(std::chrono::system_clock::now()));
  f.raw("DROP TRIGGER audit_log_no_delete");

  SECTION("middle") {
    f.raw("DELETE FROM audit_log WHERE seq = 2");
    auto v = f.verify();
    CHECK_FALSE(v.intact);
    CHECK(v.first_bad_seq == 2u);
    CHECK_THAT(v.message, Catch::Contains("deleted"));
  }
  SECTION("end, covered by a checkpoint") {
    f.raw("DELETE FROM audit_log WHERE seq = 5");
    auto v = f.verify();
    CHECK_FALSE(v.intact);
    CHECK(v.first_bad_seq == 5u);
    CHECK_THAT(v.message, Catch::Contains("removed from the end"));
  }
}

TEST_CASE("a rewritten chain with recomputed hashes fails against the signed checkpoint") {
  AuditFixture f;
  AuditLog log(*f.store, AuditLogOptions{f.key.get(), 100});
  for (int i = 1; i <= 4; ++i) REQUIRE(log.record(f.event(i)));
  REQUIRE(log.checkpoint(std::chrono::system_clock::now()));

  // An attacker rebuilds the whole table from altered events with a valid chain.
  auto copy_dir = testing::TempDir();
  auto forged = SqliteStore::open((copy_dir.path() / "forged.db").string());
  REQUIRE(forged);
  for (int i = 1; i <= 4; ++i) {
    auto e = f.event(i);
    if (i == 2) e.actor = "mallory";
    REQUIRE(append_audit(**forged, e));
  }
  f.raw("DROP TRIGGER audit_log_no_delete");
  f.raw("DELETE FROM audit_log");
  f.raw("ATTACH DATABASE '" + (copy_dir.path() / "forged.db").string() +
        "' AS forged; INSERT INTO main.audit_log SELECT * FROM forged.audit_log;");
  auto v = f.verify();
  CHECK_FALSE(v.intact);
  CHECK(v.first_bad_seq == 4u);
  CHECK_THAT(v.message, Catch::Contains("checkpoint"));
}

TEST_CASE("a forged or foreign checkpoint fails verification") {
  AuditFixture f;
  AuditLog log(*f.store, AuditLogOptions{f.key.get(), 100});
  for (int i = 1; i <= 3; ++i) REQUIRE(log.record(f.event(i)));
  REQUIRE(log.checkpoint(std::chrono::system_clock::now()));
  REQUIRE(f.verify().intact);

  SECTION("signature altered") {
    f.raw("DROP TRIGGER audit_checkpoints_no_update");
    f.raw(
        "UPDATE audit_checkpoints SET signature = substr(signature, 1, 126) || "
        "CASE substr(signature, 127, 2) WHEN '00' THEN '01' ELSE '00' END");
    auto v = f.verify();
    CHECK_FALSE(v.intact);
    CHECK(v.first_bad_seq == 3u);
    CHECK_THAT(v.message, Catch::Contains("signature is not valid"));
  }
  SECTION("signed by another key") {
    auto other = pki::generate_ed25519_key();
    REQUIRE(other);
    auto head = f.store->read().audit().audit_head();
    REQUIRE(head);
    REQUIRE(*head);
    AuditLog foreign(*f.store, AuditLogOptions{other->get(), 100});
    REQUIRE(foreign.record(f.event(4)));
    REQUIRE(foreign.checkpoint(std::chrono::system_clock::now()));
    auto v = f.verify();
    CHECK_FALSE(v.intact);
    CHECK(v.first_bad_seq == 4u);
  }
}

TEST_CASE("concurrent appenders on two connections never fork the chain") {
  AuditFixture f;
  auto second = SqliteStore::open(f.db_path().string());
  REQUIRE(second);
  constexpr int kPerWriter = 200;
  std::vector<std::string> errors[2];
  auto writer = [&](Store& store, int which) {
    for (int i = 0; i < kPerWriter; ++i) {
      auto r = append_audit(store, f.event(which * 1000 + i));
      if (!r) errors[which].push_back(r.error().message);
    }
  };
  std::thread a(writer, std::ref(static_cast<Store&>(*f.store)), 0);
  std::thread b(writer, std::ref(static_cast<Store&>(**second)), 1);
  a.join();
  b.join();
  CHECK(errors[0].empty());
  CHECK(errors[1].empty());
  auto v = f.verify();
  CHECK(v.intact);
  CHECK(v.records == 2 * kPerWriter);
}

TEST_CASE("an audited change commits with its record or not at all") {
  AuditFixture f;
  AuditLog log(*f.store);
  User user;
  user.name = "bob";
  user.password_hash = "x";
  user.created_at = std::chrono::system_clock::now();

  auto ok = log.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    auto id = tx.auth().insert_user(user);
    if (!id) return tl::unexpected(id.error());
    return f.event(1);
  });
  REQUIRE(ok);
  CHECK(ok->seq == 1);
  CHECK(*f.store->read().auth().find_user_by_name("bob"));

  SECTION("a failing change leaves neither the change nor a record") {
    auto refused = log.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
      user.name = "carol";
      if (auto id = tx.auth().insert_user(user); !id) return tl::unexpected(id.error());
      return fail(ErrorCode::kConflict, "changed my mind");
    });
    CHECK_FALSE(refused);
    CHECK_FALSE(*f.store->read().auth().find_user_by_name("carol"));
    CHECK((*f.store->read().audit().audit_head())->seq == 1);
  }
  SECTION("a failing nested write rolls back only itself; the caller decides") {
    auto dup = log.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
      auto id = tx.auth().insert_user(user);  // "bob" again: conflict
      if (id) return fail("expected a conflict");
      user.name = "dave";
      if (auto again = tx.auth().insert_user(user); !again) return tl::unexpected(again.error());
      return f.event(2);
    });
    REQUIRE(dup);
    CHECK(*f.store->read().auth().find_user_by_name("dave"));
    CHECK(f.verify().records == 2);
  }
}

TEST_CASE("limited events are dropped past their budget") {
  AuditFixture f;
  AuditLogOptions options;
  options.per_key = RateLimit{2, 1, 100};
  AuditLog log(*f.store, options);
  CHECK(log.record_limited("device-1", f.event(1)));
  CHECK(log.record_limited("device-1", f.event(2)));
  CHECK_FALSE(log.record_limited("device-1", f.event(3)));
  CHECK(log.record_limited("device-2", f.event(4)));
  CHECK(f.verify().records == 3);
}
