#pragma once
// One HTTP request and its response over a fresh connection, with a deadline on every step:
// the engine of http_request (Stream = tcp_stream) and https_request (Stream =
// ssl_stream<tcp_stream>, which adds the TLS handshake with SNI and a check of the server's
// name or address). Internal to shared/transport.

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include <openssl/x509v3.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "shared/transport/http_types.hpp"
#include "shared/transport/https_client.hpp"
#include "shared/util/close_on_exec.hpp"
#include "shared/util/result.hpp"

namespace triage::transport {

template <class Stream>
class OneShotRequest : public std::enable_shared_from_this<OneShotRequest<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, boost::beast::tcp_stream>;

  /// `stream_args`: what the stream is built from (the io_context, and the TLS context).
  template <class... StreamArgs>
  OneShotRequest(boost::asio::io_context& ioc, std::string host, HttpRequest request,
                 const HttpsRequestOptions& options, StreamArgs&&... stream_args)
      : resolver_(ioc),
        stream_(std::forward<StreamArgs>(stream_args)...),
        host_(std::move(host)),
        request_(std::move(request)),
        options_(options),
        deadline_(std::chrono::steady_clock::now() + options.timeout),
        connect_deadline_(
            options.connect_timeout.count() > 0
                ? std::min(deadline_, std::chrono::steady_clock::now() + options.connect_timeout)
                : deadline_) {}

  void run(const std::string& port) {
    if constexpr (kTls) {
      SSL* ssl = stream_.native_handle();
      boost::beast::error_code ec;
      boost::asio::ip::make_address(host_, ec);
      if (ec) {
        SSL_set_tlsext_host_name(ssl, host_.c_str());
        SSL_set1_host(ssl, host_.c_str());
      } else {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host_.c_str());
      }
    }
    resolver_.async_resolve(host_, port,
                            boost::beast::bind_front_handler(&OneShotRequest::on_resolve, self()));
  }

  Result<HttpResponse> result() {
    if (error_) return fail(*error_);
    return parser_.release();
  }

 private:
  using tcp = boost::asio::ip::tcp;

  std::shared_ptr<OneShotRequest> self() { return this->shared_from_this(); }
  boost::beast::tcp_stream& tcp_layer() { return boost::beast::get_lowest_layer(stream_); }

  void on_resolve(boost::beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return fail_with("resolve " + host_, ec);
    if (std::chrono::steady_clock::now() >= connect_deadline_) {
      return fail_with("resolve " + host_, boost::beast::error::timeout);
    }
    tcp_layer().expires_at(connect_deadline_);
    tcp_layer().async_connect(
        results, boost::beast::bind_front_handler(&OneShotRequest::on_connect, self()));
  }

  void on_connect(boost::beast::error_code ec, tcp::endpoint) {
    if (ec) return fail_with("connect to " + host_, ec);
    set_close_on_exec(tcp_layer().socket().native_handle());
    tcp_layer().socket().set_option(tcp::no_delay(true), ec);
    if constexpr (kTls) {
      tcp_layer().expires_at(connect_deadline_);
      stream_.async_handshake(
          boost::asio::ssl::stream_base::client,
          boost::beast::bind_front_handler(&OneShotRequest::on_handshake, self()));
    } else {
      send_request();
    }
  }

  void on_handshake(boost::beast::error_code ec) {
    if (ec) {
      long verify = SSL_get_verify_result(stream_.native_handle());
      if (verify != X509_V_OK) {
        error_ = "TLS handshake with " + host_ +
                 ": server certificate rejected: " + X509_verify_cert_error_string(verify);
        return;
      }
      return fail_with("TLS handshake with " + host_, ec);
    }
    send_request();
  }

  void send_request() {
    if (request_.find(http::field::host) == request_.end()) request_.set(http::field::host, host_);
    request_.prepare_payload();
    tcp_layer().expires_at(deadline_);
    http::async_write(stream_, request_,
                      boost::beast::bind_front_handler(&OneShotRequest::on_write, self()));
  }

  void on_write(boost::beast::error_code ec, std::size_t) {
    if (ec) return fail_with("send request", ec);
    parser_.body_limit(options_.max_response_bytes);
    tcp_layer().expires_at(deadline_);
    http::async_read(stream_, buffer_, parser_,
                     boost::beast::bind_front_handler(&OneShotRequest::on_read, self()));
  }

  void on_read(boost::beast::error_code ec, std::size_t) {
    if (ec == http::error::body_limit && options_.truncate_oversized_body &&
        parser_.is_header_done()) {
      ec = {};
    }
    if (ec) return fail_with("read response", ec);
    // Best-effort close; the response is complete either way.
    if constexpr (kTls) {
      tcp_layer().expires_after(std::chrono::seconds(2));
      stream_.async_shutdown([self = self()](boost::beast::error_code) {});
    } else {
      tcp_layer().socket().shutdown(tcp::socket::shutdown_both, ec);
    }
  }

  void fail_with(const std::string& what, boost::beast::error_code ec) {
    error_ = what + ": " +
             (ec == boost::beast::error::timeout ? std::string("timed out") : ec.message());
  }

  tcp::resolver resolver_;
  Stream stream_;
  boost::beast::flat_buffer buffer_;
  std::string host_;
  HttpRequest request_;
  http::response_parser<http::string_body> parser_;
  HttpsRequestOptions options_;
  std::chrono::steady_clock::time_point deadline_;
  std::chrono::steady_clock::time_point connect_deadline_;
  std::optional<std::string> error_;
};

/// Runs one request on its own event loop, on the calling thread.
template <class Stream, class... StreamArgs>
Result<HttpResponse> run_one_shot(const std::string& host, const std::string& port,
                                  HttpRequest request, const HttpsRequestOptions& options,
                                  StreamArgs&&... stream_args) {
  boost::asio::io_context ioc;
  auto op = std::make_shared<OneShotRequest<Stream>>(ioc, host, std::move(request), options, ioc,
                                                     std::forward<StreamArgs>(stream_args)...);
  op->run(port);
  ioc.run();
  return op->result();
}

}  // namespace triage::transport
