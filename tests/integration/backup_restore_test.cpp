// `triage-collector backup` while agents report, and `restore` into an empty directory: every
// report committed (so every one acknowledged) before the backup began is in the restored
// database, its audit chain verifies, and an agent enrolled before the backup reconnects to
// the restored collector with the certificate it has. A damaged archive or a directory in use
// is refused.
#include <archive.h>
#include <archive_entry.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <map>
#include <set>

#include <catch2/catch.hpp>

#include "tests/support/collector_fixture.hpp"

using namespace triage::testing;

namespace {

using ReportKey = std::pair<std::string, std::int64_t>;  // device, seq

std::set<ReportKey> stored_reports(const std::filesystem::path& database) {
  std::set<ReportKey> keys;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + database.string());
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT device_id, seq FROM reports", -1, &stmt, nullptr);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    keys.emplace(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)),
                 sqlite3_column_int64(stmt, 1));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return keys;
}

CommandResult collector_command(const std::vector<std::string>& args,
                                const std::filesystem::path& cwd) {
  std::vector<std::string> argv{binary("triage-collector")};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, cwd, "", std::chrono::seconds(120));
}

/// The archive's entries (name -> bytes), read with libarchive.
std::vector<std::pair<std::string, std::string>> read_archive(const std::filesystem::path& path) {
  std::vector<std::pair<std::string, std::string>> entries;
  archive* a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  REQUIRE(archive_read_open_filename(a, path.c_str(), 1 << 16) == ARCHIVE_OK);
  archive_entry* entry = nullptr;
  while (archive_read_next_header(a, &entry) == ARCHIVE_OK) {
    std::string data;
    char buffer[1 << 16];
    for (la_ssize_t n; (n = archive_read_data(a, buffer, sizeof buffer)) > 0;)
      data.append(buffer, n);
    entries.emplace_back(archive_entry_pathname(entry), std::move(data));
  }
  archive_read_free(a);
  return entries;
}

void write_archive(const std::filesystem::path& path,
                   const std::vector<std::pair<std::string, std::string>>& entries) {
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_add_filter_zstd(a);
  REQUIRE(archive_write_open_filename(a, path.c_str()) == ARCHIVE_OK);
  for (const auto& [name, data] : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, name.c_str());
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0600);
    archive_entry_set_size(entry, static_cast<la_int64_t>(data.size()));
    REQUIRE(archive_write_header(a, entry) == ARCHIVE_OK);
    REQUIRE(archive_write_data(a, data.data(), data.size()) ==
            static_cast<la_ssize_t>(data.size()));
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
}

}  // namespace

TEST_CASE(
    "Backup while agents report: the restore holds every acknowledged report, its audit "
    "verifies and an enrolled agent reconnects",
    "[integration][backup]") {
  CollectorFixture collector;
  AgentFixture agent(collector, "enrolled-before");
  REQUIRE(agent.enroll().exit_code == 0);
  const auto id = agent.device_id();
  agent.start({"--report-interval", "2"});
  REQUIRE(eventually([&] { return device_online(collector, id); }));
  collector.admin_token();  // a user and a login: audit events to verify after the restore

  ChildProcess loadgen(
      {binary("triage-loadgen"), "--server", collector.wss_url(), "--ca",
       (collector.data_dir() / "pki" / "ca.pem").string(), "--token", collector.create_token(100),
       "--identities", (collector.root() / "identities").string(), "--agents", "10", "--threads",
       "1", "--delta-rate", "200", "--duration", "6"},
      collector.root(), "loadgen");
  const auto live_db = collector.data_dir() / "collector.db";
  REQUIRE(
      eventually([&] { return stored_reports(live_db).size() > 200; }, std::chrono::seconds(60)));

  // Everything committed now was acknowledged no earlier than now; it must all be restored.
  const auto committed_before = stored_reports(live_db);
  const auto archive_path = collector.root() / "backup.tar.zst";
  auto backup = collector.cli({"backup", "--to", archive_path.string()});
  INFO(backup.out << backup.err);
  REQUIRE(backup.exit_code == 0);
  struct stat st {};
  REQUIRE(::stat(archive_path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(loadgen.wait_exit(std::chrono::seconds(120)).has_value());
  // The collector went on storing while the backup ran.
  CHECK(stored_reports(live_db).size() > committed_before.size());

  const auto restored = collector.root() / "restored";
  auto restore = collector_command(
      {"restore", "--from", archive_path.string(), "--data", restored.string()}, collector.root());
  INFO(restore.out << restore.err);
  REQUIRE(restore.exit_code == 0);
  CHECK_THAT(restore.out, Catch::Contains("checksums verified"));
  const auto restored_reports = stored_reports(restored / "collector.db");
  std::size_t missing = 0;
  for (const auto& key : committed_before) missing += restored_reports.count(key) == 0 ? 1 : 0;
  CHECK(missing == 0);
  CHECK(collector_command({"audit", "verify", "--data", restored.string()}, collector.root())
            .exit_code == 0);
  CHECK(::stat((restored / "pki" / "ca.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(collector_command({"ca-fingerprint", "--data", restored.string()}, collector.root())
            .out.find(collector.ca_sha256()) != std::string::npos);

  // A directory in use is never restored over.
  auto again = collector_command(
      {"restore", "--from", archive_path.string(), "--data", restored.string()}, collector.root());
  CHECK(again.exit_code == 1);
  CHECK_THAT(again.err, Catch::Contains("is not empty"));

  // The restored collector takes the original's place; the running agent comes back to it
  // with the certificate it was enrolled with.
  collector.stop();
  std::filesystem::rename(collector.data_dir(), collector.root() / "original");
  std::filesystem::rename(restored, collector.data_dir());
  collector.start();
  CHECK(eventually([&] { return device_online(collector, id); }, std::chrono::seconds(60)));
}

TEST_CASE("Restore refuses a damaged archive and leaves nothing behind", "[integration][backup]") {
  CollectorFixture collector;
  const auto archive_path = collector.root() / "backup.tar.zst";
  REQUIRE(collector.cli({"backup", "--to", archive_path.string()}).exit_code == 0);
  // A refused second backup to the same name leaves the first as it was.
  CHECK(collector.cli({"backup", "--to", archive_path.string()}).exit_code == 1);

  auto entries = read_archive(archive_path);
  REQUIRE(entries.front().first == "manifest.json");
  const auto damaged = collector.root() / "damaged.tar.zst";
  for (auto& [name, data] : entries) {
    if (name == "pki/server.pem") data[data.size() / 2] ^= 0x01;
  }
  write_archive(damaged, entries);
  const auto target = collector.root() / "restored";
  auto r = collector_command({"restore", "--from", damaged.string(), "--data", target.string()},
                             collector.root());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("pki/server.pem") && Catch::Contains("damaged"));
  CHECK_FALSE(std::filesystem::exists(target));

  // A name no backup holds is never written.
  entries = read_archive(archive_path);
  entries.emplace_back("../escaped", "x");
  const auto hostile = collector.root() / "hostile.tar.zst";
  write_archive(hostile, entries);
  std::filesystem::create_directory(target);
  r = collector_command({"restore", "--from", hostile.string(), "--data", target.string()},
                        collector.root());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("no backup holds"));
  CHECK(std::filesystem::is_empty(target));
  CHECK_FALSE(std::filesystem::exists(collector.root() / "escaped"));
}
