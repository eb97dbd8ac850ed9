// Prepared statements are reused per connection: a statement comes back reset and unbound,
// two live statements of the same SQL stay independent, and one that outlives its
// connection is still safe to drop. A read-only connection writes nothing, not even beside
// the file.

#include <catch2/catch.hpp>

#include <filesystem>
#include <iterator>

#include "shared/sqlite/database.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::sqlite;

namespace {

std::unique_ptr<Database> open_db(const testing::TempDir& dir) {
  auto db = Database::open(dir.path() / "d.db");
  REQUIRE(db);
  REQUIRE(
      (*db)->exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT);"
                  "INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, 'three');"));
  return std::move(*db);
}

}  // namespace

TEST_CASE("a reused statement comes back reset and without its old bindings") {
  testing::TempDir dir;
  auto db = open_db(dir);
  const char* sql = "SELECT v FROM t WHERE k = ?";
  sqlite3_stmt* first_handle = nullptr;
  {
    auto st = db->prepare(sql);
    REQUIRE(st);
    st->bind(1, std::int64_t{2});
    REQUIRE(st->step().value());
    CHECK(st->column_text(0) == "two");
    first_handle = st->handle();
    // Dropped in the middle of its rows: it must not keep its read open.
  }
  auto again = db->prepare(sql);
  REQUIRE(again);
  CHECK(again->handle() == first_handle);
  // Unbound: k = NULL matches nothing.
  CHECK_FALSE(again->step().value());
  again->reset();
  again->bind(1, std::int64_t{3});
  REQUIRE(again->step().value());
  CHECK(again->column_text(0) == "three");
}

TEST_CASE("two live statements of the same SQL are independent") {
  testing::TempDir dir;
  auto db = open_db(dir);
  const char* sql = "SELECT v FROM t WHERE k = ?";
  auto a = db->prepare(sql);
  auto b = db->prepare(sql);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->handle() != b->handle());
  a->bind(1, std::int64_t{1});
  b->bind(1, std::int64_t{2});
  REQUIRE(a->step().value());
  REQUIRE(b->step().value());
  CHECK(a->column_text(0) == "one");
  CHECK(b->column_text(0) == "two");
}

TEST_CASE("a statement that outlives its connection is dropped safely") {
  testing::TempDir dir;
  auto db = open_db(dir);
  auto st = db->prepare("SELECT COUNT(*) FROM t");
  REQUIRE(st);
  REQUIRE(st->step().value());
  CHECK(st->column_int(0) == 3);
  db.reset();
  // Its destructor finalizes it; the connection closes after it (sqlite3_close_v2).
}

TEST_CASE("a write after a cached read sees no stale snapshot") {
  testing::TempDir dir;
  auto db = open_db(dir);
  auto other = Database::open(dir.path() / "d.db");
  REQUIRE(other);
  const char* count = "SELECT COUNT(*) FROM t";
  {
    auto st = db->prepare(count);
    REQUIRE(st->step().value());
    CHECK(st->column_int(0) == 3);
  }
  REQUIRE((*other)->exec("INSERT INTO t VALUES (4, 'four')"));
  auto st = db->prepare(count);
  REQUIRE(st->step().value());
  CHECK(st->column_int(0) == 4);
}

TEST_CASE("exec_with binds its arguments in order and counts the rows it changed") {
  testing::TempDir dir;
  auto db = open_db(dir);
  auto changed = db->exec_with("UPDATE t SET v = ? WHERE k >= ?", std::string("many"), 2);
  REQUIRE(changed);
  CHECK(*changed == 2);
  auto inserted = db->exec_with("INSERT INTO t VALUES (?, ?)", std::int64_t{4}, nullptr);
  REQUIRE(inserted);
  CHECK(*inserted == 1);
  auto duplicate = db->exec_with("INSERT INTO t VALUES (?, ?)", 1, "again");
  REQUIRE_FALSE(duplicate);
  CHECK(duplicate.error().code == ErrorCode::kConflict);
}

TEST_CASE("query with rows() and first() reads every row or the first one") {
  testing::TempDir dir;
  auto db = open_db(dir);
  auto st = db->query("SELECT v FROM t WHERE k <= ? ORDER BY k", 2);
  REQUIRE(st);
  auto values = st->rows([](const Statement& s) { return s.column_text(0); });
  REQUIRE(values);
  CHECK(*values == std::vector<std::string>{"one", "two"});

  auto none = db->query("SELECT v FROM t WHERE k = ?", std::optional<std::int64_t>());
  REQUIRE(none);
  auto missing = none->first([](const Statement& s) { return s.column_text(0); });
  REQUIRE(missing);
  CHECK_FALSE(*missing);
  auto three = db->query("SELECT v FROM t WHERE k = ?", 3);
  REQUIRE(three);
  auto found = three->first([](const Statement& s) { return s.column_text(0); });
  REQUIRE(found);
  CHECK(**found == "three");
}

TEST_CASE("a read-only database reads a WAL file and writes nothing beside it") {
  testing::TempDir dir;
  // A path SQLite's URI syntax would misread unless it is escaped.
  const auto path = dir.path() / "odd?name#100%.db";
  {
    auto db = Database::open(path);
    REQUIRE(db);
    REQUIRE((*db)->exec("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('kept');"));
  }
  REQUIRE_FALSE(std::filesystem::exists(path.string() + "-wal"));
  OpenOptions options;
  options.read_only = true;
  auto db = Database::open(path, options);
  REQUIRE(db);
  auto st = (*db)->query("SELECT v FROM t");
  REQUIRE(st);
  REQUIRE(st->step().value());
  CHECK(st->column_text(0) == "kept");
  CHECK_FALSE((*db)->exec("INSERT INTO t VALUES ('no')"));
  CHECK_FALSE(std::filesystem::exists(path.string() + "-wal"));
  CHECK_FALSE(std::filesystem::exists(path.string() + "-shm"));
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path()),
                      std::filesystem::directory_iterator()) == 1);
  CHECK_FALSE(Database::open(dir.path() / "missing.db", options));
}
