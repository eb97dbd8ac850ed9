// The named pipe IPC, run for real: a server on an io_context thread, the client in the test.
#include "shared/util/windows/windows_api.hpp"

#include <sddl.h>

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>

#include "agent/ipc/ipc_client.hpp"
#include "agent/ipc/ipc_frame.hpp"
#include "agent/ipc/ipc_server.hpp"
#include "agent/ipc/local_user.hpp"
#include "agent/ipc/windows/pipe_name.hpp"
#include "shared/util/windows/unique_handle.hpp"
#include "shared/util/windows/wide_string.hpp"
#include "tests/windows/windows_test_support.hpp"

namespace ipc = triage::agent::ipc;
using namespace std::chrono_literals;

namespace {

/// A server on its own io_context thread, answering each request with what it knows of the
/// caller.
class EchoServer {
 public:
  explicit EchoServer(std::filesystem::path endpoint) {
    ipc::IpcServerOptions options;
    options.socket_path = std::move(endpoint);
    server_ = ipc::make_ipc_server(ioc_, options,
                                   [](const nlohmann::json& request,
                                      const ipc::PeerCredentials& peer, ipc::IpcReplyPtr reply) {
                                     reply->send({{"state", "progress"}}, false);
                                     reply->send({{"state", "done"},
                                                  {"pid", peer.pid},
                                                  {"uid", peer.uid},
                                                  {"user", peer.user},
                                                  {"text", request.value("text", "")}},
                                                 true);
                                   });
  }
  ~EchoServer() {
    boost::asio::post(ioc_, [this] { server_->stop(); });
    work_.reset();
    if (thread_.joinable()) thread_.join();
  }
  triage::Result<void> start() {
    auto started = server_->start();
    if (started) thread_ = std::thread([this] { ioc_.run(); });
    return started;
  }

 private:
  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(ioc_);
  ipc::IpcServerPtr server_;
  std::thread thread_;
};

std::filesystem::path unique_endpoint(const char* what) {
  static int counter = 0;
  return "\\\\.\\pipe\\triage-test-" + std::to_string(::GetCurrentProcessId()) + "-" + what + "-" +
         std::to_string(++counter);
}

}  // namespace

TEST_CASE(
    "Windows named pipe: the agent answers and knows the caller from the pipe, not the "
    "message") {
  const auto endpoint = unique_endpoint("echo");
  EchoServer server(endpoint);
  REQUIRE(server.start());
  std::vector<nlohmann::json> replies;
  // The message claims another process and account: the server must not believe it.
  auto called =
      ipc::ipc_call(endpoint, {{"text", "printer"}, {"pid", 4}, {"user", "NT AUTHORITY\\SYSTEM"}},
                    10s, [&](const nlohmann::json& reply) -> ipc::IpcNext {
                      replies.push_back(reply);
                      if (reply.value("state", "") == "done") return std::nullopt;
                      return 10s;
                    });
  REQUIRE(called);
  REQUIRE(replies.size() == 2);
  const auto me = ipc::current_local_user();
  CHECK(replies[1]["pid"] == ::GetCurrentProcessId());
  CHECK(replies[1]["user"] == me.name);
  CHECK(replies[1]["uid"] == me.uid);
  CHECK_FALSE(me.name.empty());
  CHECK(replies[1]["text"] == "printer");
}

TEST_CASE("Windows named pipe: a path endpoint maps to one pipe for server and client") {
  const auto endpoint = std::filesystem::path(L"C:\\ProgramData\\triage-test-") /
                        (std::to_wstring(::GetCurrentProcessId()) + L"\\agent.sock");
  CHECK(ipc::pipe_name_for(endpoint).rfind(L"\\\\.\\pipe\\triage-agent-", 0) == 0);
  CHECK(ipc::pipe_name_for(endpoint) ==
        ipc::pipe_name_for(std::filesystem::path(triage::narrow(endpoint.wstring()))));
  EchoServer server(endpoint);
  REQUIRE(server.start());
  bool answered = false;
  auto called = ipc::ipc_call(endpoint, {{"text", "x"}}, 10s, [&](const nlohmann::json& reply) {
    answered = reply.value("state", "") == "done";
    return answered ? ipc::IpcNext{} : ipc::IpcNext{10s};
  });
  REQUIRE(called);
  CHECK(answered);
}

TEST_CASE("Windows named pipe: no agent listening is reported as unavailable") {
  auto called = ipc::ipc_call(unique_endpoint("nobody"), {{"text", "x"}}, 2s,
                              [](const nlohmann::json&) { return ipc::IpcNext{}; });
  REQUIRE_FALSE(called);
  CHECK(called.error().code == triage::ErrorCode::kUnavailable);
}

