// Active network probes against loopback listeners (no outside network needed), and the DNS
// packets they exchange.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>

#include "agent/collectors/net_probe.hpp"
#include "tests/agent/collectors/linux/hostile_inputs.hpp"

using namespace triage::agent;
using namespace std::chrono_literals;
namespace v1 = triage::v1;

namespace {

/// A socket bound to 127.0.0.1 on an ephemeral port.
struct Loopback {
  int fd = -1;
  std::uint16_t port = 0;
  explicit Loopback(int type) {
    fd = ::socket(AF_INET, type, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~Loopback() { ::close(fd); }
};

}  // namespace

TEST_CASE("TCP probe measures a connect and reports refusals", "[probes]") {
  Loopback listener(SOCK_STREAM);
  ::listen(listener.fd, 1);
  auto ok = probe_tcp("127.0.0.1", listener.port, 2000ms);
  CHECK(ok.result == v1::Probe::OK);
  REQUIRE(ok.latency_ms.has_value());
  CHECK(*ok.latency_ms >= 0);
  Loopback closed(SOCK_STREAM);  // bound, not listening: connection refused
  auto refused = probe_tcp("127.0.0.1", closed.port, 2000ms);
  CHECK(refused.result == v1::Probe::FAILED);
  CHECK_THAT(refused.message, Catch::Contains("refused"));
  CHECK(probe_tcp("not-an-ip", 80, 100ms).result == v1::Probe::FAILED);
}

TEST_CASE("DNS probe asks one server and reads its answer", "[probes]") {
  Loopback server(SOCK_DGRAM);
  std::thread answer([&] {
    char buf[512];
    sockaddr_in from{};
    socklen_t len = sizeof from;
    auto n = ::recvfrom(server.fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 12) return;
    std::string reply(buf, static_cast<std::size_t>(n));
    reply[2] = '\x81';
    reply[3] = '\x80';
    reply[7] = '\x01';  // one answer
    reply += std::string("\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x0a\x01\x02\x03", 16);
    ::sendto(server.fd, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
  });
  // probe_dns always uses port 53; exercise the exchange through a connected test client.
  int client = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(server.port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  auto q = build_dns_query(0x4242, "collector.example.com");
  ::sendto(client, q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  char buf[512];
  auto n = ::recv(client, buf, sizeof buf, 0);
  answer.join();
  ::close(client);
  REQUIRE(n > 0);
  auto a = parse_dns_response(std::string_view(buf, static_cast<std::size_t>(n)), 0x4242);
  CHECK(a.valid);
  CHECK(a.first_ipv4 == "10.1.2.3");
  // Nothing answers on this loopback address: a timeout or a refusal, never a hang.
  auto none = probe_dns("127.0.0.9", "example.com", 300ms);
  CHECK((none.result == v1::Probe::TIMEOUT || none.result == v1::Probe::FAILED));
}

namespace {

/// Answers one SNTP request on `server` as a server whose clock is `ahead` of ours would, after
/// sending `stray` first (a datagram that is not the answer) when it is not empty; a stratum of
/// 0 answers with a kiss-o'-death RATE.
std::thread sntp_server(const Loopback& server, std::chrono::milliseconds ahead, int stratum,
                        std::string stray = {}) {
  return std::thread([&server, ahead, stratum, stray] {
    char buf[512];
    sockaddr_in from{};
    socklen_t len = sizeof from;
    auto n = ::recvfrom(server.fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 48) return;
    if (!stray.empty())
      ::sendto(server.fd, stray.data(), stray.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
    std::string reply(48, '\0');
    reply[0] = '\x24';  // LI 0, version 4, mode 4
    reply[1] = static_cast<char>(stratum);
    if (stratum == 0) reply.replace(12, 4, "RATE");
    reply.replace(24, 8, std::string(buf + 40, 8));  // originate = the request's transmit
    const auto now = to_ntp_timestamp(std::chrono::system_clock::now() + ahead);
    for (std::size_t i = 0; i < 8; ++i) {
      reply[32 + i] = reply[40 + i] = static_cast<char>((now >> (56 - 8 * i)) & 0xff);
    }
    ::sendto(server.fd, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
  });
}

}  // namespace

TEST_CASE("time probe: one SNTP exchange measures the clock's offset from a server", "[probes]") {
  Loopback server(SOCK_DGRAM);
  SECTION("a server 90 s ahead, after a stray datagram that is not its answer") {
    auto t = sntp_server(server, 90s, 2, std::string(48, '\x24'));
    auto o = probe_sntp("127.0.0.1", 2000ms, server.port);
    t.join();
    INFO(o.probe.message);
    REQUIRE(o.probe.result == v1::Probe::OK);
    CHECK(o.probe.message == "stratum 2");
    REQUIRE(o.offset_ms);
    CHECK(*o.offset_ms == Approx(90000).margin(1000));
    REQUIRE(o.round_trip_ms);
    CHECK(*o.round_trip_ms >= 0);
  }
  SECTION("a server that says to go away is a failed probe with its code") {
    auto t = sntp_server(server, 0s, 0);
    auto o = probe_sntp("127.0.0.1", 2000ms, server.port);
    t.join();
    CHECK(o.probe.result == v1::Probe::FAILED);
    CHECK(o.probe.message == "server answered: kiss-o'-death RATE");
    CHECK_FALSE(o.offset_ms);
  }
  SECTION("nothing answers: a timeout or a refusal, never a hang") {
    auto o = probe_sntp("127.0.0.9", 300ms, server.port);
    CHECK((o.probe.result == v1::Probe::TIMEOUT || o.probe.result == v1::Probe::FAILED));
    CHECK_FALSE(o.offset_ms);
    CHECK(probe_sntp("time.example.com", 300ms).probe.message == "not an IP address");
  }
}

TEST_CASE("DNS query packets and answers", "[parsers][probes]") {
  auto q = build_dns_query(0x1234, "debian.org");
  REQUIRE(q.size() == 12 + 12 + 4);
  CHECK(q.substr(12, 12) == std::string("\x06"
                                        "debian\x03org\x00",
                                        12));
  CHECK(build_dns_query(1, std::string(64, 'a') + ".com").empty());
  // A response: header, the question, one A record with a compressed name.
  std::string r =
      std::string("\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00", 12) + q.substr(12) +
      std::string("\xc0\x0c\x00\x01\x00\x01\x00\x00\x0e\x10\x00\x04\xcb\x00\x71\x50", 16);
  auto a = parse_dns_response(r, 0x1234);
  CHECK(a.valid);
  CHECK(a.rcode == 0);
  CHECK(a.answers == 1);
  CHECK(a.first_ipv4 == "203.0.113.80");
  CHECK_FALSE(parse_dns_response(r, 0x9999).valid);
  r[3] = '\x83';  // NXDOMAIN
  CHECK(parse_dns_response(r, 0x1234).rcode == 3);
}

TEST_CASE("net_probe: the DNS response parser survives hostile input",
          "[probes][parsers][robustness]") {
  for (const auto& input : testing::hostile_inputs()) (void)parse_dns_response(input, 0);
  SUCCEED();
}
