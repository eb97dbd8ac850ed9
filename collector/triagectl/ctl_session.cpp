#include "collector/triagectl/ctl_session.hpp"

#include <cstdlib>

#include "collector/triagectl/ctl_client.hpp"
#include "shared/util/files.hpp"

namespace triage::ctl {

namespace http = transport::http;
using nlohmann::json;

namespace {

/// Server, CA and token for an authenticated call. The stored token is only ever sent to the
/// server it was issued by.
Result<Endpoint> endpoint(const Globals& g) {
  auto stored = load_credentials(config_dir(g));
  if (!stored) return tl::unexpected(stored.error());
  auto server = server_option(g);
  if (!server) return tl::unexpected(server.error());
  Endpoint e;
  e.server = *server;
  if (e.server.empty() && *stored) e.server = (*stored)->server;
  const bool same_server = *stored && (*stored)->server == e.server;
  if (e.server.empty() || !same_server) {
    return fail(ErrorCode::kDenied, std::string("not logged in") +
                                        (e.server.empty() ? "" : " to " + e.server) + "; " +
                                        kLoginHint);
  }
  e.token = (*stored)->token;
  if (!g.ca_file.empty()) {
    auto pem = read_ca(g.ca_file);
    if (!pem) return tl::unexpected(pem.error());
    e.ca_pem = *pem;
  } else {
    e.ca_pem = (*stored)->ca_pem;
  }
  return e;
}

}  // namespace

std::filesystem::path config_dir(const Globals& g) {
  return g.config_dir.empty() ? default_config_dir() : std::filesystem::path(g.config_dir);
}

Result<std::string> server_option(const Globals& g) {
  std::string text = g.server;
  if (const char* env = std::getenv("TRIAGE_SERVER"); text.empty() && env && *env) text = env;
  if (text.empty()) return text;
  return normalize_server(text);
}

Result<std::string> read_ca(const std::string& file) {
  auto pem = triage::read_file(file, 1024 * 1024);
  if (!pem) return fail(ErrorCode::kInvalid, "--ca: " + pem.error().message);
  return *pem;
}

Result<json> api(const Globals& g, http::verb verb, const std::string& target,
                 const std::optional<json>& body) {
  auto e = endpoint(g);
  if (!e) return tl::unexpected(e.error());
  auto reply = call(*e, verb, target, body);
  if (!reply) return tl::unexpected(reply.error());
  if (reply->status < 200 || reply->status > 299) {
    auto error = api_error(*reply);
    if (reply->status == 401) error.message += "; " + std::string(kLoginHint);
    return tl::unexpected(error);
  }
  return reply->body;
}

}  // namespace triage::ctl
