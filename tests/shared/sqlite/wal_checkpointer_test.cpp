// The WAL checkpointer does the writer's checkpoints from its own thread: committed pages
// reach the database file without the writer copying them, and a WAL past its limit is
// brought back even while the writer keeps writing.

#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "shared/sqlite/wal_checkpointer.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::sqlite;

namespace {

// A writer as the collector's store opens it: no checkpoints of its own.
std::unique_ptr<Database> open_writer(const std::filesystem::path& path) {
  auto db = Database::open(path);
  REQUIRE(db);
  REQUIRE((*db)->exec("PRAGMA wal_autocheckpoint=0; CREATE TABLE IF NOT EXISTS t (b BLOB);"));
  return std::move(*db);
}

void write_blobs(Database& db, int count, int bytes) {
  for (int i = 0; i < count; ++i) {
    auto st = db.prepare("INSERT INTO t (b) VALUES (zeroblob(?))");
    REQUIRE(st);
    st->bind(1, static_cast<std::int64_t>(bytes));
    REQUIRE(st->run());
  }
}

std::uintmax_t size_of(const std::filesystem::path& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

}  // namespace

TEST_CASE("committed pages reach the database file without the writer checkpointing") {
  testing::TempDir dir;
  auto path = dir.path() / "w.db";
  auto writer = open_writer(path);
  auto checkpointer = WalCheckpointer::start(path, {std::chrono::milliseconds(10)});
  REQUIRE(checkpointer);
  write_blobs(*writer, 40, 256 * 1024);
  // 10 MiB committed: the checkpointer copies it into the database file.
  CHECK(testing::eventually([&] { return size_of(path) >= 10u * 1024 * 1024; }));
  CHECK((*checkpointer)->restarts() == 0);
  // Everything is there for a reader, after the checkpointer stopped too.
  (*checkpointer)->stop();
  auto reader = Database::open(path);
  REQUIRE(reader);
  auto st = (*reader)->prepare("SELECT COUNT(*), SUM(LENGTH(b)) FROM t");
  REQUIRE(st);
  REQUIRE(st->step().value());
  CHECK(st->column_int(0) == 40);
  CHECK(st->column_int(1) == 40 * 256 * 1024);
}

TEST_CASE("a WAL past its limit is checkpointed with the writer held back, and writing goes on") {
  testing::TempDir dir;
  auto path = dir.path() / "w.db";
  auto writer = open_writer(path);
  REQUIRE(writer->exec("PRAGMA journal_size_limit=0"));
  auto checkpointer =
      WalCheckpointer::start(path, {std::chrono::milliseconds(10), /*restart_bytes=*/64 * 1024});
  REQUIRE(checkpointer);
  write_blobs(*writer, 4, 256 * 1024);
  CHECK(testing::eventually([&] { return (*checkpointer)->restarts() >= 1; }));
  // After a RESTART checkpoint the next transaction starts the WAL over, cut to its limit.
  write_blobs(*writer, 1, 1024);
  CHECK(size_of(dir.path() / "w.db-wal") < 64u * 1024);
  write_blobs(*writer, 4, 256 * 1024);
}

TEST_CASE(
    "a reader that stays for minutes (a backup) does not keep the writer waiting behind RESTART "
    "checkpoints, and the WAL starts over once it has gone") {
  testing::TempDir dir;
  auto path = dir.path() / "w.db";
  auto writer = open_writer(path);
  // The writer gives up after 1 s where the collector's waits 5 s: a RESTART that held it for
  // its whole busy timeout would fail a commit below.
  sqlite3_busy_timeout(writer->handle(), 1000);
  CheckpointOptions options;
  options.interval = std::chrono::milliseconds(10);
  options.restart_bytes = 64 * 1024;
  options.restart_wait = std::chrono::milliseconds(100);
  options.restart_backoff = std::chrono::milliseconds(100);
  options.restart_backoff_max = std::chrono::milliseconds(400);
  auto checkpointer = WalCheckpointer::start(path, options);
  REQUIRE(checkpointer);

  // The backup's read transaction: a snapshot older than everything written below.
  auto reader = Database::open(path);
  REQUIRE(reader);
  REQUIRE((*reader)->exec("BEGIN"));
  {
    // Its first read starts the snapshot; it lasts until COMMIT.
    auto first_read = (*reader)->prepare("SELECT COUNT(*) FROM t");
    REQUIRE(first_read);
    REQUIRE(first_read->step().value());
  }

  write_blobs(*writer, 4, 256 * 1024);
  REQUIRE(testing::eventually([&] { return (*checkpointer)->restart_attempts() >= 1; }));
  // RESTARTs keep being tried (the WAL is far past its limit) and cannot finish; every
  // commit still goes through.
  const auto attempts_before = (*checkpointer)->restart_attempts();
  for (int i = 0; i < 40; ++i) write_blobs(*writer, 1, 64 * 1024);
  CHECK(testing::eventually([&] { return (*checkpointer)->restart_attempts() > attempts_before; }));
  CHECK((*checkpointer)->restarts() == 0);

  // The reader leaves: the next RESTART finishes.
  REQUIRE((*reader)->exec("COMMIT"));
  CHECK(testing::eventually([&] { return (*checkpointer)->restarts() >= 1; }));
}
