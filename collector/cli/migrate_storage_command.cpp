#include "collector/cli/migrate_storage_command.hpp"

#include <iostream>
#include <stdexcept>

#include <fmt/format.h>

#include "collector/audit/audit_verify.hpp"
#include "collector/storage/migration/sqlite_to_postgres.hpp"
#include "shared/pki/keys.hpp"
#include "shared/util/files.hpp"

namespace triage::collector {

int run_migrate_storage(const DataDir& dir, const MigrateStorageArgs& args) {
  if (!dir.initialized()) {
    throw std::runtime_error(dir.root().string() + " is not an initialized data directory");
  }
  auto pem = read_file(dir.signing_public_key());
  if (!pem) throw std::runtime_error("reading the public key: " + pem.error().message);
  auto key = pki::public_key_from_pem(*pem);
  if (!key)
    throw std::runtime_error(dir.signing_public_key().string() + ": " + key.error().message);

  std::cout << "migrate-storage: copying " << dir.database().string() << " into PostgreSQL\n"
            << std::flush;
  std::string audit_summary;
  migration::StorageMigrationOptions options;
  options.include_sessions = args.with_sessions;
  options.progress = [](const std::string& line) { std::cout << line << "\n" << std::flush; };
  // The chain is checked where it will live, before anything commits: a copy that would not
  // verify on PostgreSQL is never written.
  options.before_commit = [&](Store& copied) -> Result<void> {
    auto verified = verify_audit_log(copied, key->get());
    if (!verified) return fail("verifying the copied audit log", verified.error());
    if (!verified->intact) {
      return fail(ErrorCode::kInvalid,
                  "the audit log does not verify (" + verified->message +
                      "); check the source with `triage-collector audit verify --data " +
                      dir.root().string() + "`");
    }
    audit_summary = verified->message;
    return {};
  };

  auto tables = migration::migrate_sqlite_to_postgres(dir.database(), args.to, options);
  if (!tables) {
    std::cerr << "triage-collector: migrate-storage: " << tables.error().message
              << "\nnothing was copied: the PostgreSQL database holds no rows of this run, and "
              << dir.root().string() << " was only read\n";
    return 1;
  }
  std::uint64_t total = 0;
  std::cout << "\n" << fmt::format("{:<22} {:>12}\n", "TABLE", "ROWS");
  for (const auto& t : *tables) {
    std::cout << fmt::format("{:<22} {:>12}\n", t.name,
                             t.skipped ? std::string("not copied") : std::to_string(t.rows));
    total += t.rows;
  }
  std::cout << "\ncopied " << total << " rows in one transaction; on PostgreSQL: " << audit_summary
            << "\nnext: set [storage] backend = \"postgres\" and its url in the collector's "
               "config, then start it (docs/operations.md)\n";
  return 0;
}

}  // namespace triage::collector
