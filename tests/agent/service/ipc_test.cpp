// The local help socket: framing limits, peer credentials from the kernel, socket mode, and a
// hostile peer that sends garbage or nothing at all.

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <thread>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "agent/ipc/ipc_client.hpp"
#include "agent/ipc/ipc_frame.hpp"
#include "agent/ipc/ipc_server.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage::agent::ipc;
using namespace std::chrono_literals;

TEST_CASE("IPC frames decode incrementally and refuse oversized or non-object input") {
  FrameDecoder decoder;
  auto frame = encode_frame({{"type", "help"}, {"text", "hi"}});
  decoder.feed(frame.substr(0, 3));
  CHECK_FALSE(decoder.next().value());
  decoder.feed(frame.substr(3));
  auto message = decoder.next().value();
  REQUIRE(message);
  CHECK((*message)["text"] == "hi");

  FrameDecoder huge;
  huge.feed(std::string("\x7f\xff\xff\xff", 4));
  CHECK_FALSE(huge.next());

  FrameDecoder array;
  array.feed(encode_frame(nlohmann::json::array({1, 2})));
  CHECK_FALSE(array.next());

  FrameDecoder junk;
  junk.feed(std::string("\0\0\0\3abc", 7));
  CHECK_FALSE(junk.next());
}

namespace {

struct ServerThread {
  boost::asio::io_context ioc;
  triage::testing::TempDir dir;
  std::unique_ptr<IpcServer> server;
  std::thread thread;
  PeerCredentials seen;

  explicit ServerThread(std::chrono::milliseconds request_timeout = 5000ms) {
    IpcServerOptions options;
    options.socket_path = dir.path() / "agent.sock";
    options.group = "no-such-group-here";
    options.request_timeout = request_timeout;
    server = make_ipc_server(
        ioc, options,
        [this](const nlohmann::json& request, const PeerCredentials& peer, IpcReplyPtr reply) {
          seen = peer;
          reply->send({{"state", "queued"}, {"echo", request.value("text", "")}}, false);
          reply->send({{"state", "ticket"}, {"ticket_id", "T-1"}}, true);
        });
    REQUIRE(server->start());
    thread = std::thread([this] { ioc.run(); });
  }
  ~ServerThread() {
    ioc.stop();
    thread.join();
  }
};

int raw_connect(const std::filesystem::path& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  return fd;
}

std::string read_all(int fd) {
  std::string out;
  char buf[512];
  for (;;) {
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return out;
    out.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace

TEST_CASE("a request gets progress messages and the peer's kernel credentials are used") {
  ServerThread server;
  struct stat st {};
  REQUIRE(::stat(server.server->path().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0660);
  CHECK(S_ISSOCK(st.st_mode));

  std::vector<nlohmann::json> replies;
  auto r = ipc_call(server.server->path(), {{"type", "help"}, {"text", "hello"}}, 5s,
                    [&](const nlohmann::json& m) -> IpcNext {
                      replies.push_back(m);
                      if (m["state"] == "ticket") return std::nullopt;
                      return 5s;
                    });
  REQUIRE(r);
  REQUIRE(replies.size() == 2);
  CHECK(replies[0]["echo"] == "hello");
  CHECK(replies[1]["ticket_id"] == "T-1");
  CHECK(server.seen.uid == ::getuid());
  CHECK(server.seen.pid > 0);
}

TEST_CASE("a garbage frame gets an error and the connection is closed") {
  ServerThread server;
  int fd = raw_connect(server.server->path());
  const char header[] = {0x00, 0x10, 0x00, 0x00};  // 1 MiB announced
  REQUIRE(::send(fd, header, 4, MSG_NOSIGNAL) == 4);
  auto reply = read_all(fd);
  ::close(fd);
  FrameDecoder decoder;
  decoder.feed(reply);
  auto message = decoder.next().value();
  REQUIRE(message);
  CHECK((*message)["state"] == "error");
  CHECK_THAT((*message)["message"].get<std::string>(), Catch::Contains("exceeds the limit"));
}

TEST_CASE("a silent peer is cut off after the request timeout") {
  ServerThread server(300ms);
  int fd = raw_connect(server.server->path());
  auto started = std::chrono::steady_clock::now();
  CHECK(read_all(fd).empty());  // returns when the server closes
  CHECK(std::chrono::steady_clock::now() - started < 5s);
  ::close(fd);
}

TEST_CASE("no daemon listening is reported as unavailable (get-help then uses the spool)") {
  triage::testing::TempDir dir;
  auto r = ipc_call(dir.path() / "agent.sock", {{"type", "help"}}, 1s,
                    [](const nlohmann::json&) -> IpcNext { return std::nullopt; });
  REQUIRE_FALSE(r);
  CHECK(r.error().code == triage::ErrorCode::kUnavailable);
}
