#pragma once
// `triage-agent collect [--json] [--only CATEGORY,...] [--sysroot DIR]`: one snapshot printed
// locally, without any server.

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace triage::agent {

/// Options of the collect command, as parsed by the CLI.
struct CollectCommandOptions {
  bool json = false;
  /// Category names; empty = all. Unknown names are an error listing the valid ones.
  std::vector<std::string> only;
  std::filesystem::path sysroot = "/";
};

/// Takes one snapshot and prints it (human summary, or protobuf's JSON mapping with `json`).
/// Returns the process exit code: 0 even when some collectors failed (they are in the output),
/// 2 for invalid options (message on `err`).
int run_collect_command(const CollectCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace triage::agent
