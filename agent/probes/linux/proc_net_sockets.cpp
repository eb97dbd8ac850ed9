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

std::vector<ProcNetSocket> parse_proc_net(std::string_view text, bool udp, bool ipv6_table) {
  std::vector<ProcNetSocket> out;
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
    if (udp ? state != "07" : state != "0A") continue;
    const auto colon = local.find(':');
    if (colon == std::string::npos) continue;
    if (udp) {
      const auto rcolon = remote.find(':');
      if (rcolon == std::string::npos || remote.substr(rcolon + 1) != "0000") continue;
    }
    auto address = ipv6_table ? ipv6(std::string_view(local).substr(0, colon))
                              : ipv4(std::string_view(local).substr(0, colon));
    auto port = hex(std::string_view(local).substr(colon + 1));
    std::uint64_t uid_value = 0, inode_value = 0;
    auto [p1, e1] = std::from_chars(uid.data(), uid.data() + uid.size(), uid_value);
    auto [p2, e2] = std::from_chars(inode.data(), inode.data() + inode.size(), inode_value);
    if (!address || !port || e1 != std::errc() || e2 != std::errc()) continue;
    out.push_back(ProcNetSocket{*address, static_cast<std::uint32_t>(*port),
                                static_cast<std::uint32_t>(uid_value), inode_value});
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
