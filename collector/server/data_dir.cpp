#include "collector/server/data_dir.hpp"

#include "collector/storage/open_store.hpp"
#include "shared/pki/certificates.hpp"
#include "shared/pki/keys.hpp"
#include "shared/util/files.hpp"

namespace triage::collector {

namespace {
constexpr auto kCaValidity = std::chrono::hours(24 * 365 * 10);
constexpr auto kServerValidity = std::chrono::hours(24 * 397);
}  // namespace

bool DataDir::initialized() const {
  std::error_code ec;
  return std::filesystem::exists(ca_certificate(), ec);
}

Result<ServerCredentials> issue_server_credentials(X509* ca, EVP_PKEY* ca_key,
                                                   std::string_view common_name,
                                                   const InitOptions& names) {
  auto key = pki::generate_p256_key();
  if (!key) return fail("server key", key.error());
  std::vector<std::string> dns = {"localhost"};
  for (const auto& name : names.dns_names) {
    if (name != "localhost") dns.push_back(name);
  }
  std::vector<std::string> ips = {"127.0.0.1", "::1"};
  ips.insert(ips.end(), names.ip_addresses.begin(), names.ip_addresses.end());
  auto certificate =
      pki::issue_server_certificate(ca, ca_key, key->get(), common_name, dns, ips, kServerValidity);
  if (!certificate) return fail("server certificate", certificate.error());
  auto certificate_pem = pki::certificate_to_pem(certificate->get());
  if (!certificate_pem) return fail("encoding the server certificate", certificate_pem.error());
  auto key_pem = pki::private_key_to_pem(key->get());
  if (!key_pem) return fail("encoding the server key", key_pem.error());
  return ServerCredentials{std::move(*certificate_pem), std::move(*key_pem)};
}

Result<std::string> initialize_data_dir(const DataDir& dir, const InitOptions& options) {
  if (dir.initialized()) {
    return fail(ErrorCode::kConflict, "data directory " + dir.root().string() +
                                          " is already initialized (found " +
                                          dir.ca_certificate().string() + "); nothing changed");
  }
  if (auto r = ensure_directory(dir.root(), 0700); !r) return tl::unexpected(r.error());
  if (auto r = ensure_directory(dir.root() / "pki", 0700); !r) return tl::unexpected(r.error());

  auto ca_key = pki::generate_p256_key();
  if (!ca_key) return fail("CA key", ca_key.error());
  auto ca = pki::make_ca_certificate(ca_key->get(), "triage collector CA", kCaValidity);
  if (!ca) return fail("CA certificate", ca.error());

  auto server = issue_server_credentials(ca->get(), ca_key->get(), "localhost", options);
  if (!server) return tl::unexpected(server.error());

  auto signing = pki::generate_ed25519_key();
  if (!signing) return fail("order-signing key", signing.error());

  struct Output {
    std::filesystem::path path;
    Result<std::string> pem;
    unsigned mode;
  };
  Output outputs[] = {
      {dir.ca_key(), pki::private_key_to_pem(ca_key->get()), 0600},
      {dir.server_key(), server->key_pem, 0600},
      {dir.signing_key(), pki::private_key_to_pem(signing->get()), 0600},
      {dir.signing_public_key(), pki::public_key_to_pem(signing->get()), 0644},
      {dir.server_certificate(), server->certificate_pem, 0644},
      // Written last: its presence marks the directory as initialized.
      {dir.ca_certificate(), pki::certificate_to_pem(ca->get()), 0644},
  };
  for (auto& out : outputs) {
    if (!out.pem) return fail("encoding " + out.path.string(), out.pem.error());
    if (auto r = write_file_atomic(out.path, *out.pem, out.mode); !r) {
      return tl::unexpected(r.error());
    }
  }
  auto store = open_store(StorageConfig{}, dir.database().string(), StoreUse::kCommand);
  if (!store) return tl::unexpected(store.error());
  return pki::certificate_sha256(ca->get());
}

Result<std::string> ca_fingerprint(const DataDir& dir) {
  auto pem = read_file(dir.ca_certificate());
  if (!pem)
    return fail("reading the CA certificate (is the data directory initialized?)", pem.error());
  auto cert = pki::certificate_from_pem(*pem);
  if (!cert) return fail(dir.ca_certificate().string(), cert.error());
  return pki::certificate_sha256(cert->get());
}

Result<CollectorKeys> load_keys(const DataDir& dir) {
  CollectorKeys keys;
  auto ca_pem = read_file(dir.ca_certificate());
  auto ca_key_pem = read_file(dir.ca_key());
  auto server_pem = read_file(dir.server_certificate());
  auto server_key_pem = read_file(dir.server_key());
  auto signing_pem = read_file(dir.signing_key());
  for (auto* r : {&ca_pem, &ca_key_pem, &server_pem, &server_key_pem, &signing_pem}) {
    if (!*r) {
      return fail("loading keys from " + dir.root().string() +
                      " (run `triage-collector init --data DIR` first)",
                  r->error());
    }
  }
  auto ca = pki::certificate_from_pem(*ca_pem);
  if (!ca) return fail(dir.ca_certificate().string(), ca.error());
  auto ca_key = pki::private_key_from_pem(*ca_key_pem);
  if (!ca_key) return fail(dir.ca_key().string(), ca_key.error());
  auto signing = pki::private_key_from_pem(*signing_pem);
  if (!signing) return fail(dir.signing_key().string(), signing.error());
  keys.ca_pem = *ca_pem;
  keys.ca_certificate = std::move(*ca);
  keys.ca_key = std::move(*ca_key);
  keys.server_chain_pem = *server_pem + *ca_pem;
  keys.server_key_pem = *server_key_pem;
  keys.signing_key = std::move(*signing);
  return keys;
}

}  // namespace triage::collector
