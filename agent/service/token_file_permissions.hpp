#pragma once
// Whether the enrollment token file may be trusted by the daemon: the platform's own notion of
// "only this account can have written it" (POSIX: agent/service/posix/token_file_permissions.cpp).

#include <filesystem>

#include "shared/util/result.hpp"

namespace triage::agent {

/// Succeeds when `path` is a regular file (not a link) that only the daemon's own account could
/// have written; otherwise says what is wrong and how to fix it.
Result<void> check_token_file_permissions(const std::filesystem::path& path);

}  // namespace triage::agent
