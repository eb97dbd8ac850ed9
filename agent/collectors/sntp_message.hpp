#pragma once
// The one-request SNTP exchange (RFC 4330) the time probe makes: a client request whose transmit
// timestamp is a random cookie, and the checks a server's answer must pass before its
// timestamps are believed. Portable: each platform's net_probe.cpp moves the datagrams.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace triage::agent {

/// An NTP timestamp: seconds since 1900-01-01 in the high 32 bits, the fraction in the low 32.
using NtpTimestamp = std::uint64_t;

/// `t` as an NTP timestamp (era 0, valid until 2036; the difference of two stays right across
/// the wrap, which is all the offset needs).
NtpTimestamp to_ntp_timestamp(std::chrono::system_clock::time_point t);

/// The 48-byte client request (version 4, mode 3) carrying `cookie` as its transmit timestamp.
/// The cookie is random so that the answer's originate timestamp proves it answers this request,
/// and the local clock is not disclosed.
std::string build_sntp_request(NtpTimestamp cookie);

/// What a server's answer says, once checked.
struct SntpAnswer {
  bool valid = false;
  /// Why an answer was not taken (valid == false): "not a server reply", "kiss-o'-death RATE",
  /// "server not synchronised", "answers another request", "too short".
  std::string error;
  int stratum = 0;
  /// The server's clock when the request arrived (T2) and when the answer left (T3).
  NtpTimestamp receive = 0;
  NtpTimestamp transmit = 0;
};

/// Checks `data` as the answer to the request that carried `cookie`.
SntpAnswer parse_sntp_response(std::string_view data, NtpTimestamp cookie);

/// The local clock's offset from the server's (positive: the local clock is behind) and the
/// round trip, from the four timestamps of one exchange: T1 request sent, T2 request received,
/// T3 answer sent, T4 answer received (T1 and T4 local).
struct ClockOffset {
  double offset_ms = 0;
  double round_trip_ms = 0;
};
ClockOffset clock_offset(NtpTimestamp t1, NtpTimestamp t2, NtpTimestamp t3, NtpTimestamp t4);

}  // namespace triage::agent
