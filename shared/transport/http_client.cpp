#include "shared/transport/http_client.hpp"
#include "shared/util/close_on_exec.hpp"

#include <algorithm>
#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace triage::transport {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

class PlainOneShot : public std::enable_shared_from_this<PlainOneShot> {
 public:
  PlainOneShot(net::io_context& ioc, std::string host, HttpRequest request,
               const HttpsRequestOptions& options)
      : resolver_(ioc),
        stream_(ioc),
        host_(std::move(host)),
        request_(std::move(request)),
        options_(options),
        deadline_(std::chrono::steady_clock::now() + options.timeout),
        connect_deadline_(
            options.connect_timeout.count() > 0
                ? std::min(deadline_, std::chrono::steady_clock::now() + options.connect_timeout)
                : deadline_) {}

  void run(const std::string& port) {
    resolver_.async_resolve(
        host_, port, beast::bind_front_handler(&PlainOneShot::on_resolve, shared_from_this()));
  }

  Result<HttpResponse> result() {
    if (error_) return fail(*error_);
    return parser_.release();
  }

 private:
  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return fail_with("resolve " + host_, ec);
    stream_.expires_at(connect_deadline_);
    stream_.async_connect(results,
                          beast::bind_front_handler(&PlainOneShot::on_connect, shared_from_this()));
  }

  void on_connect(beast::error_code ec, tcp::endpoint) {
    if (ec) return fail_with("connect to " + host_, ec);
    set_close_on_exec(stream_.socket().native_handle());
    if (request_.find(http::field::host) == request_.end()) request_.set(http::field::host, host_);
    request_.prepare_payload();
    stream_.expires_at(deadline_);
    http::async_write(stream_, request_,
                      beast::bind_front_handler(&PlainOneShot::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return fail_with("send request", ec);
    parser_.body_limit(options_.max_response_bytes);
    stream_.expires_at(deadline_);
    http::async_read(stream_, buffer_, parser_,
                     beast::bind_front_handler(&PlainOneShot::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::body_limit && options_.truncate_oversized_body &&
        parser_.is_header_done()) {
      ec = {};
    }
    if (ec) return fail_with("read response", ec);
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  }

  void fail_with(const std::string& what, beast::error_code ec) {
    error_ = what + ": " + (ec == beast::error::timeout ? std::string("timed out") : ec.message());
  }

  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::string host_;
  HttpRequest request_;
  http::response_parser<http::string_body> parser_;
  HttpsRequestOptions options_;
  std::chrono::steady_clock::time_point deadline_;
  std::chrono::steady_clock::time_point connect_deadline_;
  std::optional<std::string> error_;
};

}  // namespace

bool is_loopback_host(std::string_view host) {
  if (host == "localhost") return true;
  beast::error_code ec;
  auto address = net::ip::make_address(std::string(host), ec);
  return !ec && address.is_loopback();
}

Result<HttpResponse> http_request(const std::string& host, const std::string& port,
                                  HttpRequest request, const HttpsRequestOptions& options) {
  net::io_context ioc;
  auto op = std::make_shared<PlainOneShot>(ioc, host, std::move(request), options);
  op->run(port);
  ioc.run();
  return op->result();
}

}  // namespace triage::transport
