// The DNS messages of the DNS probe: one A query, and the parts of its response the probe
// reports. Portable: each platform's net_probe.cpp sends and receives them.
#include "agent/collectors/net_probe.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {

std::string build_dns_query(std::uint16_t id, std::string_view name) {
  std::string q;
  q += static_cast<char>(id >> 8);
  q += static_cast<char>(id & 0xff);
  q += std::string("\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 10);  // RD, 1 question
  for (auto label : split(name, '.')) {
    if (label.empty()) continue;
    if (label.size() > 63) return {};
    q += static_cast<char>(label.size());
    q += label;
  }
  q += std::string("\x00\x00\x01\x00\x01", 5);  // root, type A, class IN
  return q;
}

DnsAnswer parse_dns_response(std::string_view data, std::uint16_t id) {
  DnsAnswer a;
  if (data.size() < 12) return a;
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(data[i]); };
  if ((byte(0) << 8 | byte(1)) != id || !(byte(2) & 0x80)) return a;
  a.valid = true;
  a.rcode = byte(3) & 0x0f;
  a.answers = static_cast<std::uint16_t>(byte(6) << 8 | byte(7));
  // Skip the question to reach the first A record.
  std::size_t pos = 12;
  while (pos < data.size() && byte(pos) != 0) pos += (byte(pos) & 0xc0) ? 1 : byte(pos) + 1;
  pos += 5;
  for (int i = 0; i < a.answers && pos + 12 <= data.size(); ++i) {
    if (byte(pos) & 0xc0)
      pos += 2;
    else {
      while (pos < data.size() && byte(pos) != 0) pos += byte(pos) + 1;
      pos += 1;
    }
    if (pos + 10 > data.size()) break;
    auto type = byte(pos) << 8 | byte(pos + 1);
    auto rdlen = static_cast<std::size_t>(byte(pos + 8) << 8 | byte(pos + 9));
    pos += 10;
    if (type == 1 && rdlen == 4 && pos + 4 <= data.size()) {
      a.first_ipv4 = std::to_string(byte(pos)) + "." + std::to_string(byte(pos + 1)) + "." +
                     std::to_string(byte(pos + 2)) + "." + std::to_string(byte(pos + 3));
      break;
    }
    pos += rdlen;
  }
  return a;
}

ProbeOutcome dns_outcome(const DnsAnswer& answer, const std::string& name, double latency_ms) {
  ProbeOutcome o;
  o.latency_ms = latency_ms;
  if (answer.rcode == 0 && answer.answers > 0) {
    o.result = v1::Probe::OK;
    o.message = answer.first_ipv4.empty() ? "answered" : name + " -> " + answer.first_ipv4;
    o.resolved = answer.first_ipv4;
    return o;
  }
  o.result = v1::Probe::FAILED;
  static const char* kRcodes[] = {"NOERROR",  "FORMERR", "SERVFAIL",
                                  "NXDOMAIN", "NOTIMP",  "REFUSED"};
  o.message = answer.rcode < 6 ? std::string(kRcodes[answer.rcode])
                               : "rcode " + std::to_string(answer.rcode);
  if (answer.rcode == 0) o.message = "no address for " + name;
  return o;
}

}  // namespace triage::agent
