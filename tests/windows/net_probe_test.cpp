// The network probes' Winsock side, for real on loopback: a TCP connect to a listener of this
// test, and the time probe's SNTP exchange with a responder of this test.
#include <winsock2.h>
#include <ws2tcpip.h>

#include <thread>

#include <catch2/catch.hpp>

#include "agent/collectors/net_probe.hpp"

namespace ta = triage::agent;
namespace v1 = triage::v1;
using namespace std::chrono_literals;

namespace {

/// Winsock for the test's own sockets.
struct Winsock {
  Winsock() {
    WSADATA data;
    REQUIRE(::WSAStartup(MAKEWORD(2, 2), &data) == 0);
  }
  ~Winsock() { ::WSACleanup(); }
};

/// A socket bound to 127.0.0.1 on an ephemeral port.
struct Loopback {
  SOCKET s = INVALID_SOCKET;
  std::uint16_t port = 0;
  explicit Loopback(int type) {
    s = ::socket(AF_INET, type, 0);
    REQUIRE(s != INVALID_SOCKET);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    int len = sizeof a;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~Loopback() { ::closesocket(s); }
};

/// Answers one SNTP request as a server `ahead` of this clock (stratum 0: a kiss-o'-death).
std::thread sntp_responder(const Loopback& server, std::chrono::milliseconds ahead, int stratum) {
  return std::thread([&server, ahead, stratum] {
    char buf[512];
    sockaddr_in from{};
    int len = sizeof from;
    const int n =
        ::recvfrom(server.s, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 48) return;
    std::string reply(48, '\0');
    reply[0] = '\x24';  // LI 0, version 4, mode 4
    reply[1] = static_cast<char>(stratum);
    if (stratum == 0) reply.replace(12, 4, "DENY");
    reply.replace(24, 8, std::string(buf + 40, 8));  // originate = the request's transmit
    const auto now = ta::to_ntp_timestamp(std::chrono::system_clock::now() + ahead);
    for (std::size_t i = 0; i < 8; ++i)
      reply[32 + i] = reply[40 + i] = static_cast<char>((now >> (56 - 8 * i)) & 0xff);
    ::sendto(server.s, reply.data(), static_cast<int>(reply.size()), 0,
             reinterpret_cast<sockaddr*>(&from), len);
  });
}

}  // namespace

TEST_CASE("Windows probes: a TCP connect to a listener, and a refusal") {
  Winsock winsock;
  Loopback listener(SOCK_STREAM);
  REQUIRE(::listen(listener.s, 1) == 0);
  auto ok = ta::probe_tcp("127.0.0.1", listener.port, 2000ms);
  INFO(ok.message);
  CHECK(ok.result == v1::Probe::OK);
  CHECK(ta::probe_tcp("not-an-ip", 80, 100ms).result == v1::Probe::FAILED);
}

TEST_CASE("Windows time probe: one SNTP exchange measures the clock's offset") {
  Winsock winsock;
  Loopback server(SOCK_DGRAM);
  SECTION("a server 90 s ahead") {
    auto t = sntp_responder(server, 90s, 2);
    auto o = ta::probe_sntp("127.0.0.1", 2000ms, server.port);
    t.join();
    INFO(o.probe.message);
    REQUIRE(o.probe.result == v1::Probe::OK);
    CHECK(o.probe.message == "stratum 2");
    REQUIRE(o.offset_ms);
    CHECK(*o.offset_ms == Approx(90000).margin(1000));
  }
  SECTION("a server that refuses service") {
    auto t = sntp_responder(server, 0s, 0);
    auto o = ta::probe_sntp("127.0.0.1", 2000ms, server.port);
    t.join();
    CHECK(o.probe.result == v1::Probe::FAILED);
    CHECK(o.probe.message == "server answered: kiss-o'-death DENY");
    CHECK_FALSE(o.offset_ms);
  }
}
