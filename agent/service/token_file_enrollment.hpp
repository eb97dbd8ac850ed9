#pragma once
// Unattended enrollment at the daemon's first start: a package or configuration management
// drops the admin's token into a file (Linux: /etc/triage/enroll.token) and the collector's URL
// and CA fingerprint into the config's [collector] section; `triage-agent run` enrolls with
// them when the state directory holds no enrollment yet, then deletes the token file.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "agent/enroll/enroll.hpp"
#include "agent/state/agent_state.hpp"
#include "shared/util/result.hpp"

namespace triage::agent {

/// Where the token file and the collector to enroll with come from.
struct TokenFileEnrollment {
  /// The file holding the token (surrounding whitespace ignored).
  std::filesystem::path token_file;
  /// wss://HOST:PORT (config `collector.url`).
  std::string server_url;
  /// The collector CA's SHA-256 (config `collector.ca_sha256`).
  std::string ca_sha256;
  /// Sent as information with the CSR.
  std::string hostname;
};

/// Enrolls (the network part), replaceable in tests.
using EnrollFunction = std::function<Result<std::string>(const EnrollOptions&)>;

/// The platform's token file: `enroll.token` beside the packaged config file.
std::filesystem::path default_token_file();

/// When `state` holds no enrollment and `source.token_file` exists: enrolls with its token and
/// deletes the file; returns the new device id. When `state` is already enrolled, a token file
/// left there is deleted unused (a secret not needed stays nowhere) and nullopt returned; with
/// no token file, nullopt. Fails, keeping the file for the next start, when the file is not a
/// regular file owned by this user or is writable by group or others, when the config lacks
/// `collector.url` or `collector.ca_sha256`, or when enrollment fails.
Result<std::optional<std::string>> enroll_from_token_file(
    const StateDir& state, const TokenFileEnrollment& source,
    const EnrollFunction& enroll_with = enroll);

}  // namespace triage::agent
