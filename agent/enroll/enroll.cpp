#include "agent/enroll/enroll.hpp"

#include <openssl/x509.h>

#include <nlohmann/json.hpp>

#include "agent/state/private_directory.hpp"
#include "shared/pki/certificates.hpp"
#include "shared/pki/keys.hpp"
#include "shared/pki/openssl_ptr.hpp"
#include "shared/transport/https_client.hpp"
#include "shared/transport/tls_context.hpp"
#include "shared/transport/url.hpp"
#include "shared/util/files.hpp"
#include "shared/util/json_fields.hpp"
#include "shared/util/time_format.hpp"

namespace triage::agent {

namespace http = transport::http;

Result<std::string> enroll(const EnrollOptions& options) {
  if (options.state.enrolled() && !options.force) {
    return fail(
        ErrorCode::kConflict,
        options.state.root().string() + " already holds an enrollment; use --force to replace it");
  }
  auto url = transport::parse_url(options.server_url);
  if (!url) return fail("--server", url.error());
  auto pin = pki::normalize_sha256_hex(options.ca_sha256);
  if (!pin) return fail("--ca-sha256", pin.error());
  if (options.token.empty()) return fail("--token is empty");

  auto key = pki::generate_p256_key();
  if (!key) return fail("generating the device key", key.error());
  auto csr =
      pki::make_csr_pem(key->get(), options.hostname.empty() ? "triage-agent" : options.hostname);
  if (!csr) return fail("creating the CSR", csr.error());

  auto learned = std::make_shared<transport::PinnedCa>();
  auto tls = transport::make_pinned_client_tls_context(*pin, learned);
  if (!tls) return tl::unexpected(tls.error());

  transport::HttpRequest request{http::verb::post, "/api/v1/enroll", 11};
  request.set(http::field::content_type, "application/json");
  request.set(http::field::user_agent, "triage-agent/" TRIAGE_VERSION);
  request.body() =
      nlohmann::json{{"token", options.token}, {"csr", *csr}, {"hostname", options.hostname}}
          .dump();
  auto response = transport::https_request(**tls, url->host, url->port, std::move(request));
  if (!response) {
    return fail("contacting " + url->host + ":" + url->port + " (is the --ca-sha256 right?)",
                response.error());
  }
  auto body = nlohmann::json::parse(response->body(), nullptr, false);
  if (response->result() != http::status::created) {
    std::string message = "HTTP " + std::to_string(response->result_int());
    if (!body.is_discarded() && body.contains("error")) {
      message = string_field(body["error"], "message", message);
    }
    return fail(ErrorCode::kDenied, "the collector refused the enrollment: " + message);
  }
  if (body.is_discarded() || !body.is_object()) return fail("enrollment answer is not JSON");
  const std::string device_id = string_field(body, "device_id");
  const std::string cert_pem = string_field(body, "certificate");
  // Trust only the CA the TLS handshake proved against the pin, not what the body says.
  const std::string& ca_pem = learned->ca_pem;
  auto cert = pki::certificate_from_pem(cert_pem);
  auto ca = pki::certificate_from_pem(ca_pem);
  if (device_id.empty() || !cert || !ca) return fail("enrollment answer is incomplete");
  if (auto r = pki::verify_certificate(cert->get(), ca->get()); !r) {
    return fail("the issued certificate does not chain to the pinned CA", r.error());
  }
  if (X509_check_private_key(cert->get(), key->get()) != 1) {
    return fail("the issued certificate is not for this agent's key");
  }
  auto cn = pki::certificate_common_name(cert->get());
  if (!cn || *cn != device_id) return fail("the issued certificate names another device");
  // Pinned now, from the answer of the collector the CA pin just authenticated; orders are
  // verified against this key only.
  std::string signing_pem;
  if (auto it = body.find("order_signing_key"); it != body.end() && it->is_string()) {
    signing_pem = it->get<std::string>();
  }
  if (!signing_pem.empty()) {
    auto signing = pki::public_key_from_pem(signing_pem);
    if (!signing || EVP_PKEY_is_a(signing->get(), "ED25519") != 1) {
      return fail("the collector's order-signing key is not an Ed25519 public key");
    }
  }

  auto key_pem = pki::private_key_to_pem(key->get());
  if (!key_pem) return tl::unexpected(key_pem.error());
  const auto& state = options.state;
  if (auto r = ensure_private_directory(state.root()); !r) return tl::unexpected(r.error());
  Enrollment record{options.server_url, device_id, *pin,
                    format_rfc3339(std::chrono::system_clock::now())};
  for (auto r : {write_file_atomic(state.device_key(), *key_pem, 0600),
                 write_file_atomic(state.device_certificate(), cert_pem, 0644),
                 write_file_atomic(state.ca_certificate(), ca_pem, 0644)}) {
    if (!r) return tl::unexpected(r.error());
  }
  std::error_code ec;
  std::filesystem::remove(state.order_signing_key(), ec);
  if (!signing_pem.empty()) {
    if (auto r = write_file_atomic(state.order_signing_key(), signing_pem, 0644); !r) {
      return tl::unexpected(r.error());
    }
  }
  // Written last: its presence marks the agent as enrolled.
  if (auto r = save_enrollment(state, record); !r) return tl::unexpected(r.error());
  return device_id;
}

}  // namespace triage::agent
