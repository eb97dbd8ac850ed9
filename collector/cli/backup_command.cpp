#include "collector/cli/backup_command.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>

#include <fmt/format.h>

#include "collector/cli/backup_archive.hpp"
#include "collector/server/collector_config.hpp"
#include "shared/sqlite/database.hpp"
#include "shared/util/time_format.hpp"

namespace triage::collector {

namespace {

/// Removes a file when it goes out of scope unless released.
class FileGuard {
 public:
  explicit FileGuard(std::filesystem::path path) : path_(std::move(path)) {}
  ~FileGuard() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  void release() { path_.clear(); }

 private:
  std::filesystem::path path_;
};

// One read transaction over the live database (sqlite3_backup_step with -1): a consistent
// snapshot while the collector's writer goes on committing in WAL mode.
Result<void> snapshot_database(const std::filesystem::path& source,
                               const std::filesystem::path& target) {
  auto from = sqlite::Database::open(source);
  if (!from) return fail("opening " + source.string(), from.error());
  {
    auto to = sqlite::Database::open(target);
    if (!to) return fail("creating " + target.string(), to.error());
    sqlite3_backup* backup =
        sqlite3_backup_init((*to)->handle(), "main", (*from)->handle(), "main");
    if (backup == nullptr) {
      return fail(std::string("starting the database backup: ") + sqlite3_errmsg((*to)->handle()));
    }
    int rc = SQLITE_OK;
    do {
      rc = sqlite3_backup_step(backup, -1);
      if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(50);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) {
      return fail(std::string("copying the database: ") + sqlite3_errstr(rc));
    }
    // Everything in the one file: the copy carries no -wal beside it into the archive.
    if (auto r = (*to)->exec("PRAGMA wal_checkpoint(TRUNCATE)"); !r) {
      return fail("folding the copy's write-ahead log", r.error());
    }
  }
  std::error_code ec;
  std::filesystem::remove(target.string() + "-wal", ec);
  std::filesystem::remove(target.string() + "-shm", ec);
  return {};
}

using ArchivePtr = std::unique_ptr<archive, decltype(&archive_write_free)>;

Result<void> write_entry(archive* a, const std::string& name, std::uint64_t size,
                         const std::function<Result<void>()>& body) {
  std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(),
                                                                      &archive_entry_free);
  archive_entry_set_pathname(entry.get(), name.c_str());
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  archive_entry_set_perm(entry.get(), 0600);
  archive_entry_set_size(entry.get(), static_cast<la_int64_t>(size));
  archive_entry_set_mtime(entry.get(), ::time(nullptr), 0);
  if (archive_write_header(a, entry.get()) != ARCHIVE_OK) {
    return fail("archiving " + name + ": " + archive_error_string(a));
  }
  return body();
}

Result<void> write_file_entry(archive* a, const std::filesystem::path& source,
                              const BackupEntry& expected) {
  return write_entry(a, expected.path, expected.bytes, [&]() -> Result<void> {
    std::ifstream in(source, std::ios::binary);
    if (!in) return fail("reading " + source.string());
    std::vector<char> buffer(1 << 20);
    std::uint64_t written = 0;
    Sha256Stream sha;
    while (in && written < expected.bytes) {
      in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      const auto got = static_cast<std::size_t>(in.gcount());
      sha.update(buffer.data(), got);
      if (archive_write_data(a, buffer.data(), got) < 0) {
        return fail("archiving " + expected.path + ": " + archive_error_string(a));
      }
      written += got;
    }
    // A file that changed between hashing and archiving would not match its manifest line.
    if (written != expected.bytes || sha.hex() != expected.sha256) {
      return fail(source.string() + " changed while it was archived; run the backup again");
    }
    return {};
  });
}

}  // namespace

