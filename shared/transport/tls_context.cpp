#include "shared/transport/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "shared/pki/certificates.hpp"
#include "shared/transport/session_ticket_keys.hpp"
#include "shared/transport/tls_session_slot.hpp"

namespace triage::transport {
namespace ssl = boost::asio::ssl;

namespace {

// TLS 1.2 suites: ECDHE key exchange with AEAD only. TLS 1.3 suites are all acceptable.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305";

// Web servers mostly hold RSA certificates: the same suites with RSA authentication too.
constexpr const char* kTls12PublicCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-CHACHA20-POLY1305";

std::string openssl_error() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

Result<SslContextPtr> base_context(ssl::context::method method) {
  auto ctx = std::make_shared<ssl::context>(method);
  SSL_CTX* native = ctx->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    return fail("TLS context: " + openssl_error());
  }
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                   ssl::context::single_dh_use);
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Idle connections give their ~34 KiB of TLS record buffers back: most agents are idle.
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  return ctx;
}

Result<void> add_ca(ssl::context& ctx, const std::string& ca_pem) {
  boost::system::error_code ec;
  ctx.add_certificate_authority(boost::asio::buffer(ca_pem), ec);
  if (ec) return fail("loading CA certificate: " + ec.message());
  return {};
}

Result<void> use_identity(ssl::context& ctx, const std::string& chain_pem,
                          const std::string& key_pem) {
  boost::system::error_code ec;
  ctx.use_certificate_chain(boost::asio::buffer(chain_pem), ec);
  if (ec) return fail("loading certificate: " + ec.message());
  ctx.use_private_key(boost::asio::buffer(key_pem), ssl::context::pem, ec);
  if (ec) return fail("loading private key: " + ec.message());
  if (SSL_CTX_check_private_key(ctx.native_handle()) != 1) {
    return fail("private key does not match the certificate");
  }
  return {};
}

struct PinState {
  std::string pin;
  std::shared_ptr<PinnedCa> learned;
};

// Replaces OpenSSL's chain building: trust exactly the presented CA whose fingerprint is pinned.
int verify_against_pin(X509_STORE_CTX* store_ctx, void* arg) {
  auto* state = static_cast<PinState*>(arg);
  X509* leaf = X509_STORE_CTX_get0_cert(store_ctx);
  STACK_OF(X509)* presented = X509_STORE_CTX_get0_untrusted(store_ctx);
  if (leaf == nullptr || presented == nullptr) {
    X509_STORE_CTX_set_error(store_ctx, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT);
    return 0;
  }
  X509* pinned = nullptr;
  for (int i = 0; i < sk_X509_num(presented); ++i) {
    X509* cert = sk_X509_value(presented, i);
    auto fp = pki::certificate_sha256(cert);
    if (fp && *fp == state->pin && X509_check_ca(cert) > 0) {
      pinned = cert;
      break;
    }
  }
  if (pinned == nullptr) {
    X509_STORE_CTX_set_error(store_ctx, X509_V_ERR_CERT_UNTRUSTED);
    return 0;
  }
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> trust(X509_STORE_new(), X509_STORE_free);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> check(X509_STORE_CTX_new(),
                                                                        X509_STORE_CTX_free);
  if (!trust || !check || X509_STORE_add_cert(trust.get(), pinned) != 1 ||
      X509_STORE_CTX_init(check.get(), trust.get(), leaf, presented) != 1) {
    X509_STORE_CTX_set_error(store_ctx, X509_V_ERR_OUT_OF_MEM);
    return 0;
  }
  // Keep the hostname/IP expectations the connection set (SNI target).
  X509_VERIFY_PARAM_set1(X509_STORE_CTX_get0_param(check.get()),
                         X509_STORE_CTX_get0_param(store_ctx));
  X509_STORE_CTX_set_purpose(check.get(), X509_PURPOSE_SSL_SERVER);
  if (X509_verify_cert(check.get()) != 1) {
    X509_STORE_CTX_set_error(store_ctx, X509_STORE_CTX_get_error(check.get()));
    return 0;
  }
  if (auto pem = pki::certificate_to_pem(pinned)) state->learned->ca_pem = *pem;
  return 1;
}

}  // namespace

