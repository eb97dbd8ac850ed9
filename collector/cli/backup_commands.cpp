#include "collector/cli/backup_commands.hpp"

namespace triage::collector {

BackupCommands::BackupCommands(CLI::App& app) {
  backup_ = app.add_subcommand(
      "backup",
      "copy the data directory (database, PKI, keys, configuration) into one 0600 archive, "
      "while the collector serves");
  backup_->add_option("--data", backup_data_, "collector data directory")->required();
  backup_->add_option("--to", backup_args_.to, "the archive to write (must not exist)")->required();
  backup_
      ->add_option("--config", backup_args_.config_file,
                   "the collector's TOML configuration, archived with the data")
      ->check(CLI::ExistingFile);

  restore_ = app.add_subcommand(
      "restore",
      "make a data directory from a backup archive (the directory must be new or empty); "
      "checks every file's SHA-256 and the audit chain");
  restore_->add_option("--from", restore_args_.from, "the archive `backup` wrote")
      ->required()
      ->check(CLI::ExistingFile);
  restore_->add_option("--data", restore_data_, "the data directory to create")->required();
}

std::optional<int> BackupCommands::run() const {
  if (backup_->parsed()) return run_backup(DataDir(backup_data_), backup_args_);
  if (restore_->parsed()) return run_restore(DataDir(restore_data_), restore_args_);
  return std::nullopt;
}

}  // namespace triage::collector
