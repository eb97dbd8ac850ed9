#pragma once
// What a session does with the layers under its stream, whichever the stream: TLS over TCP in
// the product, beast::test::stream in unit tests.

#include <type_traits>

#include <boost/beast/core/error.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace triage::transport {

/// Whether `Stream` is TLS (and so has a handshake and a close_notify of its own).
template <class Stream>
struct IsTlsStream : std::false_type {};
template <class NextLayer>
struct IsTlsStream<boost::beast::ssl_stream<NextLayer>> : std::true_type {};
template <class Stream>
inline constexpr bool kIsTlsStream = IsTlsStream<Stream>::value;

/// Closes the transport under `stream` (the TCP socket, or a test stream); pending operations
/// complete with an error. Never throws.
template <class Stream>
void close_lowest_layer(Stream& stream) {
  auto& lowest = boost::beast::get_lowest_layer(stream);
  if constexpr (requires { lowest.socket(); }) {
    boost::beast::error_code ignored;
    lowest.socket().close(ignored);
  } else {
    lowest.close();
  }
}

/// Turns off the transport's own timeout (the session runs deadlines of its own); a no-op for
/// streams without one.
template <class Stream>
void disarm_lowest_timeout(Stream& stream) {
  auto& lowest = boost::beast::get_lowest_layer(stream);
  if constexpr (requires { lowest.expires_never(); }) lowest.expires_never();
}

}  // namespace triage::transport
