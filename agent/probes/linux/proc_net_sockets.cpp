#include "agent/probes/linux/proc_net_sockets.hpp"

#include <charconv>
#include <cstdio>
#include <sstream>

namespace triage::agent {

namespace {

std::optional<std::uint64_t> hex(std::string_view text) {
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

/// "0100007F" -> 127.0.0.1; the kernel prints each 32-bit word in host (little-endian) order.
std::optional<std::string> ipv4(std::string_view word) {
  auto v = hex(word);
  if (!v || word.size() != 8) return std::nullopt;
  return std::to_string(*v & 0xff) + "." + std::to_string((*v >> 8) & 0xff) + "." +
         std::to_string((*v >> 16) & 0xff) + "." + std::to_string((*v >> 24) & 0xff);
}

std::optional<std::string> ipv6(std::string_view text) {
  if (text.size() != 32) return std::nullopt;
  unsigned char bytes[16];
  for (int w = 0; w < 4; ++w) {
    auto v = hex(text.substr(static_cast<std::size_t>(w) * 8, 8));
    if (!v) return std::nullopt;
    for (int b = 0; b < 4; ++b)
      bytes[w * 4 + b] = static_cast<unsigned char>((*v >> (8 * b)) & 0xff);
  }
  std::string out;
  char group[8];
  for (int i = 0; i < 16; i += 2) {
    if (i > 0) out += ':';
    std::snprintf(group, sizeof group, "%x", (bytes[i] << 8) | bytes[i + 1]);
    out += group;
  }
  return out;
}

}  // namespace

std::vector<ProcNetConnection> parse_proc_net_all(std::string_view text, bool ipv6_table) {
  std::vector<ProcNetConnection> out;
  std::istringstream lines{std::string(text)};
  std::string line;
  std::getline(lines, line);  // the header
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues, timer, retr, uid, timeout, inode;
    if (!(fields >> slot >> local >> remote >> state >> queues >> timer >> retr >> uid >> timeout >>
          inode)) {
      continue;
    }
    const auto colon = local.find(':');
    const auto rcolon = remote.find(':');
    if (colon == std::string::npos || rcolon == std::string::npos) continue;
    const auto address = [&](std::string_view word) {
      return ipv6_table ? ipv6(word) : ipv4(word);
    };
    auto local_address = address(std::string_view(local).substr(0, colon));
    auto remote_address = address(std::string_view(remote).substr(0, rcolon));
    auto local_port = hex(std::string_view(local).substr(colon + 1));
    auto remote_port = hex(std::string_view(remote).substr(rcolon + 1));
    std::uint64_t uid_value = 0, inode_value = 0;
    auto [p1, e1] = std::from_chars(uid.data(), uid.data() + uid.size(), uid_value);
    auto [p2, e2] = std::from_chars(inode.data(), inode.data() + inode.size(), inode_value);
    if (!local_address || !remote_address || !local_port || !remote_port || e1 != std::errc() ||
        e2 != std::errc() || state.size() != 2) {
      continue;
    }
    out.push_back(ProcNetConnection{*local_address, static_cast<std::uint32_t>(*local_port),
                                    *remote_address, static_cast<std::uint32_t>(*remote_port),
                                    state, static_cast<std::uint32_t>(uid_value), inode_value});
  }
  return out;
}

std::string tcp_state_name(std::string_view hex_state) {
  // include/net/tcp_states.h
  static constexpr std::string_view kNames[] = {
      "",      "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",   "TIME_WAIT",
      "CLOSE", "CLOSE_WAIT",  "LAST_ACK", "LISTEN",   "CLOSING",   "NEW_SYN_RECV"};
  auto value = hex(hex_state);
  if (!value || *value == 0 || *value >= std::size(kNames)) return std::string(hex_state);
  return std::string(kNames[*value]);
}

std::vector<ProcNetSocket> parse_proc_net(std::string_view text, bool udp, bool ipv6_table) {
  std::vector<ProcNetSocket> out;
  for (auto& s : parse_proc_net_all(text, ipv6_table)) {
    if (udp ? s.state != "07" : s.state != "0A") continue;
    if (udp && s.remote_port != 0) continue;
    out.push_back(ProcNetSocket{std::move(s.local_address), s.local_port, s.uid, s.inode});
  }
  return out;
}

std::optional<std::uint64_t> socket_inode(std::string_view link) {
  constexpr std::string_view kPrefix = "socket:[";
  if (link.size() <= kPrefix.size() + 1 || link.substr(0, kPrefix.size()) != kPrefix ||
      link.back() != ']') {
    return std::nullopt;
  }
  const auto digits = link.substr(kPrefix.size(), link.size() - kPrefix.size() - 1);
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
  return value;
}

}  // namespace triage::agent
