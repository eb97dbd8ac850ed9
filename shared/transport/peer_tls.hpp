#pragma once
// Helpers shared by the server sessions: peer identity from a finished TLS handshake, and
// which errors are part of normal connection life (not worth a log line).

#include <string>

#include <openssl/ssl.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>

#include "shared/transport/peer_identity.hpp"

namespace triage::transport {

/// "ip:port" of the remote end, or "unknown".
std::string endpoint_text(const boost::asio::ip::tcp::socket& socket,
                          boost::system::error_code& ec);

/// Fills the certificate fields of `peer` from a completed handshake on `ssl`.
void fill_peer_identity(SSL* ssl, PeerIdentity& peer);

/// operation_aborted, websocket closed, stream_truncated and EOF: normal endings.
bool is_quiet_error(const boost::system::error_code& ec);

}  // namespace triage::transport
