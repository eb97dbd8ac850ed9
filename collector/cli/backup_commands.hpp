#pragma once
// `triage-collector backup` and `restore` on the collector's command line (registered by main
// with one line; their work is in backup_command.hpp and restore_command.hpp).

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "collector/cli/backup_command.hpp"
#include "collector/cli/restore_command.hpp"

namespace triage::collector {

class BackupCommands {
 public:
  /// Adds both subcommands to `app`.
  explicit BackupCommands(CLI::App& app);

  /// The exit code of the one that was given, or nullopt when neither was.
  std::optional<int> run() const;

 private:
  CLI::App* backup_ = nullptr;
  CLI::App* restore_ = nullptr;
  std::string backup_data_;
  BackupArgs backup_args_;
  std::string restore_data_;
  RestoreArgs restore_args_;
};

}  // namespace triage::collector
