#pragma once
// An HTTP session over beast::test::stream and the peer at its other end, on one io_context
// the test runs: the transport's real session code, no sockets. The peer writes raw bytes (a
// request, or anything) and keeps what it reads; an accepted upgrade lands here with its
// stream instead of in a WebSocket session.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>

#include "shared/transport/http_session.hpp"

namespace triage::testing {

class HttpTestPair {
 public:
  using Session = transport::HttpSession<boost::beast::test::stream>;

  /// What an accepted upgrade handed over.
  struct Upgrade {
    boost::beast::test::stream stream;
    transport::HttpRequest request;
    std::unique_ptr<transport::WebSocketHandler> handler;
  };

  /// Runs a session serving `app` (which must outlive the pair) within `limits`.
  explicit HttpTestPair(transport::ServerApplication& app,
                        transport::HttpSessionLimits limits = {});
  ~HttpTestPair();
  HttpTestPair(const HttpTestPair&) = delete;
  HttpTestPair& operator=(const HttpTestPair&) = delete;

  /// Runs the event loop until `done()` holds; false if it still does not after `timeout`.
  bool run_until(const std::function<bool()>& done,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10));

  /// The peer writes `bytes` as they are.
  void send(std::string_view bytes);
  /// The peer writes `request` (its payload prepared; a Host header added if it has none).
  void send(transport::HttpRequest request);
  /// The peer closes its end.
  void close_peer();

  /// Everything the peer has read so far.
  const std::string& received() const { return received_; }
  /// The complete responses in what the peer read, in order.
  std::vector<transport::HttpResponse> responses() const;
  /// The session closed the connection (the peer read its end).
  bool peer_closed() const { return peer_closed_; }
  /// The session, until it is gone.
  std::shared_ptr<Session> session() const { return session_.lock(); }
  /// The upgrade the session handed over, if any.
  std::optional<Upgrade>& upgrade() { return upgrade_; }

 private:
  void do_peer_read();

  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  boost::beast::test::stream peer_;
  std::weak_ptr<Session> session_;
  std::optional<Upgrade> upgrade_;
  char chunk_[4096];
  std::string received_;
  bool peer_closed_ = false;
};

}  // namespace triage::testing