Result<SslContextPtr> make_server_tls_context(const ServerTlsConfig& config) {
  auto ctx = base_context(ssl::context::tls_server);
  if (!ctx) return ctx;
  if (auto r = use_identity(**ctx, config.certificate_chain_pem, config.private_key_pem); !r) {
    return fail("server TLS identity", r.error());
  }
  if (auto r = add_ca(**ctx, config.client_ca_pem); !r) return tl::unexpected(r.error());
  SSL_CTX* native = (*ctx)->native_handle();
  // Ask for a client certificate; its absence is decided per endpoint after the handshake.
  SSL_CTX_set_verify(native, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_verify_depth(native, 2);
  static const unsigned char kSessionContext[] = "triage";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
  if (config.session_tickets) {
    config.session_tickets->install(native);
  } else {
    // Without keys that outlive the process, tickets (two per handshake by default) would cost
    // an encryption here and a parse on the client for nothing after a restart.
    SSL_CTX_set_num_tickets(native, 0);
  }
  auto ca = pki::certificate_from_pem(config.client_ca_pem);
  if (!ca) return fail("client CA", ca.error());
  // Advertise only our CA as acceptable issuer of client certificates.
  STACK_OF(X509_NAME)* names = sk_X509_NAME_new_null();
  sk_X509_NAME_push(names, X509_NAME_dup(X509_get_subject_name(ca->get())));
  SSL_CTX_set_client_CA_list(native, names);
  return ctx;
}

Result<SslContextPtr> make_site_server_tls_context(const std::string& certificate_chain_pem,
                                                   const std::string& private_key_pem) {
  auto ctx = base_context(ssl::context::tls_server);
  if (!ctx) return ctx;
  SSL_CTX* native = (*ctx)->native_handle();
  // A site's CA issues RSA certificates as often as ECDSA ones.
  if (SSL_CTX_set_cipher_list(native, kTls12PublicCiphers) != 1) {
    return fail("TLS context: " + openssl_error());
  }
  if (auto r = use_identity(**ctx, certificate_chain_pem, private_key_pem); !r) {
    return fail("site TLS identity", r.error());
  }
  // People authenticate with passwords and tokens: asking for a certificate would only make
  // browsers offer one.
  SSL_CTX_set_verify(native, SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_num_tickets(native, 0);
  return ctx;
}

Result<SslContextPtr> make_client_tls_context(const ClientTlsConfig& config) {
  auto ctx = base_context(ssl::context::tls_client);
  if (!ctx) return ctx;
  if (auto r = add_ca(**ctx, config.ca_pem); !r) return tl::unexpected(r.error());
  (*ctx)->set_verify_mode(ssl::verify_peer);
  TlsSessionSlot::enable_ticket_capture((*ctx)->native_handle());
  if (!config.certificate_pem.empty()) {
    if (auto r = use_identity(**ctx, config.certificate_pem, config.private_key_pem); !r) {
      return fail("client TLS identity", r.error());
    }
  }
  return ctx;
}

Result<SslContextPtr> make_public_client_tls_context(const std::string& extra_ca_pem) {
  auto ctx = base_context(ssl::context::tls_client);
  if (!ctx) return ctx;
  if (SSL_CTX_set_cipher_list((*ctx)->native_handle(), kTls12PublicCiphers) != 1) {
    return fail("TLS context: " + openssl_error());
  }
  boost::system::error_code ec;
  (*ctx)->set_default_verify_paths(ec);
  if (ec) return fail("loading the system trust store: " + ec.message());
  if (!extra_ca_pem.empty()) {
    // add_certificate_authority reads one certificate; a bundle may hold several.
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(extra_ca_pem.data(), static_cast<int>(extra_ca_pem.size())), BIO_free);
    X509_STORE* store = SSL_CTX_get_cert_store((*ctx)->native_handle());
    int added = 0;
    while (bio) {
      std::unique_ptr<X509, decltype(&X509_free)> cert(
          PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
      if (!cert) break;
      if (X509_STORE_add_cert(store, cert.get()) != 1) {
        return fail("adding an extra CA certificate: " + openssl_error());
      }
      ++added;
    }
    ERR_clear_error();  // the end of the bundle reads as an error
    if (added == 0) return fail("no PEM certificate found in the extra CA file");
  }
  (*ctx)->set_verify_mode(ssl::verify_peer);
  return ctx;
}

Result<SslContextPtr> make_pinned_client_tls_context(const std::string& ca_sha256_hex,
                                                     std::shared_ptr<PinnedCa> learned) {
  auto pin = pki::normalize_sha256_hex(ca_sha256_hex);
  if (!pin) return fail("--ca-sha256", pin.error());
  auto ctx = base_context(ssl::context::tls_client);
  if (!ctx) return ctx;
  // The pin state must live exactly as long as the context: keep both in one allocation and
  // hand out an aliasing pointer to the context.
  struct Holder {
    ssl::context context;
    PinState state;
  };
  auto holder =
      std::make_shared<Holder>(Holder{std::move(**ctx), PinState{*pin, std::move(learned)}});
  holder->context.set_verify_mode(ssl::verify_peer);
  SSL_CTX_set_cert_verify_callback(holder->context.native_handle(), verify_against_pin,
                                   &holder->state);
  return SslContextPtr(holder, &holder->context);
}

}  // namespace triage::transport
