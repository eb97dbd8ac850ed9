#pragma once
// The configuration every `triage-collector` command reads, and the store it names. `serve`
// and the administration commands (token, user, device, api-token, audit) find the same file
// the same way, so on a PostgreSQL site a revocation or a new user lands in the database the
// nodes serve, never in a SQLite file beside the keys that nobody reads.

#include <filesystem>
#include <string>

#include "collector/server/collector_config.hpp"
#include "collector/server/data_dir.hpp"
#include "collector/storage/open_store.hpp"
#include "collector/storage/store.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

/// A site's configuration and where it came from.
struct SiteConfig {
  CollectorConfig config;
  /// The file it was read from; empty when there is none (the defaults: SQLite in the data
  /// directory).
  std::filesystem::path file;
};

/// `--config FILE` when `config_flag` is not empty; else the data directory's `collector.toml`
/// (DataDir::config_file(), as `node add` writes it) when it exists; else the defaults.
/// Fails as load_collector_config() on a file it cannot read or that holds a mistake.
Result<SiteConfig> load_site_config(const DataDir& dir, const std::string& config_flag);

/// Opens the store `site` names, for `serve` or for a command that writes a little and exits
/// (`use`). Fails for a
/// directory that `init` has not made; for a PostgreSQL store that cannot be reached or used,
/// with a message naming its host, port and database (never its password) and the file that
/// names it. A connection attempt gives up after 10 s unless the url or PGCONNECT_TIMEOUT
/// says otherwise.
Result<StorePtr> open_site_store(const DataDir& dir, const SiteConfig& site,
                                 StoreUse use = StoreUse::kCommand);

/// "host db.example port 5432 database triage user triage": what a libpq connection string or
/// postgres:// URL points at, without its password; "an unreadable url (...)" when libpq
/// cannot parse it.
std::string describe_postgres_target(const std::string& url);

}  // namespace triage::collector
