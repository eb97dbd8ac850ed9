#include "shared/transport/https_client.hpp"
#include "shared/util/close_on_exec.hpp"

#include <algorithm>
#include <memory>
#include <optional>

#include <openssl/x509v3.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace triage::transport {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

namespace {

class OneShot : public std::enable_shared_from_this<OneShot> {
 public:
  OneShot(net::io_context& ioc, ssl::context& tls, std::string host, HttpRequest request,
          const HttpsRequestOptions& options)
      : resolver_(ioc),
        stream_(ioc, tls),
        host_(std::move(host)),
        request_(std::move(request)),
        options_(options),
        deadline_(std::chrono::steady_clock::now() + options.timeout),
        connect_deadline_(
            options.connect_timeout.count() > 0
                ? std::min(deadline_, std::chrono::steady_clock::now() + options.connect_timeout)
                : deadline_) {}

  void run(const std::string& port) {
    SSL* ssl = stream_.native_handle();
    beast::error_code ec;
    net::ip::make_address(host_, ec);
    if (ec) {
      SSL_set_tlsext_host_name(ssl, host_.c_str());
      SSL_set1_host(ssl, host_.c_str());
    } else {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host_.c_str());
    }
    resolver_.async_resolve(host_, port,
                            beast::bind_front_handler(&OneShot::on_resolve, shared_from_this()));
  }

  Result<HttpResponse> result() {
    if (error_) return fail(*error_);
    return parser_.release();
  }

 private:
  void arm() { beast::get_lowest_layer(stream_).expires_at(deadline_); }
  void arm_connect() { beast::get_lowest_layer(stream_).expires_at(connect_deadline_); }

  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return fail_with("resolve " + host_, ec);
    if (std::chrono::steady_clock::now() >= connect_deadline_) {
      return fail_with("resolve " + host_, beast::error::timeout);
    }
    arm_connect();
    beast::get_lowest_layer(stream_).async_connect(
        results, beast::bind_front_handler(&OneShot::on_connect, shared_from_this()));
  }

  void on_connect(beast::error_code ec, tcp::endpoint) {
    if (ec) return fail_with("connect to " + host_, ec);
    set_close_on_exec(beast::get_lowest_layer(stream_).socket().native_handle());
    beast::get_lowest_layer(stream_).socket().set_option(tcp::no_delay(true), ec);
    arm_connect();
    stream_.async_handshake(ssl::stream_base::client,
                            beast::bind_front_handler(&OneShot::on_handshake, shared_from_this()));
  }

  void on_handshake(beast::error_code ec) {
    if (ec) {
      long verify = SSL_get_verify_result(stream_.native_handle());
      if (verify != X509_V_OK) {
        error_ = "TLS handshake with " + host_ +
                 ": server certificate rejected: " + X509_verify_cert_error_string(verify);
        return;
      }
      return fail_with("TLS handshake with " + host_, ec);
    }
    if (request_.find(http::field::host) == request_.end()) request_.set(http::field::host, host_);
    request_.prepare_payload();
    arm();
    http::async_write(stream_, request_,
                      beast::bind_front_handler(&OneShot::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return fail_with("send request", ec);
    parser_.body_limit(options_.max_response_bytes);
    arm();
    http::async_read(stream_, buffer_, parser_,
                     beast::bind_front_handler(&OneShot::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::body_limit && options_.truncate_oversized_body &&
        parser_.is_header_done()) {
      ec = {};
    }
    if (ec) return fail_with("read response", ec);
    // Best-effort close; the response is complete either way.
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) {});
  }

  void fail_with(const std::string& what, beast::error_code ec) {
    error_ = what + ": " + (ec == beast::error::timeout ? std::string("timed out") : ec.message());
  }

  tcp::resolver resolver_;
  beast::ssl_stream<beast::tcp_stream> stream_;
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

Result<HttpResponse> https_request(ssl::context& tls, const std::string& host,
                                   const std::string& port, HttpRequest request,
                                   const HttpsRequestOptions& options) {
  net::io_context ioc;
  auto op = std::make_shared<OneShot>(ioc, tls, host, std::move(request), options);
  op->run(port);
  ioc.run();
  return op->result();
}

}  // namespace triage::transport