int run_backup(const DataDir& dir, const BackupArgs& args) {
  auto failed = [](const std::string& message) {
    std::cerr << "triage-collector: backup: " << message << "\n";
    return 1;
  };
  if (!dir.initialized()) {
    return failed(dir.root().string() + " is not an initialized data directory");
  }
  std::filesystem::path config = args.config_file;
  if (config.empty() && std::filesystem::exists(dir.config_file())) config = dir.config_file();
  if (!config.empty()) {
    auto loaded = load_collector_config(config);
    if (!loaded) return failed(loaded.error().message);
    if (loaded->storage.backend != "sqlite") {
      return failed("the store is PostgreSQL (" + config.string() +
                    "): back its database up with pg_dump (docs/operations.md#backup-and-restore); "
                    "this command copies the embedded SQLite store");
    }
  }
  std::error_code ec;
  if (std::filesystem::exists(args.to, ec)) {
    return failed(args.to.string() + " exists; give the backup a new name");
  }
  const auto started = std::chrono::steady_clock::now();
  const auto created_at = format_rfc3339(std::chrono::system_clock::now());
  const auto parent = args.to.has_parent_path() ? args.to.parent_path() : ".";
  const auto name = args.to.filename().string();
  const auto snapshot = parent / ("." + name + ".db.partial");
  const auto partial = parent / ("." + name + ".partial");
  FileGuard snapshot_guard(snapshot), partial_guard(partial);
  // Key material and the database never sit readable by others, not even half written.
  const auto old_umask = ::umask(077);
  struct RestoreUmask {
    mode_t mask;
    ~RestoreUmask() { ::umask(mask); }
  } restore_umask{old_umask};

  if (auto r = snapshot_database(dir.database(), snapshot); !r) return failed(r.error().message);

  BackupManifest manifest;
  manifest.created_at = created_at;
  manifest.collector_version = TRIAGE_VERSION;
  std::vector<std::filesystem::path> sources;
  for (const auto& kind : backup_files()) {
    std::filesystem::path source = kind.path == "collector.db"     ? snapshot
                                   : kind.path == "collector.toml" ? config
                                                                   : dir.root() / kind.path;
    if (source.empty() || !std::filesystem::exists(source, ec)) {
      if (kind.required) return failed(source.string() + " is missing");
      continue;
    }
    auto entry = hash_file(source, std::string(kind.path));
    if (!entry) return failed(entry.error().message);
    manifest.files.push_back(std::move(*entry));
    sources.push_back(source);
  }

  const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return failed("creating " + partial.string() + ": " + std::strerror(errno));
  ArchivePtr a(archive_write_new(), &archive_write_free);
  if (archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK ||
      archive_write_add_filter_zstd(a.get()) != ARCHIVE_OK ||
      archive_write_open_fd(a.get(), fd) != ARCHIVE_OK) {
    ::close(fd);
    return failed(std::string("starting the archive: ") + archive_error_string(a.get()));
  }
  const auto manifest_text = manifest_to_json(manifest);
  auto wrote = write_entry(
      a.get(), std::string(kBackupManifest), manifest_text.size(), [&]() -> Result<void> {
        if (archive_write_data(a.get(), manifest_text.data(), manifest_text.size()) < 0) {
          return fail(std::string("archiving the manifest: ") + archive_error_string(a.get()));
        }
        return {};
      });
  for (std::size_t i = 0; wrote && i < sources.size(); ++i) {
    wrote = write_file_entry(a.get(), sources[i], manifest.files[i]);
  }
  const bool closed = archive_write_close(a.get()) == ARCHIVE_OK;
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!wrote) return failed(wrote.error().message);
  if (!closed || !synced) return failed("writing " + partial.string() + " failed");
  std::filesystem::rename(partial, args.to, ec);
  if (ec)
    return failed("renaming " + partial.string() + " to " + args.to.string() + ": " + ec.message());
  partial_guard.release();

  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
  std::uint64_t database_bytes = manifest.files.front().bytes;
  std::cout << "backup " << args.to.string() << ": " << manifest.files.size() << " files, database "
            << database_bytes << " bytes as of " << created_at << ", archive "
            << std::filesystem::file_size(args.to, ec) << " bytes (0600), "
            << fmt::format("{:.1f}", seconds.count()) << " s\n";
  return 0;
}

}  // namespace triage::collector
