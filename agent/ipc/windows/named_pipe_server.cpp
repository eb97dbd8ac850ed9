// The local IPC server on Windows: a named pipe (see pipe_security.hpp for who may connect),
// overlapped through Asio's I/O completion port. The caller is identified by the pipe, never by
// what it says: the client's process id from GetNamedPipeClientProcessId, its account from its
// own token, read while impersonating it once its request has arrived (Windows lets a server
// impersonate only after reading from the pipe).
#include "shared/util/windows/windows_api.hpp"

#include <array>
#include <cstdlib>
#include <deque>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/windows/overlapped_ptr.hpp>
#include <boost/asio/windows/stream_handle.hpp>
#include <boost/asio/write.hpp>

#include "agent/ipc/ipc_frame.hpp"
#include "agent/ipc/ipc_server.hpp"
#include "agent/ipc/windows/pipe_name.hpp"
#include "agent/ipc/windows/pipe_security.hpp"
#include "agent/ipc/windows/token_account.hpp"
#include "shared/util/windows/unique_handle.hpp"
#include "shared/util/windows/wide_string.hpp"

namespace triage::agent::ipc {

namespace {

using Pipe = boost::asio::windows::stream_handle;

/// The account of the client at the other end of `pipe`, from its token.
Result<TokenAccount> client_account(HANDLE pipe) {
  if (!::ImpersonateNamedPipeClient(pipe)) {
    return fail(ErrorCode::kDenied, last_error_text("ImpersonateNamedPipeClient"));
  }
  HANDLE raw = nullptr;
  const BOOL opened = ::OpenThreadToken(::GetCurrentThread(), TOKEN_QUERY, TRUE, &raw);
  const DWORD open_error = ::GetLastError();
  // Going on as the client would run the agent's I/O thread with its rights.
  if (!::RevertToSelf()) std::abort();
  if (!opened) {
    return fail(ErrorCode::kDenied, "OpenThreadToken: " + windows_error_text(open_error));
  }
  UniqueHandle token(raw);
  return token_account(token.get());
}

class IpcConnection final : public IpcReply, public std::enable_shared_from_this<IpcConnection> {
 public:
  IpcConnection(Pipe pipe, std::uint32_t pid, const IpcServerOptions& options, IpcHandler& handler,
                std::shared_ptr<std::size_t> live)
      : pipe_(std::move(pipe)),
        timer_(pipe_.get_executor()),
        options_(options),
        handler_(handler),
        live_(std::move(live)) {
    peer_.pid = pid;
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
    boost::asio::post(pipe_.get_executor(),
                      [self = shared_from_this(), frame = encode_frame(message), final] {
                        if (self->closed_) return;
                        self->queue_.push_back(frame);
                        self->close_after_write_ = self->close_after_write_ || final;
                        if (self->queue_.size() == 1) self->do_write();
                      });
  }

 private:
  void do_read() {
    pipe_.async_read_some(boost::asio::buffer(buffer_),
                          [self = shared_from_this()](const boost::system::error_code& ec,
                                                      std::size_t n) { self->on_read(ec, n); });
  }

  void on_read(const boost::system::error_code& ec, std::size_t n) {
    if (ec || closed_) return shutdown("peer left");
    if (have_request_) return do_read();  // one request per connection; the rest is ignored
    decoder_.feed(std::string_view(buffer_.data(), n));
    auto message = decoder_.next();
    if (!message) {
      spdlog::warn("local pipe: pid {}: {}", peer_.pid, message.error().message);
      return send({{"state", "error"}, {"message", message.error().message}}, true);
    }
    if (!*message) {
      if (decoder_.buffered() > kMaxIpcFrameBytes + 4) return shutdown("oversized");
      return do_read();
    }
    have_request_ = true;
    auto account = client_account(pipe_.native_handle());
    if (!account) {
      spdlog::warn("local pipe: pid {}: caller not identified: {}", peer_.pid,
                   account.error().message);
      return send({{"state", "error"}, {"message", "the caller could not be identified"}}, true);
    }
    peer_.uid = account->rid;
    peer_.user = account->name;
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
        pipe_, boost::asio::buffer(queue_.front()),
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
    spdlog::debug("local pipe: pid {} connection closed ({})", peer_.pid, why);
    boost::system::error_code ignored;
    timer_.cancel();
    // Cancelled, then closed, not disconnected: DisconnectNamedPipe would drop replies the
    // client has not read yet, and FlushFileBuffers would block this thread until a client that
    // never reads does. The explicit cancel (CancelIoEx) completes the pending read: closing
    // alone does not on every system (Wine), and an overlapped operation that never completes
    // keeps the io_context from ever finishing.
    pipe_.cancel(ignored);
    pipe_.close(ignored);
  }

  Pipe pipe_;
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

class NamedPipeServer final : public IpcServer {
 public:
  NamedPipeServer(boost::asio::io_context& ioc, IpcServerOptions options, IpcHandler handler)
      : ioc_(ioc),
        options_(std::move(options)),
        handler_(std::move(handler)),
        name_(pipe_name_for(options_.socket_path)),
        live_connections_(std::make_shared<std::size_t>(0)) {}
  ~NamedPipeServer() override { stop(); }

  Result<void> start() override;
  void stop() override;
  const std::filesystem::path& path() const override { return options_.socket_path; }

