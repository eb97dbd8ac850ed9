#include "collector/cli/backup_archive.hpp"

#include <array>
#include <fstream>

#include <nlohmann/json.hpp>

namespace triage::collector {

namespace {

constexpr std::string_view kFormat = "triage-collector-backup";
constexpr int kVersion = 1;

constexpr BackupFileKind kFiles[] = {
    {"collector.db", 0600, true},
    {"pki/ca.pem", 0644, true},
    {"pki/ca.key", 0600, true},
    {"pki/server.pem", 0644, true},
    {"pki/server.key", 0600, true},
    {"pki/order-signing.key", 0600, true},
    {"pki/order-signing.pub", 0644, true},
    {"integrations.key", 0600, false},
    {"collector.toml", 0600, false},
};

}  // namespace

std::span<const BackupFileKind> backup_files() { return kFiles; }

const BackupFileKind* backup_file_kind(std::string_view path) {
  for (const auto& kind : kFiles) {
    if (kind.path == path) return &kind;
  }
  return nullptr;
}

std::string manifest_to_json(const BackupManifest& manifest) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : manifest.files) {
    files.push_back({{"path", f.path}, {"bytes", f.bytes}, {"sha256", f.sha256}});
  }
  return nlohmann::json{{"format", kFormat},
                        {"version", kVersion},
                        {"created_at", manifest.created_at},
                        {"collector_version", manifest.collector_version},
                        {"files", files}}
             .dump(2) +
         "\n";
}

Result<BackupManifest> manifest_from_json(std::string_view text) {
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return fail("manifest.json is not a JSON object");
  if (json.value("format", "") != kFormat) {
    return fail("manifest.json: not a triage-collector backup (format `" +
                json.value("format", std::string("?")) + "`)");
  }
  if (json.value("version", 0) != kVersion) {
    return fail("manifest.json: backup format version " + std::to_string(json.value("version", 0)) +
                " is not " + std::to_string(kVersion) + " (made by another collector version)");
  }
  BackupManifest manifest;
  manifest.created_at = json.value("created_at", "");
  manifest.collector_version = json.value("collector_version", "");
  const auto files = json.find("files");
  if (files == json.end() || !files->is_array()) return fail("manifest.json: no `files` list");
  for (const auto& f : *files) {
    if (!f.is_object() || !f.contains("path") || !f["path"].is_string() || !f.contains("sha256") ||
        !f["sha256"].is_string() || !f.contains("bytes") || !f["bytes"].is_number_unsigned()) {
      return fail("manifest.json: a file entry lacks path, bytes or sha256");
    }
    BackupEntry entry{f["path"].get<std::string>(), f["bytes"].get<std::uint64_t>(),
                      f["sha256"].get<std::string>()};
    if (backup_file_kind(entry.path) == nullptr) {
      return fail("manifest.json names `" + entry.path + "`, which no backup holds");
    }
    manifest.files.push_back(std::move(entry));
  }
  return manifest;
}

Sha256Stream::Sha256Stream() : ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
  EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
}

void Sha256Stream::update(const void* data, std::size_t size) {
  EVP_DigestUpdate(ctx_.get(), data, size);
}

std::string Sha256Stream::hex() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx_.get(), digest.data(), &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

Result<BackupEntry> hash_file(const std::filesystem::path& path, std::string archive_path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("reading " + path.string() + ": cannot open it");
  Sha256Stream sha;
  std::vector<char> buffer(1 << 20);
  BackupEntry entry{std::move(archive_path), 0, ""};
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    sha.update(buffer.data(), got);
    entry.bytes += got;
  }
  if (in.bad()) return fail("reading " + path.string() + ": I/O error");
  entry.sha256 = sha.hex();
  return entry;
}

}  // namespace triage::collector
