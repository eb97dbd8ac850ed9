#pragma once
// Small, careful file helpers: bounded reads and atomic, permission-aware writes.

#include <cstddef>
#include <filesystem>
#include <string>

#include "shared/util/result.hpp"

namespace triage {

/// Reads a whole file, refusing files larger than `max_bytes`.
Result<std::string> read_file(const std::filesystem::path& path,
                              std::size_t max_bytes = 16 * 1024 * 1024);

/// Writes `content` to `path` atomically (temp file + fsync + rename) with `mode` permissions
/// set before any byte is written, so secrets are never briefly world-readable.
Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view content,
                               unsigned mode = 0644);

/// Moves `from` over `to` in one step (rename(2); MoveFileExW with REPLACE_EXISTING on Windows):
/// afterwards `to` is either what it was or what `from` was, never missing or half-written.
Result<void> replace_file(const std::filesystem::path& from, const std::filesystem::path& to);

/// Creates `dir` (and parents) with `mode` if missing; fails if it exists as a non-directory.
Result<void> ensure_directory(const std::filesystem::path& dir, unsigned mode = 0755);

}  // namespace triage
