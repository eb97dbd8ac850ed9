#pragma once
// FsRoot: the one filesystem root every diagnostics read goes through (`--sysroot DIR`).
// Absolute paths such as "/proc/meminfo" resolve under the root; ".." can never climb above
// it, so a fixture tree stands in for a whole machine and nothing outside it is read.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/util/result.hpp"

namespace triage {

/// Metadata of one path under the root, as lstat/stat report it.
struct FileInfo {
  bool exists = false;
  bool is_directory = false;
  bool is_regular = false;
  bool is_symlink = false;
  std::uint64_t size_bytes = 0;
  std::int64_t mtime_unix_ms = 0;
  std::uint32_t uid = 0;  ///< owner (POSIX uid; 0 where the platform has none)
};

/// A read-only view of a filesystem tree rooted at `root` ("/" for the live machine).
/// Thread-compatible: const methods may be called concurrently.
class FsRoot {
 public:
  /// Default cap for one file read: larger files are refused rather than loaded.
  static constexpr std::size_t kDefaultMaxBytes = 4 * 1024 * 1024;

  /// `root` must be an existing directory for reads to succeed; it is made absolute.
  explicit FsRoot(std::filesystem::path root = "/");

  /// The root directory itself.
  const std::filesystem::path& root() const { return root_; }

  /// True when the root is the live machine's "/" (kernel state is the machine's own).
  bool is_live() const { return live_; }

  /// Maps an absolute path inside the root ("/proc/meminfo") to a host path. Lexically
  /// normalises "." and ".." without ever going above the root; relative input is taken as
  /// relative to the root. Never fails.
  std::filesystem::path resolve(std::string_view path) const;

  /// Reads a whole file, refusing more than `max_bytes`.
  Result<std::string> read(std::string_view path, std::size_t max_bytes = kDefaultMaxBytes) const;

  /// Reads at most `max_bytes` from the start of a file and stops there (never fails for size).
  Result<std::string> read_prefix(std::string_view path, std::size_t max_bytes) const;

  /// Reads a small file and trims surrounding whitespace; nullopt when unreadable. For sysfs
  /// attributes ("/sys/block/sda/size").
  std::optional<std::string> read_attr(std::string_view path, std::size_t max_bytes = 4096) const;

  /// read_attr() parsed as an unsigned decimal integer.
  std::optional<std::uint64_t> read_uint(std::string_view path) const;

  /// Reads a record-oriented device such as /dev/kmsg without blocking: returns what is
  /// available now (up to `max_bytes`), record by record, then stops. Works on regular files.
  Result<std::string> read_available(std::string_view path, std::size_t max_bytes) const;

  /// Entry names of a directory (no "." or ".."), unsorted.
  Result<std::vector<std::string>> list_dir(std::string_view path) const;

  /// Target of a symbolic link, verbatim (may be relative or absolute inside the root).
  Result<std::string> read_link(std::string_view path) const;

  /// lstat() of a path; `exists` is false when it is absent or unreadable.
  FileInfo stat(std::string_view path, bool follow_symlinks = true) const;

  /// Shorthands for stat().
  bool exists(std::string_view path) const { return stat(path).exists; }
  bool is_directory(std::string_view path) const { return stat(path).is_directory; }

 private:
  std::filesystem::path root_;
  bool live_ = false;
};

/// The lexically normalised form of `path` relative to a root: "/a/../../b" -> "b"; "" is the
/// root itself. ".." never climbs above the root.
std::string relative_inside_root(std::string_view path);

/// Joins two path pieces with exactly one "/" between them ("/sys/block" + "sda").
std::string join_path(std::string_view dir, std::string_view name);

}  // namespace triage
