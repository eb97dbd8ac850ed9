// SNTP request and answer (RFC 4330 section 5); see sntp_message.hpp.
#include "agent/collectors/sntp_message.hpp"

#include "agent/collectors/net_probe.hpp"

namespace triage::agent {
namespace {

constexpr std::size_t kPacketSize = 48;
/// Seconds from 1900-01-01 (NTP's epoch) to 1970-01-01 (the system clock's).
constexpr std::int64_t kNtpToUnixSeconds = 2'208'988'800;

NtpTimestamp read_timestamp(std::string_view data, std::size_t at) {
  NtpTimestamp t = 0;
  for (std::size_t i = 0; i < 8; ++i) t = (t << 8) | static_cast<unsigned char>(data[at + i]);
  return t;
}

/// a - b in milliseconds, read as a signed 32.32 difference (right across the 2036 wrap).
double difference_ms(NtpTimestamp a, NtpTimestamp b) {
  const auto diff = static_cast<std::int64_t>(a - b);
  return static_cast<double>(diff) / 4294967296.0 * 1000.0;
}

}  // namespace

NtpTimestamp to_ntp_timestamp(std::chrono::system_clock::time_point t) {
  const auto since_unix =
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch());
  const auto seconds = std::chrono::floor<std::chrono::seconds>(since_unix);
  const auto nanos = static_cast<std::uint64_t>((since_unix - seconds).count());
  const auto ntp_seconds = static_cast<std::uint64_t>(seconds.count() + kNtpToUnixSeconds);
  return (ntp_seconds << 32) | ((nanos << 32) / 1'000'000'000ULL);
}

std::string build_sntp_request(NtpTimestamp cookie) {
  std::string packet(kPacketSize, '\0');
  packet[0] = static_cast<char>((4 << 3) | 3);  // LI 0, version 4, mode 3 (client)
  for (std::size_t i = 0; i < 8; ++i) {
    packet[40 + i] = static_cast<char>((cookie >> (56 - 8 * i)) & 0xff);
  }
  return packet;
}

SntpAnswer parse_sntp_response(std::string_view data, NtpTimestamp cookie) {
  SntpAnswer a;
  if (data.size() < kPacketSize) {
    a.error = "too short";
    return a;
  }
  const auto first = static_cast<unsigned char>(data[0]);
  const int leap = first >> 6;
  const int version = (first >> 3) & 0x07;
  const int mode = first & 0x07;
  if (mode != 4 || version < 3 || version > 4) {
    a.error = "not a server reply";
    return a;
  }
  // The originate timestamp echoes the cookie; anything else answers another request (or is
  // forged by someone who did not see ours).
  if (read_timestamp(data, 24) != cookie) {
    a.error = "answers another request";
    return a;
  }
  a.stratum = static_cast<unsigned char>(data[1]);
  if (a.stratum == 0) {
    // Kiss-o'-death: the reference id holds a four-letter code (RATE, DENY, RSTR).
    std::string code;
    for (std::size_t i = 12; i < 16; ++i) {
      const char c = data[i];
      if (c >= 'A' && c <= 'Z') code += c;
    }
    a.error = "kiss-o'-death" + (code.empty() ? std::string() : " " + code);
    return a;
  }
  if (leap == 3 || a.stratum > 15) {
    a.error = "server not synchronised";
    return a;
  }
  a.receive = read_timestamp(data, 32);
  a.transmit = read_timestamp(data, 40);
  if (a.receive == 0 || a.transmit == 0) {
    a.error = "server sent no time";
    return a;
  }
  a.valid = true;
  return a;
}

ClockOffset clock_offset(NtpTimestamp t1, NtpTimestamp t2, NtpTimestamp t3, NtpTimestamp t4) {
  ClockOffset o;
  o.offset_ms = (difference_ms(t2, t1) + difference_ms(t3, t4)) / 2.0;
  o.round_trip_ms = difference_ms(t4, t1) - difference_ms(t3, t2);
  if (o.round_trip_ms < 0) o.round_trip_ms = 0;
  return o;
}

SntpOutcome sntp_outcome(const SntpAnswer& answer, NtpTimestamp t1, NtpTimestamp t4) {
  SntpOutcome o;
  const auto offset = clock_offset(t1, answer.receive, answer.transmit, t4);
  o.probe.result = v1::Probe::OK;
  o.probe.latency_ms = offset.round_trip_ms;
  o.offset_ms = offset.offset_ms;
  o.round_trip_ms = offset.round_trip_ms;
  o.stratum = answer.stratum;
  // The offset itself goes to time_sync, where settling keeps small changes from showing as
  // news; the message stays the same from one snapshot to the next.
  o.probe.message = "stratum " + std::to_string(answer.stratum);
  return o;
}

}  // namespace triage::agent
