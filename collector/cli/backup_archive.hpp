#pragma once
// The collector's backup archive (`triage-collector backup` and `restore`): a tar file of the
// data directory's database snapshot, PKI, keys and configuration, led by manifest.json, which
// names each file with its size and SHA-256. Only the files backup_files() lists may be in it.

#include <openssl/evp.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shared/util/result.hpp"

namespace triage::collector {

/// A file a backup may hold: its path in the archive and under the data directory, the mode it
/// is restored with, and whether every backup has it.
struct BackupFileKind {
  std::string_view path;
  unsigned mode;
  bool required;
};

/// The files of a backup, in the order they are archived after manifest.json.
std::span<const BackupFileKind> backup_files();

/// The kind of `path` (an archive entry's name), or nullptr when a backup never holds it.
const BackupFileKind* backup_file_kind(std::string_view path);

/// The manifest's name in the archive.
inline constexpr std::string_view kBackupManifest = "manifest.json";

struct BackupEntry {
  std::string path;
  std::uint64_t bytes = 0;
  std::string sha256;  ///< lower-case hex
};

struct BackupManifest {
  std::string created_at;  ///< RFC 3339, when the database snapshot was taken
  std::string collector_version;
  std::vector<BackupEntry> files;
};

/// manifest.json's text.
std::string manifest_to_json(const BackupManifest& manifest);
/// Reads manifest.json; fails on another format or version, or a file backup_files() lacks.
Result<BackupManifest> manifest_from_json(std::string_view text);

/// SHA-256 over data given in pieces.
class Sha256Stream {
 public:
  Sha256Stream();
  void update(const void* data, std::size_t size);
  /// Lower-case hex of everything given so far; the stream is used up.
  std::string hex();

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

/// The SHA-256 (hex) and size of a file, read in 1 MiB pieces.
Result<BackupEntry> hash_file(const std::filesystem::path& path, std::string archive_path);

}  // namespace triage::collector
