#pragma once
// The collector's data directory: PKI, order-signing key, database. Created by `init`.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "shared/pki/openssl_ptr.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

class DataDir {
 public:
  explicit DataDir(std::filesystem::path root) : root_(std::move(root)) {}

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path ca_certificate() const { return root_ / "pki" / "ca.pem"; }
  std::filesystem::path ca_key() const { return root_ / "pki" / "ca.key"; }
  std::filesystem::path server_certificate() const { return root_ / "pki" / "server.pem"; }
  std::filesystem::path server_key() const { return root_ / "pki" / "server.key"; }
  std::filesystem::path signing_key() const { return root_ / "pki" / "order-signing.key"; }
  std::filesystem::path signing_public_key() const { return root_ / "pki" / "order-signing.pub"; }
  /// Keys sealing TLS session tickets (transport::SessionTicketKeys); 0600, secret.
  std::filesystem::path session_ticket_keys() const {
    return root_ / "pki" / "session-ticket-keys.json";
  }
  std::filesystem::path database() const { return root_ / "collector.db"; }
  /// AES-256 key sealing integration credentials (webhook secrets, RT passwords); 0600.
  std::filesystem::path integrations_key() const { return root_ / "integrations.key"; }
  /// The node's configuration as `node add` writes it (`serve --config` reads it); 0600.
  std::filesystem::path config_file() const { return root_ / "collector.toml"; }

  bool initialized() const;

 private:
  std::filesystem::path root_;
};

struct InitOptions {
  /// Names the server certificate is valid for, besides localhost and 127.0.0.1.
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
};

/// A server key and its certificate, PEM.
struct ServerCredentials {
  std::string certificate_pem;
  std::string key_pem;
};

/// A new P-256 server key and a certificate for it signed by the CA: subject CN
/// `common_name`, valid for localhost, 127.0.0.1, ::1 and the names of `names`.
Result<ServerCredentials> issue_server_credentials(X509* ca, EVP_PKEY* ca_key,
                                                   std::string_view common_name,
                                                   const InitOptions& names);

/// Creates the directory (0700), a P-256 CA, a server certificate, the Ed25519 order-signing
/// key and the database. Refuses to touch an initialized directory. Returns the CA SHA-256.
Result<std::string> initialize_data_dir(const DataDir& dir, const InitOptions& options);

/// The CA certificate's SHA-256 (hex), as agents pin it.
Result<std::string> ca_fingerprint(const DataDir& dir);

/// Key material loaded for serving.
struct CollectorKeys {
  std::string ca_pem;
  pki::X509Ptr ca_certificate;
  pki::PKeyPtr ca_key;
  std::string server_chain_pem;  ///< server certificate + CA
  std::string server_key_pem;
  pki::PKeyPtr signing_key;
};

Result<CollectorKeys> load_keys(const DataDir& dir);

}  // namespace triage::collector