 private:
  Result<HANDLE> create_instance(bool first);
  void do_accept(HANDLE instance);
  void on_connect(const boost::system::error_code& ec, std::shared_ptr<Pipe> pipe);

  boost::asio::io_context& ioc_;
  IpcServerOptions options_;
  IpcHandler handler_;
  std::wstring name_;
  SecurityDescriptorPtr security_;
  std::shared_ptr<Pipe> listening_;
  std::shared_ptr<std::size_t> live_connections_;
  bool running_ = false;
};

}  // namespace

Result<HANDLE> NamedPipeServer::create_instance(bool first) {
  SECURITY_ATTRIBUTES attributes{sizeof(SECURITY_ATTRIBUTES), security_.get(), FALSE};
  // The first instance must be new: a pipe of this name created by anyone else (a user
  // waiting for help requests while the agent is down) makes start() fail instead.
  const HANDLE pipe = ::CreateNamedPipeW(
      name_.c_str(),
      PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | (first ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0),
      PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
      PIPE_UNLIMITED_INSTANCES, 16 * 1024, 16 * 1024, 0, &attributes);
  if (pipe == INVALID_HANDLE_VALUE) {
    const DWORD err = ::GetLastError();
    return fail("local pipe " + narrow(name_) + ": " +
                (err == ERROR_ACCESS_DENIED && first
                     ? std::string("another process holds this pipe name")
                     : windows_error_text(err)));
  }
  return pipe;
}

Result<void> NamedPipeServer::start() {
  // FILE_FLAG_FIRST_PIPE_INSTANCE refuses a name in use; looking first also covers systems
  // that do not honour the flag (Wine).
  const HANDLE existing =
      ::CreateFileW(name_.c_str(), FILE_READ_ATTRIBUTES, 0, nullptr, OPEN_EXISTING, 0, nullptr);
  const DWORD looked = ::GetLastError();
  if (existing != INVALID_HANDLE_VALUE) ::CloseHandle(existing);
  if (existing != INVALID_HANDLE_VALUE || looked == ERROR_PIPE_BUSY ||
      looked == ERROR_ACCESS_DENIED) {
    return fail("local pipe " + narrow(name_) + ": another process holds this pipe name");
  }
  auto security = agent_pipe_security();
  if (!security) return tl::unexpected(security.error());
  security_ = std::move(*security);
  auto instance = create_instance(true);
  if (!instance) return tl::unexpected(instance.error());
  running_ = true;
  spdlog::info("listening for help requests on {}", narrow(name_));
  do_accept(*instance);
  return {};
}

void NamedPipeServer::stop() {
  running_ = false;
  if (listening_) {
    boost::system::error_code ignored;
    // Cancelled first: closing the handle alone leaves the pending ConnectNamedPipe
    // uncompleted under Wine, and the io_context would wait for it forever.
    listening_->cancel(ignored);  // completes the pending connect with operation_aborted
    listening_->close(ignored);
    listening_.reset();
  }
}

void NamedPipeServer::do_accept(HANDLE instance) {
  auto pipe = std::make_shared<Pipe>(ioc_, instance);
  listening_ = pipe;
  boost::asio::windows::overlapped_ptr connect(
      ioc_,
      [this, pipe](const boost::system::error_code& ec, std::size_t) { on_connect(ec, pipe); });
  const BOOL ok = ::ConnectNamedPipe(pipe->native_handle(), connect.get());
  const DWORD err = ::GetLastError();
  if (!ok && err == ERROR_PIPE_CONNECTED) {
    connect.complete(boost::system::error_code(), 0);  // a client came between create and connect
  } else if (!ok && err != ERROR_IO_PENDING) {
    connect.complete(
        boost::system::error_code(static_cast<int>(err), boost::asio::error::get_system_category()),
        0);
  } else {
    connect.release();
  }
}

void NamedPipeServer::on_connect(const boost::system::error_code& ec, std::shared_ptr<Pipe> pipe) {
  if (ec == boost::asio::error::operation_aborted || !running_) return;
  // A new instance listens before this one is served, so clients never find no server.
  auto next = create_instance(false);
  if (!next) {
    spdlog::error("{}; help requests are no longer accepted", next.error().message);
    running_ = false;
  }
  if (!ec) {
    ULONG pid = 0;
    if (*live_connections_ >= options_.max_connections) {
      spdlog::warn("local pipe: too many connections; refusing one");
    } else if (::GetNamedPipeClientProcessId(pipe->native_handle(), &pid)) {
      std::make_shared<IpcConnection>(std::move(*pipe), static_cast<std::uint32_t>(pid), options_,
                                      handler_, live_connections_)
          ->run();
    }
  } else {
    spdlog::warn("local pipe: connect failed: {}", ec.message());
  }
  if (pipe->is_open()) {
    boost::system::error_code ignored;
    ::DisconnectNamedPipe(pipe->native_handle());
    pipe->close(ignored);
  }
  if (next) do_accept(*next);
}

IpcServerPtr make_ipc_server(boost::asio::io_context& ioc, IpcServerOptions options,
                             IpcHandler handler) {
  return std::make_unique<NamedPipeServer>(ioc, std::move(options), std::move(handler));
}

}  // namespace triage::agent::ipc
