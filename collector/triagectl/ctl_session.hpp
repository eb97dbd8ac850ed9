#pragma once
// triagectl's global options and the authenticated API call made from them: which server, which
// CA, where the stored session lives, and the stored token sent only to the server it came from.

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "shared/transport/http_types.hpp"
#include "shared/util/result.hpp"

namespace triage::ctl {

/// The options every command takes (before its name).
struct Globals {
  std::string server;      ///< --server ("" = TRIAGE_SERVER, else the stored session's)
  std::string ca_file;     ///< --ca
  std::string config_dir;  ///< --config-dir ("" = default_config_dir())
  bool json_output = false;
};

/// How to log in, for errors that say one is needed.
inline constexpr const char* kLoginHint =
    "run triagectl login --server https://HOST:PORT --ca CA.pem --name NAME";

/// Where credentials are kept: --config-dir, else the default.
std::filesystem::path config_dir(const Globals& g);
/// --server, else TRIAGE_SERVER, normalized; empty when neither is set.
Result<std::string> server_option(const Globals& g);
/// The PEM of --ca `file` (kInvalid when it cannot be read).
Result<std::string> read_ca(const std::string& file);

/// An authenticated call with the stored session; non-2xx answers become errors (a 401 says
/// how to log in).
Result<nlohmann::json> api(const Globals& g, transport::http::verb verb, const std::string& target,
                           const std::optional<nlohmann::json>& body = {});

}  // namespace triage::ctl
