#pragma once
// The product's stream for every session: TLS over TCP.

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace triage::transport {

/// The product's stream: TLS over TCP.
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

}  // namespace triage::transport
