#pragma once
// HTTP message types shared by the server, the client and the applications on top.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace triage::transport {

namespace http = boost::beast::http;

using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

}  // namespace triage::transport
