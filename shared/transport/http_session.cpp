// The HTTP session template instantiated once for the product's stream (TLS over TCP).
#include "shared/transport/http_session.hpp"

#include <boost/beast/ssl.hpp>

#include "shared/transport/http_session_impl.hpp"

namespace triage::transport {

template class HttpSession<TlsStream>;

}  // namespace triage::transport
