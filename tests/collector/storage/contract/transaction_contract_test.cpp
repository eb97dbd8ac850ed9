// The storage contract, part 1: what Store::write() and Store::read() promise, whatever the
// backend. Runs against every backend in TRIAGE_STORAGE_BACKENDS.

#include <catch2/catch.hpp>

#include <thread>

#include "tests/collector/storage/contract/contract_fixtures.hpp"
#include "tests/collector/storage/contract/storage_backends.hpp"

using namespace triage;
using namespace triage::collector;
using namespace triage::collector::contract;

TEMPLATE_TEST_CASE("storage contract: a read through the write transaction sees its own writes",
                   "[storage][contract][devices]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  bool seen_inside = false;
  bool seen_outside = true;
  auto written = store->write([&](WriteTx& tx) -> Result<void> {
    if (auto r = tx.devices().insert_enrollment_token(enrollment_token("t1", 1)); !r) return r;
    if (auto r = tx.devices().enroll_device("hash-t1", device("d1"), at(1)); !r) {
      return tl::unexpected(r.error());
    }
    auto inside = tx.devices().find_device("d1");
    if (!inside) return tl::unexpected(inside.error());
    seen_inside = inside->has_value();
    // Another thread reads committed state only: not this transaction's writes.
    std::thread other([&] {
      auto outside = store->read().devices().find_device("d1");
      seen_outside = !outside || outside->has_value();
    });
    other.join();
    return {};
  });
  REQUIRE(written);
  CHECK(seen_inside);
  CHECK_FALSE(seen_outside);
  auto after = store->read().devices().find_device("d1");
  REQUIRE(after);
  CHECK(after->has_value());
}

TEMPLATE_TEST_CASE("storage contract: an error from the body rolls back all its writes",
                   "[storage][contract][auth][devices]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  auto refused = store->write([&](WriteTx& tx) -> Result<int> {
    if (auto r = tx.auth().insert_user(user("bob")); !r) return tl::unexpected(r.error());
    if (auto r = tx.devices().insert_enrollment_token(enrollment_token("t1", 1)); !r) {
      return tl::unexpected(r.error());
    }
    return fail(ErrorCode::kConflict, "changed my mind");
  });
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::kConflict);
  CHECK(refused.error().message == "changed my mind");
  CHECK_FALSE(store->read().auth().find_user_by_name("bob").value());
  CHECK(store->read().devices().list_enrollment_tokens().value().empty());
}

TEMPLATE_TEST_CASE("storage contract: write() returns the body's value once committed",
                   "[storage][contract][auth]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  auto id = store->write([&](WriteTx& tx) { return tx.auth().insert_user(user("carol")); });
  REQUIRE(id);
  auto found = store->read().auth().find_user(*id);
  REQUIRE(found);
  REQUIRE(*found);
  CHECK((*found)->name == "carol");
}

TEMPLATE_TEST_CASE("storage contract: a nested write that fails undoes only its own writes",
                   "[storage][contract][auth]", TRIAGE_STORAGE_BACKENDS) {
  TestType backend;
  auto store = backend.open();
  auto outer = store->write([&](WriteTx& tx) -> Result<void> {
    if (auto r = tx.auth().insert_user(user("dave")); !r) return tl::unexpected(r.error());
    auto inner = store->write([&](WriteTx& nested) -> Result<void> {
      if (auto r = nested.auth().insert_user(user("erin")); !r) return tl::unexpected(r.error());
      return fail(ErrorCode::kConflict, "inner refused");
    });
    if (inner) return fail("the inner write should have failed");
    auto erin = tx.auth().find_user_by_name("erin");
    if (!erin) return tl::unexpected(erin.error());
    if (*erin) return fail("the failed inner write left its user behind");
    return {};
  });
  REQUIRE(outer);
  CHECK(store->read().auth().find_user_by_name("dave").value());
  CHECK_FALSE(store->read().auth().find_user_by_name("erin").value());
}
