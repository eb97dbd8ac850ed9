// One host cannot hold the collector's connections: unauthenticated connections are capped
// per source address, HTTP keep-alive ends after a bounded number of requests, and the agent
// port can be narrowed to what agents need.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "shared/transport/https_client.hpp"
#include "shared/transport/tls_context.hpp"
#include "tests/support/collector_fixture.hpp"

using namespace triage;
using namespace triage::testing;
using namespace std::chrono_literals;
namespace http = transport::http;

namespace {

/// Holds `count` TCP connections from `source` to the collector, each having sent the first
/// bytes of a ClientHello and then nothing; a connection the collector closes is opened again
/// (at most 100 every 50 ms), for as long as the flood lives.
class Flood {
 public:
  Flood(const char* source, std::uint16_t port, std::size_t count)
      : source_(source), port_(port), count_(count), thread_([this] { run(); }) {}
  ~Flood() {
    stop_ = true;
    thread_.join();
  }
  std::size_t opened() const { return opened_.load(); }
  std::size_t open_now() const { return open_now_.load(); }

 private:
  struct Socket {
    int fd;
    bool sent;
  };

  int open_one() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    sockaddr_in from{};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, source_, &from.sin_addr);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port_);
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
        (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0 && errno != EINPROGRESS)) {
      ::close(fd);
      return -1;
    }
    return fd;
  }

  void run() {
    // A TLS handshake record header announcing 512 bytes, of which none follow.
    const unsigned char partial_hello[] = {0x16, 0x03, 0x01, 0x02, 0x00};
    constexpr std::size_t kReopenPerRound = 100;
    std::vector<Socket> sockets;
    std::vector<pollfd> polls;
    while (!stop_) {
      for (std::size_t i = 0; i < kReopenPerRound && sockets.size() < count_; ++i) {
        int fd = open_one();
        if (fd < 0) break;
        sockets.push_back({fd, false});
        ++opened_;
      }
      polls.clear();
      for (const auto& s : sockets) {
        polls.push_back({s.fd, static_cast<short>(POLLIN | (s.sent ? 0 : POLLOUT)), 0});
      }
      ::poll(polls.data(), polls.size(), 50);
      std::vector<Socket> kept;
      kept.reserve(sockets.size());
      for (std::size_t i = 0; i < sockets.size(); ++i) {
        auto& s = sockets[i];
        const auto ev = polls[i].revents;
        bool closed = (ev & (POLLERR | POLLHUP)) != 0;
        if (!closed && (ev & POLLIN)) {
          char buf[64];
          closed = ::recv(s.fd, buf, sizeof buf, MSG_DONTWAIT) <= 0;
        }
        if (!closed && !s.sent && (ev & POLLOUT)) {
          closed = ::send(s.fd, partial_hello, sizeof partial_hello, MSG_NOSIGNAL) < 0;
          s.sent = true;
        }
        if (closed) {
          ::close(s.fd);
        } else {
          kept.push_back(s);
        }
      }
      sockets.swap(kept);
      open_now_ = sockets.size();
    }
    for (const auto& s : sockets) ::close(s.fd);
  }

  const char* source_;
  std::uint16_t port_;
  std::size_t count_;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> opened_{0};
  std::atomic<std::size_t> open_now_{0};
  std::thread thread_;
};

