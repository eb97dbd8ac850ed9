#include "collector/cli/restore_command.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <map>

#include "collector/audit/audit_verify.hpp"
#include "collector/cli/backup_archive.hpp"
#include "collector/storage/open_store.hpp"
#include "shared/pki/keys.hpp"
#include "shared/util/files.hpp"

namespace triage::collector {

namespace {

constexpr std::size_t kMaxManifestBytes = 1 << 20;

using ReadArchivePtr = std::unique_ptr<archive, decltype(&archive_read_free)>;

struct Extracted {
  std::string manifest_text;
  std::map<std::string, BackupEntry> files;  // archive path -> what was read
};

// Writes one entry's data to `target`, hashing it on the way.
Result<BackupEntry> extract_entry(archive* a, const std::string& path,
                                  const std::filesystem::path& target) {
  std::ofstream out(target, std::ios::binary | std::ios::trunc);
  if (!out) return fail("writing " + target.string());
  ::chmod(target.c_str(), 0600);
  Sha256Stream sha;
  BackupEntry entry{path, 0, ""};
  std::vector<char> buffer(1 << 20);
  for (;;) {
    const auto got = archive_read_data(a, buffer.data(), buffer.size());
    if (got < 0) return fail("reading " + path + " from the archive: " + archive_error_string(a));
    if (got == 0) break;
    sha.update(buffer.data(), static_cast<std::size_t>(got));
    out.write(buffer.data(), got);
    entry.bytes += static_cast<std::uint64_t>(got);
  }
  out.flush();
  if (!out) return fail("writing " + target.string());
  entry.sha256 = sha.hex();
  return entry;
}

Result<Extracted> extract_to(const std::filesystem::path& archive_path,
                             const std::filesystem::path& staging) {
  ReadArchivePtr a(archive_read_new(), &archive_read_free);
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), archive_path.c_str(), 1 << 20) != ARCHIVE_OK) {
    return fail("opening " + archive_path.string() + ": " + archive_error_string(a.get()));
  }
  Extracted extracted;
  bool have_manifest = false;
  archive_entry* entry = nullptr;
  for (;;) {
    const int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK) {
      return fail("reading " + archive_path.string() + ": " + archive_error_string(a.get()));
    }
    const std::string path = archive_entry_pathname(entry);
    if (archive_entry_filetype(entry) != AE_IFREG) {
      return fail("the archive holds `" + path + "`, which is not a regular file");
    }
    if (path == kBackupManifest) {
      if (have_manifest) return fail("the archive holds two manifests");
      have_manifest = true;
      std::vector<char> buffer(64 * 1024);
      for (;;) {
        const auto got = archive_read_data(a.get(), buffer.data(), buffer.size());
        if (got < 0)
          return fail(std::string("reading the manifest: ") + archive_error_string(a.get()));
        if (got == 0) break;
        extracted.manifest_text.append(buffer.data(), static_cast<std::size_t>(got));
        if (extracted.manifest_text.size() > kMaxManifestBytes) {
          return fail("the archive's manifest is over 1 MiB");
        }
      }
      continue;
    }
    // Only the names a backup holds: nothing else (`../x`, `/etc/...`) is ever written.
    const auto* kind = backup_file_kind(path);
    if (kind == nullptr) return fail("the archive holds `" + path + "`, which no backup holds");
    if (extracted.files.count(path) != 0) return fail("the archive holds `" + path + "` twice");
    const auto target = staging / path;
    if (auto r = ensure_directory(target.parent_path(), 0700); !r) return tl::unexpected(r.error());
    auto read = extract_entry(a.get(), path, target);
    if (!read) return tl::unexpected(read.error());
    extracted.files.emplace(path, std::move(*read));
  }
  if (!have_manifest) return fail(archive_path.string() + " holds no manifest.json");
  return extracted;
}