TEST_CASE("Windows named pipe: a second server cannot take a pipe name already in use") {
  const auto endpoint = unique_endpoint("twice");
  EchoServer first(endpoint);
  REQUIRE(first.start());
  EchoServer second(endpoint);
  CHECK_FALSE(second.start());
}

TEST_CASE(
    "Windows named pipe: the client refuses a pipe that SYSTEM or Administrators do not "
    "own") {
  // A user's own pipe under the agent's name (the agent not running): owned by that user.
  HANDLE token_raw = nullptr;
  REQUIRE(::OpenProcessToken(::GetCurrentProcess(), TOKEN_QUERY, &token_raw));
  triage::UniqueHandle token(token_raw);
  char buffer[256];
  DWORD size = 0;
  REQUIRE(::GetTokenInformation(token.get(), TokenUser, buffer, sizeof buffer, &size));
  wchar_t* sid = nullptr;
  REQUIRE(::ConvertSidToStringSidW(reinterpret_cast<TOKEN_USER*>(buffer)->User.Sid, &sid));
  const std::wstring sddl = L"O:" + std::wstring(sid) + L"D:(A;;GA;;;WD)";
  ::LocalFree(sid);
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  REQUIRE(::ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1,
                                                                 &descriptor, nullptr));
  SECURITY_ATTRIBUTES attributes{sizeof attributes, descriptor, FALSE};
  const auto endpoint = unique_endpoint("squat");
  triage::UniqueHandle squatter(
      ::CreateNamedPipeW(endpoint.wstring().c_str(), PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
                         PIPE_TYPE_BYTE | PIPE_WAIT, 1, 4096, 4096, 0, &attributes));
  ::LocalFree(descriptor);
  REQUIRE(squatter.valid());
  // Overlapped, with a deadline: a blocking ConnectNamedPipe on another thread never returns
  // when no client comes, and DisconnectNamedPipe cannot end it.
  triage::UniqueHandle connected(::CreateEventW(nullptr, TRUE, FALSE, nullptr));
  OVERLAPPED connect{};
  connect.hEvent = connected.get();
  const bool at_once = ::ConnectNamedPipe(squatter.get(), &connect);
  const DWORD connect_error = ::GetLastError();
  REQUIRE((at_once || connect_error == ERROR_IO_PENDING || connect_error == ERROR_PIPE_CONNECTED));
  bool replied = false;
  auto called =
      ipc::ipc_call(endpoint, {{"text", "my password is hunter2"}}, 5s, [&](const nlohmann::json&) {
        replied = true;
        return ipc::IpcNext{};
      });
  if (connect_error == ERROR_IO_PENDING) {
    DWORD ignored = 0;
    CHECK(triage::testing::wait_overlapped(squatter.get(), connect, ignored, 5s));
  }
  REQUIRE_FALSE(called);
  CHECK(called.error().code == triage::ErrorCode::kDenied);
  CHECK_FALSE(replied);
  // Nothing was written to the squatter's pipe.
  DWORD available = 0;
  ::PeekNamedPipe(squatter.get(), nullptr, 0, nullptr, &available, nullptr);
  CHECK(available == 0);
  ::DisconnectNamedPipe(squatter.get());
}

TEST_CASE("Windows named pipe: an oversized request is answered with an error, not read") {
  const auto endpoint = unique_endpoint("big");
  EchoServer server(endpoint);
  REQUIRE(server.start());
  triage::UniqueHandle pipe(::CreateFileW(endpoint.wstring().c_str(), GENERIC_READ | GENERIC_WRITE,
                                          0, nullptr, OPEN_EXISTING, FILE_FLAG_OVERLAPPED,
                                          nullptr));
  REQUIRE(pipe.valid());
  const unsigned char header[4] = {0x00, 0x10, 0x00, 0x00};  // 1 MiB announced
  triage::UniqueHandle written(::CreateEventW(nullptr, TRUE, FALSE, nullptr));
  OVERLAPPED write{};
  write.hEvent = written.get();
  DWORD n = 0;
  if (!::WriteFile(pipe.get(), header, 4, nullptr, &write)) {
    REQUIRE(::GetLastError() == ERROR_IO_PENDING);
  }
  REQUIRE(triage::testing::wait_overlapped(pipe.get(), write, n, 5s));
  // Until the server closes its end, with a deadline: a server that neither answers nor closes
  // fails the test instead of blocking it.
  const std::string reply = triage::testing::read_until_closed(pipe.get(), 10s);
  triage::agent::ipc::FrameDecoder decoder;
  decoder.feed(reply);
  auto message = decoder.next();
  REQUIRE(message);
  REQUIRE(*message);
  CHECK((**message)["state"] == "error");
}
