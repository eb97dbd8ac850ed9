#pragma once
// triagectl's side of the REST API: where the credentials live, how they are stored, and one
// HTTPS call with the server's answer treated as untrusted input.

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "shared/transport/http_types.hpp"
#include "shared/util/result.hpp"

namespace triage::ctl {

/// What `triagectl login` keeps in `<config-dir>/credentials.json` (mode 0600).
struct Credentials {
  std::string server;  ///< https://HOST:PORT
  std::string ca_pem;  ///< empty: the system trust store
  std::string token;
  std::string expires_at;
  std::string user;
};

/// `$XDG_CONFIG_HOME/triage`, else `~/.config/triage`.
std::filesystem::path default_config_dir();
std::filesystem::path credentials_path(const std::filesystem::path& config_dir);

/// Reads the credentials; nullopt when there are none. Refuses a file that is not a regular
/// file owned by this user, or that group or others may read or write.
Result<std::optional<Credentials>> load_credentials(const std::filesystem::path& config_dir);
/// Creates the directory (0700) and writes the file atomically with mode 0600.
Result<void> save_credentials(const std::filesystem::path& config_dir, const Credentials& c);
/// True when a file was removed.
Result<bool> delete_credentials(const std::filesystem::path& config_dir);

/// A decoded answer: any HTTP status, with a body that parsed as JSON (null when empty).
struct ApiReply {
  int status = 0;
  nlohmann::json body;
};

/// Where and how to talk to the collector.
struct Endpoint {
  std::string server;  ///< https://HOST:PORT
  std::string ca_pem;  ///< empty: the system trust store
  std::string token;   ///< empty: no Authorization header
};

/// One request. Transport and TLS failures and non-JSON answers are errors; HTTP errors are
/// replies (see api_error).
Result<ApiReply> call(const Endpoint& endpoint, transport::http::verb verb,
                      const std::string& target, const std::optional<nlohmann::json>& body = {});

/// The error of a non-2xx reply: "<message> (HTTP <status>)", kDenied for 401.
Error api_error(const ApiReply& reply);

/// The canonical form of a collector URL the user typed: "https://HOST:PORT" (an error for
/// anything but https).
Result<std::string> normalize_server(const std::string& text);

/// Percent-encodes a query or path component.
std::string url_encode(const std::string& text);

}  // namespace triage::ctl
