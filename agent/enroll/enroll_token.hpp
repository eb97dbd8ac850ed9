#pragma once
// Where `triage-agent enroll` takes the enrollment token from. A token on the command line is
// visible to every local user in `ps` and /proc/<pid>/cmdline while enrollment runs, so it can
// also come from a file (`--token-file PATH`) or standard input (`--token -`, `--token-stdin`).

#include <filesystem>
#include <istream>
#include <optional>
#include <string>

#include "shared/util/result.hpp"

namespace triage::agent {

/// The enroll command's token options, as given.
struct TokenSource {
  /// `--token VALUE`; "-" means standard input.
  std::optional<std::string> value;
  /// `--token-file PATH`.
  std::optional<std::filesystem::path> file;
  /// `--token-stdin`.
  bool from_stdin = false;
};

/// The token, with surrounding whitespace (a file's final newline) removed. Fails when no source
/// or more than one is given, or when the token read is empty or longer than 4 KiB.
Result<std::string> read_enrollment_token(const TokenSource& source, std::istream& in);

}  // namespace triage::agent
