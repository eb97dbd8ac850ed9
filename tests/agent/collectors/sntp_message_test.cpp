// The SNTP exchange of the time probe: the request it sends, the answers it believes, and the
// offset it computes from the four timestamps.
#include <catch2/catch.hpp>

#include "agent/collectors/net_probe.hpp"
#include "agent/collectors/sntp_message.hpp"

using namespace triage::agent;

namespace {

constexpr NtpTimestamp kCookie = 0x0123456789abcdefULL;

/// A server's answer: version 4, mode 4, stratum 2, echoing `originate`.
std::string answer(NtpTimestamp originate, NtpTimestamp receive, NtpTimestamp transmit,
                   int stratum = 2, int leap = 0, int mode = 4) {
  std::string p(48, '\0');
  p[0] = static_cast<char>((leap << 6) | (4 << 3) | mode);
  p[1] = static_cast<char>(stratum);
  auto put = [&](std::size_t at, NtpTimestamp t) {
    for (std::size_t i = 0; i < 8; ++i) p[at + i] = static_cast<char>((t >> (56 - 8 * i)) & 0xff);
  };
  put(24, originate);
  put(32, receive);
  put(40, transmit);
  return p;
}

/// `seconds` (and a fraction) as an NTP timestamp.
NtpTimestamp ntp(std::uint64_t seconds, double fraction = 0) {
  return (seconds << 32) | static_cast<std::uint64_t>(fraction * 4294967296.0);
}

}  // namespace

TEST_CASE("SNTP request: 48 bytes, version 4 client, the cookie as transmit timestamp",
          "[parsers][probes]") {
  auto request = build_sntp_request(kCookie);
  REQUIRE(request.size() == 48);
  CHECK(static_cast<unsigned char>(request[0]) == 0x23);  // LI 0, VN 4, mode 3
  CHECK(request.substr(1, 39) == std::string(39, '\0'));  // no local time disclosed
  CHECK(request.substr(40) == "\x01\x23\x45\x67\x89\xab\xcd\xef");
}

TEST_CASE("NTP timestamps count from 1900", "[parsers][probes]") {
  CHECK(to_ntp_timestamp(std::chrono::system_clock::time_point{}) == ntp(2'208'988'800));
  const auto half = std::chrono::system_clock::time_point{} + std::chrono::milliseconds(1500);
  CHECK(to_ntp_timestamp(half) == ntp(2'208'988'801, 0.5));
}

TEST_CASE("SNTP answers: only a synchronised server's reply to this request is believed",
          "[parsers][probes]") {
  const auto t2 = ntp(3'900'000'000, 0.25);
  const auto t3 = ntp(3'900'000'000, 0.26);
  auto good = parse_sntp_response(answer(kCookie, t2, t3), kCookie);
  REQUIRE(good.valid);
  CHECK(good.stratum == 2);
  CHECK(good.receive == t2);
  CHECK(good.transmit == t3);

  CHECK(parse_sntp_response(answer(kCookie + 1, t2, t3), kCookie).error ==
        "answers another request");
  CHECK(parse_sntp_response(answer(kCookie, t2, t3, 2, 0, 3), kCookie).error ==
        "not a server reply");
  CHECK(parse_sntp_response(answer(kCookie, t2, t3, 2, 3), kCookie).error ==
        "server not synchronised");
  CHECK(parse_sntp_response(answer(kCookie, t2, t3, 16), kCookie).error ==
        "server not synchronised");
  CHECK(parse_sntp_response(answer(kCookie, 0, 0), kCookie).error == "server sent no time");
  CHECK(parse_sntp_response(answer(kCookie, t2, t3).substr(0, 47), kCookie).error == "too short");
  auto kiss = answer(kCookie, t2, t3, 0);
  kiss.replace(12, 4, "RATE");
  CHECK(parse_sntp_response(kiss, kCookie).error == "kiss-o'-death RATE");
  // Whatever the bytes, the parser answers with a verdict and never reads past them.
  for (std::size_t n = 0; n < 64; ++n) {
    CHECK_FALSE(parse_sntp_response(std::string(n, '\xff'), kCookie).valid);
  }
}

TEST_CASE("SNTP offset and round trip from the four timestamps", "[parsers][probes]") {
  // The local clock is 2.5 s behind; 40 ms each way; the server takes 10 ms.
  const auto t1 = ntp(3'900'000'000);
  const auto t2 = ntp(3'900'000'002, 0.54);
  const auto t3 = ntp(3'900'000'002, 0.55);
  const auto t4 = ntp(3'900'000'000, 0.09);
  auto o = clock_offset(t1, t2, t3, t4);
  CHECK(o.offset_ms == Approx(2500).margin(0.01));
  CHECK(o.round_trip_ms == Approx(80).margin(0.01));
  // Ahead by a minute, across NTP's 2036 wrap of the seconds counter.
  auto wrap = clock_offset(ntp(0xffffffffULL - 59, 0.5) + ntp(60), ntp(0xffffffffULL - 59, 0.5),
                           ntp(0xffffffffULL - 59, 0.5), ntp(0xffffffffULL - 59, 0.5) + ntp(60));
  CHECK(wrap.offset_ms == Approx(-60000).margin(0.01));
  CHECK(wrap.round_trip_ms == Approx(0).margin(0.01));

  auto outcome = sntp_outcome(parse_sntp_response(answer(kCookie, t2, t3, 3), kCookie), t1, t4);
  CHECK(outcome.probe.result == triage::v1::Probe::OK);
  CHECK(outcome.probe.message == "stratum 3");
  REQUIRE(outcome.offset_ms);
  CHECK(*outcome.offset_ms == Approx(2500).margin(0.01));
  REQUIRE(outcome.probe.latency_ms);
  CHECK(*outcome.probe.latency_ms == Approx(80).margin(0.01));
}
