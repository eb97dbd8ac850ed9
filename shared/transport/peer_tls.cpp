#include "shared/transport/peer_tls.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>

#include "shared/pki/certificates.hpp"

namespace triage::transport {

std::string endpoint_text(const boost::asio::ip::tcp::socket& socket,
                          boost::system::error_code& ec) {
  auto ep = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

bool certificate_current(X509* cert, std::time_t now) {
  return X509_cmp_time(X509_get0_notBefore(cert), &now) < 0 &&
         X509_cmp_time(X509_get0_notAfter(cert), &now) > 0;
}

void fill_peer_identity(SSL* ssl, PeerIdentity& peer) {
  peer.tls_session_resumed = SSL_session_reused(ssl) == 1;
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return;
  if (!certificate_current(cert, std::time(nullptr))) return;
  auto cn = pki::certificate_common_name(cert);
  auto fp = pki::certificate_sha256(cert);
  auto validity = pki::certificate_validity(cert);
  if (!cn || !fp || !validity) return;
  peer.certificate_not_before = validity->not_before_unix;
  peer.certificate_not_after = validity->not_after_unix;
  peer.has_verified_certificate = true;
  peer.certificate_common_name = *cn;
  peer.certificate_sha256 = *fp;
}

bool is_quiet_error(const boost::system::error_code& ec) {
  return ec == boost::asio::error::operation_aborted ||
         ec == boost::beast::websocket::error::closed ||
         ec == boost::asio::ssl::error::stream_truncated || ec == boost::asio::error::eof ||
         ec == boost::beast::http::error::end_of_stream;
}

}  // namespace triage::transport
