// `triage-collector migrate-storage` end to end: a data directory whose SQLite store the
// product wrote (CLI commands, the repositories, the audit log with signed checkpoints) moved
// by the real command into a real PostgreSQL 15, then read there.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "collector/audit/audit_log.hpp"
#include "collector/server/data_dir.hpp"
#include "collector/storage/migration/migration_tables.hpp"
#include "collector/storage/open_store.hpp"
#include "collector/storage/postgres/pg_connection.hpp"
#include "shared/sqlite/database.hpp"
#include "shared/util/files.hpp"
#include "tests/collector/storage/contract/contract_fixtures.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/collector_fixture.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::collector;
namespace contract = triage::collector::contract;
namespace fs = std::filesystem;
using testing::binary;
using testing::run_command;

namespace {

using Counts = std::map<std::string, std::int64_t>;

/// The test server's database of `conninfo` as a postgres:// URL (the form operators write).
std::string postgres_url(const std::string& conninfo) {
  const auto name = conninfo.substr(conninfo.find("dbname=") + 7);
  return "postgresql://triage@127.0.0.1:" +
         std::to_string(testing::PostgresServer::shared().port()) + "/" +
         name.substr(0, name.find(' '));
}

/// A data directory made by `init`, with a user and an enrollment token from the CLI.
struct Site {
  testing::TempDir temp;
  DataDir dir{temp.path() / "collector"};
  std::string conninfo = testing::PostgresServer::shared().create_database();

  Site() {
    REQUIRE(cli({"init"}).exit_code == 0);
    REQUIRE(cli({"user", "add", "--name", "alice", "--role", "admin", "--password-stdin"},
                "correct horse battery staple")
                .exit_code == 0);
    REQUIRE(cli({"token", "create", "--uses", "3"}).exit_code == 0);
  }

  testing::CommandResult cli(std::vector<std::string> args, const std::string& stdin_text = "") {
    args.insert(args.begin(), binary("triage-collector"));
    args.push_back("--data");
    args.push_back(dir.root().string());
    return run_command(args, temp.path(), stdin_text);
  }

  std::string url() const { return postgres_url(conninfo); }

  /// Changes the SQLite file behind the product's back (a database damaged or edited by hand).
  void edit_sqlite(const std::string& sql) {
    auto db = sqlite::Database::open(dir.database());
    REQUIRE(db);
    REQUIRE((*db)->exec(sql));
  }

  testing::CommandResult migrate() { return cli({"migrate-storage", "--to", url()}); }

