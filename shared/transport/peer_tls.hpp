#pragma once
// Helpers shared by the server sessions: peer identity from a finished TLS handshake, and
// which errors are part of normal connection life (not worth a log line).

#include <ctime>
#include <string>

#include <openssl/ssl.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>

#include "shared/transport/peer_identity.hpp"

namespace triage::transport {

/// "ip:port" of the remote end, or "unknown".
std::string endpoint_text(const boost::asio::ip::tcp::socket& socket,
                          boost::system::error_code& ec);

/// Fills the certificate fields of `peer` from a completed handshake on `ssl`. A certificate
/// counts as verified only while it is within its validity dates now: a resumed session
/// carries the verification of a handshake up to a ticket's lifetime ago.
void fill_peer_identity(SSL* ssl, PeerIdentity& peer);

/// Whether `now` lies within `cert`'s notBefore and notAfter.
bool certificate_current(X509* cert, std::time_t now);

/// operation_aborted, websocket closed, stream_truncated and EOF: normal endings.
bool is_quiet_error(const boost::system::error_code& ec);

}  // namespace triage::transport
