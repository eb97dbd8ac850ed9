// The local IPC server on POSIX: a Unix stream socket, created 0600 under umask and widened to
// 0660 for root and the configured group; the peer's uid and pid from SO_PEERCRED.
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <deque>

#include <spdlog/spdlog.h>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "agent/ipc/ipc_frame.hpp"
#include "agent/ipc/ipc_server.hpp"
#include "agent/ipc/posix/account_name.hpp"
#include "shared/util/close_on_exec.hpp"

namespace triage::agent::ipc {

namespace {

using Socket = boost::asio::local::stream_protocol::socket;

gid_t group_id(const std::string& name) {
  struct group gr {};
  struct group* found = nullptr;
  std::array<char, 4096> buf{};
  if (name.empty() || getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &found) != 0 ||
      found == nullptr) {
    return 0;
  }
  return gr.gr_gid;
}

class IpcConnection final : public IpcReply, public std::enable_shared_from_this<IpcConnection> {
 public:
  IpcConnection(Socket socket, PeerCredentials peer, const IpcServerOptions& options,
                IpcHandler& handler, std::shared_ptr<std::size_t> live)
      : socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        peer_(std::move(peer)),
        options_(options),
        handler_(handler),
        live_(std::move(live)) {
    ++*live_;
  }
  ~IpcConnection() override { --*live_; }

  void run() {
    timer_.expires_after(options_.request_timeout);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->shutdown("timed out");
    });
    do_read();
  }

  void send(const nlohmann::json& message, bool final) override {
    // May be called from a completion handler after the peer left: then it is dropped.
    boost::asio::post(socket_.get_executor(),
                      [self = shared_from_this(), frame = encode_frame(message), final] {
                        if (self->closed_) return;
                        self->queue_.push_back(frame);
                        self->close_after_write_ = self->close_after_write_ || final;
                        if (self->queue_.size() == 1) self->do_write();
                      });
  }

 private:
  void do_read() {
    socket_.async_read_some(boost::asio::buffer(buffer_),
                            [self = shared_from_this()](const boost::system::error_code& ec,
                                                        std::size_t n) { self->on_read(ec, n); });
  }

  void on_read(const boost::system::error_code& ec, std::size_t n) {
    if (ec || closed_) return shutdown("peer left");
    if (have_request_) return do_read();  // one request per connection; the rest is ignored
    decoder_.feed(std::string_view(buffer_.data(), n));
    auto message = decoder_.next();
    if (!message) {
      spdlog::warn("local socket: uid {}: {}", peer_.uid, message.error().message);
      return send({{"state", "error"}, {"message", message.error().message}}, true);
    }
    if (!*message) {
      if (decoder_.buffered() > kMaxIpcFrameBytes + 4) return shutdown("oversized");
      return do_read();
    }
    have_request_ = true;
    // From now on the connection lives until the handler's final reply or max_lifetime.
    timer_.expires_after(options_.max_lifetime);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& e) {
      if (!e) self->shutdown("lifetime over");
    });
    handler_(**message, peer_, shared_from_this());
    do_read();  // notices the peer leaving
  }

  void do_write() {
    boost::asio::async_write(
        socket_, boost::asio::buffer(queue_.front()),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
          if (ec) return self->shutdown("write failed");
          self->queue_.pop_front();
          if (!self->queue_.empty()) return self->do_write();
          if (self->close_after_write_) self->shutdown("done");
        });
  }

  void shutdown(const char* why) {
    if (closed_) return;
    closed_ = true;
    spdlog::debug("local socket: uid {} connection closed ({})", peer_.uid, why);
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.shutdown(Socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  Socket socket_;
  boost::asio::steady_timer timer_;
  PeerCredentials peer_;
  const IpcServerOptions& options_;
  IpcHandler& handler_;
  std::shared_ptr<std::size_t> live_;
  std::array<char, 4096> buffer_{};
  FrameDecoder decoder_;
  std::deque<std::string> queue_;
  bool have_request_ = false;
  bool close_after_write_ = false;
  bool closed_ = false;
};

class UnixSocketServer final : public IpcServer {
 public:
  UnixSocketServer(boost::asio::io_context& ioc, IpcServerOptions options, IpcHandler handler)
      : ioc_(ioc),
        options_(std::move(options)),
        handler_(std::move(handler)),
        acceptor_(ioc),
        live_connections_(std::make_shared<std::size_t>(0)) {}
  ~UnixSocketServer() override { stop(); }

  Result<void> start() override;
  void stop() override;
  const std::filesystem::path& path() const override { return options_.socket_path; }

 private:
  void do_accept();

  boost::asio::io_context& ioc_;
  IpcServerOptions options_;
  IpcHandler handler_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  std::shared_ptr<std::size_t> live_connections_;
  bool bound_ = false;
};

}  // namespace

Result<void> UnixSocketServer::start() {
  const auto& path = options_.socket_path;
  std::error_code fs_ec;
  // A socket left by a killed daemon: nobody listens on it any more.
  if (std::filesystem::is_socket(path, fs_ec)) std::filesystem::remove(path, fs_ec);
  boost::system::error_code ec;
  boost::asio::local::stream_protocol::endpoint endpoint(path.string());
  // Created 0600 and widened only after chown, so no one outside the group ever gets in.
  const mode_t old_mask = ::umask(077);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) set_close_on_exec(acceptor_.native_handle());
  if (!ec) acceptor_.bind(endpoint, ec);
  ::umask(old_mask);
  if (!ec) acceptor_.listen(16, ec);
  if (ec) return fail("local socket " + path.string() + ": " + ec.message());
  bound_ = true;
  const gid_t gid = group_id(options_.group);
  if (::chown(path.c_str(), 0, gid) != 0 && ::geteuid() == 0) {
    return fail("local socket " + path.string() + ": cannot set its owner");
  }
  if (::chmod(path.c_str(), 0660) != 0) {
    return fail("local socket " + path.string() + ": cannot set its mode");
  }
  spdlog::info("listening for help requests on {} (group {})", path.string(),
               gid == 0 ? std::string("root") : options_.group);
  do_accept();
  return {};
}

void UnixSocketServer::stop() {
  boost::system::error_code ignored;
  if (acceptor_.is_open()) acceptor_.close(ignored);
  if (bound_) {
    std::error_code fs_ec;
    std::filesystem::remove(options_.socket_path, fs_ec);
    bound_ = false;
  }
}

void UnixSocketServer::do_accept() {
  acceptor_.async_accept([this](const boost::system::error_code& ec, Socket socket) {
    if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      set_close_on_exec(socket.native_handle());
      struct ucred cred {};
      socklen_t len = sizeof cred;
      if (*live_connections_ >= options_.max_connections) {
        spdlog::warn("local socket: too many connections; refusing one");
      } else if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
        PeerCredentials peer{static_cast<std::uint32_t>(cred.uid),
                             static_cast<std::uint32_t>(cred.pid), account_name(cred.uid)};
        std::make_shared<IpcConnection>(std::move(socket), std::move(peer), options_, handler_,
                                        live_connections_)
            ->run();
      }
    }
    do_accept();
  });
}

IpcServerPtr make_ipc_server(boost::asio::io_context& ioc, IpcServerOptions options,
                             IpcHandler handler) {
  return std::make_unique<UnixSocketServer>(ioc, std::move(options), std::move(handler));
}

}  // namespace triage::agent::ipc