// Every file as the manifest says, and nothing the manifest does not list.
Result<BackupManifest> check_against_manifest(const Extracted& extracted) {
  auto manifest = manifest_from_json(extracted.manifest_text);
  if (!manifest) return tl::unexpected(manifest.error());
  std::map<std::string, const BackupEntry*> listed;
  for (const auto& f : manifest->files) listed[f.path] = &f;
  for (const auto& kind : backup_files()) {
    if (kind.required && listed.count(std::string(kind.path)) == 0) {
      return fail("the manifest lacks " + std::string(kind.path));
    }
  }
  for (const auto& [path, expected] : listed) {
    auto it = extracted.files.find(path);
    if (it == extracted.files.end())
      return fail("the archive lacks " + path + " (in the manifest)");
    if (it->second.bytes != expected->bytes || it->second.sha256 != expected->sha256) {
      return fail(path + ": SHA-256 " + it->second.sha256 + " (" +
                  std::to_string(it->second.bytes) + " bytes) is not the manifest's " +
                  expected->sha256 + " (" + std::to_string(expected->bytes) +
                  " bytes): the archive is damaged");
    }
  }
  for (const auto& file : extracted.files) {
    if (listed.count(file.first) == 0) {
      return fail("the archive holds " + file.first + ", not in the manifest");
    }
  }
  return manifest;
}

bool empty_or_absent(const std::filesystem::path& dir, bool& exists) {
  std::error_code ec;
  exists = std::filesystem::exists(dir, ec);
  if (!exists) return true;
  return std::filesystem::is_directory(dir, ec) && std::filesystem::is_empty(dir, ec);
}

}  // namespace

int run_restore(const DataDir& dir, const RestoreArgs& args) {
  auto failed = [](const std::string& message) {
    std::cerr << "triage-collector: restore: " << message << "\n";
    return 1;
  };
  bool existed = false;
  if (!empty_or_absent(dir.root(), existed)) {
    return failed(dir.root().string() +
                  " is not empty: restore only into a new or empty directory (nothing changed)");
  }
  if (auto r = ensure_directory(dir.root(), 0700); !r) return failed(r.error().message);
  ::chmod(dir.root().c_str(), 0700);
  const auto staging = dir.root() / ".restore-partial";
  // On any failure the directory is left as it was found: empty, or not there.
  auto undo = [&] {
    std::error_code ec;
    if (existed) {
      for (const auto& child : std::filesystem::directory_iterator(dir.root(), ec)) {
        std::filesystem::remove_all(child.path(), ec);
      }
    } else {
      std::filesystem::remove_all(dir.root(), ec);
    }
  };
  if (auto r = ensure_directory(staging, 0700); !r) {
    undo();
    return failed(r.error().message);
  }
  auto extracted = extract_to(args.from, staging);
  if (!extracted) {
    undo();
    return failed(extracted.error().message);
  }
  auto manifest = check_against_manifest(*extracted);
  if (!manifest) {
    undo();
    return failed(manifest.error().message);
  }
  for (const auto& f : manifest->files) {
    const auto* kind = backup_file_kind(f.path);
    const auto target = dir.root() / f.path;
    std::error_code ec;
    if (auto r = ensure_directory(target.parent_path(), 0700); !r) {
      undo();
      return failed(r.error().message);
    }
    std::filesystem::rename(staging / f.path, target, ec);
    if (ec || ::chmod(target.c_str(), kind->mode) != 0) {
      undo();
      return failed("moving " + f.path + " into place: " + ec.message());
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(staging, ec);

  // The schema migrates here when the backup is older than this collector.
  auto store = open_store(StorageConfig{}, dir.database().string(), StoreUse::kCommand);
  if (!store) return failed("opening the restored database: " + store.error().message);
  auto pem = read_file(dir.signing_public_key());
  if (!pem) return failed("reading the order-signing public key: " + pem.error().message);
  auto key = pki::public_key_from_pem(*pem);
  if (!key) return failed(dir.signing_public_key().string() + ": " + key.error().message);
  auto audit = verify_audit_log(**store, key->get());
  if (!audit) return failed("audit verify: " + audit.error().message);
  std::cout << "restored " << args.from.string() << " (taken " << manifest->created_at
            << " by collector " << manifest->collector_version << ") into " << dir.root().string()
            << ": " << manifest->files.size() << " files, checksums verified\n";
  if (!audit->intact) {
    std::cerr << "triage-collector: restore: audit log BROKEN at seq "
              << audit->first_bad_seq.value_or(0) << ": " << audit->message << "\n";
    return 2;
  }
  std::cout << "audit verify: " << audit->message << "\n";
  return 0;
}

}  // namespace triage::collector