void raise_open_files_limit(rlim_t wanted) {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < wanted) {
    limit.rlim_cur = std::min<rlim_t>(wanted, limit.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

Result<transport::HttpResponse> request_on(CollectorFixture& c, std::uint16_t port,
                                           transport::HttpRequest req) {
  auto tls = transport::make_client_tls_context({c.ca_pem(), "", ""});
  REQUIRE(tls);
  req.set(http::field::host, "127.0.0.1");
  req.prepare_payload();
  return transport::https_request(**tls, "127.0.0.1", std::to_string(port), std::move(req));
}

}  // namespace

TEST_CASE(
    "a flood of 5,000 unauthenticated connections from one address leaves a real agent and a "
    "staff login working",
    "[integration]") {
  constexpr std::size_t kFlood = 5000;
  raise_open_files_limit(kFlood + 1024);
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  REQUIRE(limit.rlim_cur >= kFlood + 512);
  // The flood comes from 127.0.0.2; the agent and staff from 127.0.0.1.
  CollectorFixture collector("[limits]\nmax_unauthenticated_per_address = 16\n");
  AgentFixture agent(collector, "a");
  REQUIRE(agent.enroll().exit_code == 0);

  Flood flood("127.0.0.2", collector.port(), kFlood);
  REQUIRE(eventually([&] { return flood.opened() >= kFlood; }, 60s));
  agent.start();
  CHECK(eventually([&] { return device_online(collector, agent.device_id()); }, 30s));
  const auto token = collector.login_as("tess", "technician");
  CHECK(collector.get("/api/v1/devices", token).status == 200);
  CHECK(flood.opened() >= kFlood);
}

TEST_CASE("an HTTP keep-alive connection serves a bounded number of requests", "[integration]") {
  CollectorFixture collector("[limits]\nhttp_max_requests_per_connection = 3\n");
  auto tls = transport::make_client_tls_context({collector.ca_pem(), "", ""});
  REQUIRE(tls);
  boost::asio::io_context ioc;
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream(ioc, **tls);
  stream.next_layer().connect({boost::asio::ip::make_address("127.0.0.1"), collector.port()});
  stream.handshake(boost::asio::ssl::stream_base::client);
  boost::beast::flat_buffer buffer;
  for (int i = 1; i <= 3; ++i) {
    http::request<http::string_body> req{http::verb::get, "/healthz", 11};
    req.set(http::field::host, "127.0.0.1");
    req.keep_alive(true);
    http::write(stream, req);
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    INFO("request " << i);
    CHECK(res.result() == http::status::ok);
    CHECK(res.keep_alive() == (i < 3));
  }
  // The collector closed the connection after the third answer.
  http::request<http::string_body> req{http::verb::get, "/healthz", 11};
  req.set(http::field::host, "127.0.0.1");
  boost::system::error_code ec;
  http::write(stream, req, ec);
  http::response<http::string_body> res;
  if (!ec) http::read(stream, buffer, res, ec);
  CHECK(ec);
}

TEST_CASE("the agent port refuses staff routes when agent_port_serves_api is false",
          "[integration]") {
  CollectorFixture c("staff_listen = \"127.0.0.1:0\"\nagent_port_serves_api = false\n");
  REQUIRE(c.staff_port() != 0);
  auto devices = request_on(c, c.port(), {http::verb::get, "/api/v1/devices", 11});
  REQUIRE(devices);
  CHECK(devices->result() == http::status::misdirected_request);
  auto body = nlohmann::json::parse(devices->body(), nullptr, false);
  REQUIRE(body.is_object());
  CHECK(body["error"]["code"] == "misdirected_request");
  CHECK_THAT(body["error"]["message"].get<std::string>(), Catch::Contains("staff listener"));
  auto console = request_on(c, c.port(), {http::verb::get, "/", 11});
  REQUIRE(console);
  CHECK(console->result() == http::status::misdirected_request);
  auto health = request_on(c, c.port(), {http::verb::get, "/healthz", 11});
  REQUIRE(health);
  CHECK(health->result() == http::status::ok);
  // Staff work on their own listener; agents still enroll and connect on theirs.
  auto staff = request_on(c, c.staff_port(), {http::verb::get, "/api/v1/devices", 11});
  REQUIRE(staff);
  CHECK(staff->result() == http::status::unauthorized);
  c.add_user("ada", "admin", "correct horse battery ada");
  transport::HttpRequest login{http::verb::post, "/api/v1/auth/login", 11};
  login.set(http::field::content_type, "application/json");
  login.body() = nlohmann::json{{"name", "ada"}, {"password", "correct horse battery ada"}}.dump();
  auto logged = request_on(c, c.staff_port(), login);
  REQUIRE(logged);
  REQUIRE(logged->result() == http::status::ok);
  const auto token = nlohmann::json::parse(logged->body())["token"].get<std::string>();
  AgentFixture agent(c, "a");
  REQUIRE(agent.enroll().exit_code == 0);
  agent.start();
  CHECK(eventually([&] {
    transport::HttpRequest req{http::verb::get, "/api/v1/devices/" + agent.device_id(), 11};
    req.set(http::field::authorization, "Bearer " + token);
    auto res = request_on(c, c.staff_port(), req);
    if (!res || res->result() != http::status::ok) return false;
    auto device = nlohmann::json::parse(res->body(), nullptr, false);
    return device.is_object() && device.value("online", false);
  }));
}