  /// A collector config whose [storage] is the PostgreSQL database.
  fs::path postgres_config() const {
    auto path = temp.path() / "postgres.toml";
    std::ofstream(path) << "[storage]\nbackend = \"postgres\"\nurl = \"" << url() << "\"\n";
    return path;
  }
};

/// Writes a little of every area through the repositories, each change with its audit record
/// (and a signed checkpoint at the end), as a running collector would.
void write_areas(const DataDir& dir) {
  auto store = open_store(StorageConfig{}, dir.database().string(), StoreUse::kCommand);
  REQUIRE(store);
  auto keys = load_keys(dir);
  REQUIRE(keys);
  AuditLog log(**store, AuditLogOptions{keys->signing_key.get()});
  int n = 0;
  auto audited = [&](const std::function<Result<void>(WriteTx&)>& change) {
    auto r = log.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
      if (auto c = change(tx); !c) return tl::unexpected(c.error());
      return contract::audit_event(++n);
    });
    if (!r) FAIL(r.error().message);
  };
  audited([](WriteTx& tx) -> Result<void> {
    if (auto r = tx.devices().insert_enrollment_token(contract::enrollment_token("tok1", 5)); !r)
      return r;
    for (const char* id : {"d1", "d2"}) {
      if (auto r = tx.devices().enroll_device("hash-tok1", contract::device(id), contract::at(1));
          !r)
        return tl::unexpected(r.error());
    }
    // alice (from `user add`) is logged in.
    auto alice = tx.auth().find_user_by_name("alice");
    if (!alice || !*alice) return fail("alice is missing");
    ApiSession session;
    session.token_hash = "session-hash";
    session.user_id = (*alice)->id;
    session.created_at = contract::at(0);
    session.expires_at = contract::at(3600);
    if (auto r = tx.auth().insert_session(session); !r) return r;
    DeviceUpdate update;
    update.owner = "bob";
    update.tags = std::vector<std::string>{"lab", "floor-2"};
    return tx.devices().update_device("d1", update).map([](const Device&) {});
  });
  audited([](WriteTx& tx) -> Result<void> {
    // A snapshot (kept) and deltas on two days (two history partitions in PostgreSQL).
    std::vector<StoredReport> reports;
    for (int seq = 1; seq <= 3; ++seq) {
      StoredReport r;
      r.device_id = "d1";
      r.seq = static_cast<std::uint64_t>(seq);
      r.kind = seq == 1 ? "snapshot" : "delta";
      r.received_at = contract::at(seq * 86'400);
      r.payload = std::string("\0\x01payload-", 10) + std::to_string(seq);
      reports.push_back(r);
    }
    IngestBatch batch;
    batch.reports = reports;
    DeviceState state;
    state.device_id = "d1";
    state.seq = 3;
    state.base_seq = 1;
    state.as_of = contract::at(3 * 86'400);
    state.stale = true;
    state.gap_seq = 3;
    state.snapshot = std::string("\0state", 6);
    batch.states.push_back(state);
    batch.points.push_back({"d1", "cpu.load1", contract::at(86'400), 0.1 + 0.2});
    return tx.reports().store_ingest(batch).map([](const std::vector<bool>&) {});
  });
  std::int64_t ticket_id = 0;
  audited([&](WriteTx& tx) -> Result<void> {
    auto ticket = contract::ticket("printer does not print");
    if (auto r = tx.tickets().create_ticket(ticket, {contract::event(0, "created")}); !r) return r;
    ticket_id = ticket.id;
    if (auto r =
            tx.tickets().link_ticket_device(ticket.id, "d1", contract::event(ticket.id, "link"));
        !r)
      return tl::unexpected(r.error());
    if (auto r = tx.tickets().append_ticket_events(
            {contract::event(ticket.id, "note"), contract::event(ticket.id, "note")});
        !r)
      return r;
    auto enrichment = contract::enrichment(ticket.id, "d1", 1);
    if (auto r = tx.tickets().insert_enrichment(
            enrichment, contract::attachment(ticket.id, std::string("{\0}", 3)),
            contract::event(ticket.id, "enrichment"));
        !r)
      return r;
    Problem problem;
    problem.rule_id = "printer.stuck_jobs";
    problem.title = "print queue stuck on floor 2";
    problem.created_by = "alice";
    problem.created_at = contract::at(35);
    if (auto r = tx.problems().create_problem(problem); !r) return r;
    return tx.problems()
        .link_ticket_problem(ticket.id, problem.id, contract::event(ticket.id, "problem"))
        .map([](bool) {});
  });
  audited([&](WriteTx& tx) -> Result<void> {
    auto order = contract::order("o1", ticket_id, "d1", OrderState::kQueued);
    if (auto r = tx.orders().insert_order(order, {contract::event(ticket_id, "action")}); !r)
      return r;
    OrderOutputChunk chunk;
    chunk.stream = "stdout";
    chunk.data = "spooler restarted\n";
    chunk.received_at = contract::at(40);
    return tx.orders().append_order_output("o1", chunk, 1024).map([](bool) {});
  });
  audited([](WriteTx& tx) -> Result<void> {
    auto target = tx.outbox().insert_integration_target(contract::webhook_target("hook"));
    if (!target) return tl::unexpected(target.error());
    if (auto r = tx.outbox().enqueue_outbox({contract::outbox_message(*target, "m1")}); !r)
      return r;
    CustomAction action;
    action.id = "site-cleanup";
    action.version = 1;
    action.definition = "id = \"site-cleanup\"\n";
    action.sha256 = std::string(64, 'b');
    action.created_by = action.updated_by = "alice";
    action.created_at = action.updated_at = contract::at(50);
    return tx.catalog().insert_custom_action(action);
  });
  audited([&](WriteTx& tx) -> Result<void> {
    // A live session recorded on the ticket, ended, with its samples.
    LiveSession session;
    session.id = "live-1";
    session.device_id = "d1";
    session.ticket_id = ticket_id;
    session.started_by = "alice";
    session.started_at = contract::at(52);
    session.ends_at = contract::at(352);
    session.ended_at = contract::at(55);
    session.end_reason = "stopped";
    if (auto r = tx.live().insert_live_session(session); !r) return r;
    return tx.live()
        .append_live_samples({{"live-1", 1, contract::at(53), R"({"cpu":{"busy":0.5}})"},
                              {"live-1", 2, contract::at(54), R"({"cpu":{"busy":0.75}})"}})
        .map([](std::size_t) {});
  });
  REQUIRE(log.checkpoint(contract::at(60)));
}

Counts sqlite_counts(const fs::path& database) {
  sqlite::OpenOptions read_only;
  read_only.read_only = true;
  auto db = sqlite::Database::open(database, read_only);
  REQUIRE(db);
  Counts counts;
  for (const auto& table : migration::kMigrationTables) {
    auto st = (*db)->query("SELECT count(*) FROM " + std::string(table.name));
    REQUIRE(st);
    REQUIRE(st->step().value());
    counts[std::string(table.name)] = st->column_int(0);
  }
  return counts;
}

Counts postgres_counts(const std::string& conninfo) {
  auto conn = postgres::Connection::connect(conninfo);
  REQUIRE(conn);
  Counts counts;
  for (const auto& table : migration::kMigrationTables) {
    auto rows = (*conn)->query("SELECT count(*) FROM " + std::string(table.name));
    if (!rows) FAIL(rows.error().message);
    counts[std::string(table.name)] = rows->int64(0, 0);
  }
  return counts;
}

/// Every file under `root` with its bytes.
std::map<std::string, std::string> files_of(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    auto bytes = read_file(entry.path());
    REQUIRE(bytes);
    files[fs::relative(entry.path(), root).string()] = *bytes;
  }
  return files;
}

}  // namespace

TEST_CASE(
    "migrate-storage: a site moved to PostgreSQL keeps every row and its audit chain verifies "
    "there and a second run is refused",
    "[migration][pg]") {
  Site site;
  write_areas(site.dir);
  const auto before = files_of(site.dir.root());
  const auto source = sqlite_counts(site.dir.database());
  REQUIRE(source.at("audit_log") >= 7);
  REQUIRE(source.at("audit_checkpoints") >= 2);

  auto moved = site.migrate();
  INFO(moved.out << moved.err);
  REQUIRE(moved.exit_code == 0);
  CHECK_THAT(moved.out, Catch::Contains("tickets: 1 rows"));
  CHECK_THAT(moved.out, Catch::Contains("audit log intact"));

  // Every table but the sessions (not asked for) holds what SQLite holds.
  REQUIRE(source.at("api_sessions") == 1);
  const auto copied = postgres_counts(site.conninfo);
  for (const auto& [table, rows] : source) {
    INFO(table);
    CHECK(copied.at(table) == (table == "api_sessions" ? 0 : rows));
  }

  auto verify = site.cli({"audit", "verify", "--config", site.postgres_config().string()});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
  CHECK_THAT(
      verify.out,
      Catch::Contains("audit log intact: " + std::to_string(source.at("audit_log")) + " records"));

  // Read back through the PostgreSQL store: the same ids, states and bytes.
  StorageConfig pg;
  pg.backend = "postgres";
  pg.url = site.url();
  auto store = open_store(pg, "/nonexistent", StoreUse::kCommand);
  REQUIRE(store);
  auto& read = (*store)->read();
  auto tokens = read.devices().list_enrollment_tokens().value();
  REQUIRE(tokens.size() == 2);
  auto device = read.devices().find_device("d1").value();
  REQUIRE(device);
  CHECK(device->owner == "bob");
  auto tickets = read.tickets().list_tickets(TicketFilter{}).value();
  REQUIRE(tickets.items.size() == 1);
  const auto ticket_id = tickets.items.front().id;
  // Created, device linked, two notes, enrichment, problem, the order's action event.
  CHECK(read.tickets().ticket_events(ticket_id).value().size() == 7);
  auto attachments = read.tickets().ticket_attachments(ticket_id).value();
  REQUIRE(attachments.size() == 1);
  CHECK(read.tickets().find_attachment(attachments.front().id).value()->content ==
        std::string("{\0}", 3));
  auto problems = read.problems().ticket_problems(ticket_id).value();
  REQUIRE(problems.size() == 1);
  CHECK(problems.front().open);
  auto state = read.reports().device_state("d1", true).value();
  REQUIRE(state);
  CHECK(state->stale);
  CHECK(state->snapshot == std::string("\0state", 6));
  auto points = read.reports()
                    .metric_points("d1", "cpu.load1", contract::at(0), contract::at(99'999), 10)
                    .value();
  REQUIRE(points.size() == 1);
  CHECK(points.front().value == 0.1 + 0.2);
  CHECK(read.orders().order_output("o1").value().front().data == "spooler restarted\n");
  auto delta = read.reports().find_report("d1", 3).value();
  REQUIRE(delta);
  CHECK(delta->kind == "delta");
  CHECK(delta->payload == std::string("\0\x01payload-3", 11));
  CHECK(read.auth().find_user_by_name("alice").value());
  auto recordings = read.live().ticket_live_sessions(ticket_id).value();
  REQUIRE(recordings.size() == 1);
  CHECK(recordings.front().id == "live-1");
  CHECK(recordings.front().ended_at == contract::at(55));
  CHECK(recordings.front().samples == 2);
  auto samples = read.live().live_samples_after("live-1", 0, 10).value();
  REQUIRE(samples.size() == 2);
  CHECK(samples.back().sample_json == R"({"cpu":{"busy":0.75}})");
  // A ticket created after the move gets the next number, not a copied one.
  REQUIRE((*store)->write([&](WriteTx& tx) -> Result<void> {
    auto next = contract::ticket("after the move");
    if (auto r = tx.tickets().create_ticket(next, {}); !r) return r;
    CHECK(next.id == ticket_id + 1);
    return {};
  }));

  auto again = site.migrate();
  CHECK(again.exit_code == 1);
  CHECK_THAT(again.err, Catch::Contains("not empty"));
  CHECK(postgres_counts(site.conninfo).at("audit_log") == source.at("audit_log"));

  // The source was only read: the same files with the same bytes.
  CHECK(files_of(site.dir.root()) == before);
}

TEST_CASE("migrate-storage: staff sessions are copied only when asked", "[migration][pg]") {
  Site site;
  write_areas(site.dir);
  auto moved = site.cli({"migrate-storage", "--to", site.url(), "--with-sessions"});
  INFO(moved.out << moved.err);
  REQUIRE(moved.exit_code == 0);
  CHECK(postgres_counts(site.conninfo).at("api_sessions") == 1);
}

TEST_CASE("migrate-storage: a row PostgreSQL refuses is named and nothing is written",
          "[migration][pg]") {
  Site site;
  write_areas(site.dir);
  // A timeline event of a ticket that does not exist: SQLite stored it with its foreign keys
  // off; PostgreSQL refuses it.
  site.edit_sqlite(
      "PRAGMA foreign_keys=OFF; INSERT INTO ticket_events(id, ticket_id, at, actor, kind, "
      "visibility, data) VALUES (9999, 4242, 0, 'x', 'note', 'internal', '{}')");
  REQUIRE_FALSE(fs::exists(site.dir.database().string() + "-wal"));

  auto moved = site.migrate();
  INFO(moved.out << moved.err);
  CHECK(moved.exit_code == 1);
  CHECK_THAT(moved.err, Catch::Contains("table `ticket_events`, row id=9999"));
  CHECK_THAT(moved.err, Catch::Contains("foreign key"));
  // Tables before it were copied, then rolled back with it.
  CHECK_THAT(moved.out, Catch::Contains("tickets: 1 rows"));
  for (const auto& [table, rows] : postgres_counts(site.conninfo)) {
    INFO(table);
    CHECK(rows == 0);
  }
}

TEST_CASE(
    "migrate-storage: refused while the collector runs and once it has stopped the collector "
    "starts on PostgreSQL with what it had",
    "[migration][pg]") {
  testing::CollectorFixture collector;
  const auto url = postgres_url(testing::PostgresServer::shared().create_database());
  const auto token = collector.admin_token();
  auto created = collector.post("/api/v1/tickets", {{"title", "vpn drops every hour"}}, token);
  REQUIRE(created.status == 201);
  const auto ticket = "/api/v1/tickets/" + std::to_string(created.body["id"].get<std::int64_t>());

  auto refused = collector.cli({"migrate-storage", "--to", url});
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains("still running"));

  collector.stop();
  auto moved = collector.cli({"migrate-storage", "--to", url, "--with-sessions"});
  INFO(moved.out << moved.err);
  REQUIRE(moved.exit_code == 0);
  std::ofstream(collector.root() / "collector.toml", std::ios::app)
      << "\n[storage]\nbackend = \"postgres\"\nurl = \"" << url << "\"\n";
  // Out of the way: a collector that still used SQLite would start on an empty database.
  const auto database = collector.data_dir() / "collector.db";
  fs::rename(database, collector.root() / "collector.db.before-postgres");

  // The admin's session came along: the same token reads the ticket from PostgreSQL.
  collector.start();
  auto read = collector.get(ticket, token);
  CHECK(read.status == 200);
  CHECK(read.body["title"] == "vpn drops every hour");
  collector.stop();
  CHECK_FALSE(fs::exists(database));
}

TEST_CASE("migrate-storage: a SQLite table it does not know stops it before anything is copied",
          "[migration][pg]") {
  Site site;
  site.edit_sqlite("CREATE TABLE site_notes (id INTEGER PRIMARY KEY, text TEXT)");
  auto moved = site.migrate();
  CHECK(moved.exit_code == 1);
  CHECK_THAT(moved.err, Catch::Contains("table `site_notes`"));
  CHECK_THAT(moved.err, Catch::Contains("not known to migrate-storage"));
}

TEST_CASE("migrate-storage: a SQLite database at another schema version is refused",
          "[migration][pg]") {
  Site site;
  site.edit_sqlite("PRAGMA user_version = 15");
  auto moved = site.migrate();
  CHECK(moved.exit_code == 1);
  CHECK_THAT(moved.err, Catch::Contains("is at schema version 15"));
}
