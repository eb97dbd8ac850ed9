#pragma once
// The log bundle's archive, the same on every platform: a gzip-compressed tar of named files
// under "triage-logs/", written in memory and abandoned as soon as it would exceed its cap (the
// order's output cap), so the caller can leave something out and try again. libarchive writes
// it (the Linux package; on Windows the static build of installers/windows/build-deps.sh).

#include <cstddef>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/util/result.hpp"

namespace triage::agent {

/// One file of the archive: bytes in memory, or a file on disk read while the archive is written
/// (an exported event log may be tens of MiB, more than is worth holding in memory).
struct BundleFile {
  /// Its path inside the archive, below "triage-logs/".
  std::string name;
  /// The bytes, when `path` is empty; they must outlive the call.
  std::string_view content;
  /// A regular file to copy, when not empty; its size is read when the archive is written.
  std::filesystem::path path;
};

/// The tar.gz of `files` (mode 0644, modified at `mtime`), or nullopt when it would exceed
/// `limit` bytes. Fails when libarchive fails or a file on disk cannot be read whole.
Result<std::optional<std::string>> write_capped_tar_gz(const std::vector<BundleFile>& files,
                                                       std::time_t mtime, std::size_t limit);

/// The names and sizes of the files in the agent's state directory, never their content (it
/// holds the agent's private key); an empty object when it cannot be listed.
nlohmann::json state_file_sizes(const std::filesystem::path& state_dir);

}  // namespace triage::agent
