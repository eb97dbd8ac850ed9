#pragma once
// Parsers for Linux socket tables: /proc/net/tcp, tcp6, udp, udp6 (one socket a line,
// addresses in the kernel's hexadecimal byte order) and the "socket:[INODE]" links of
// /proc/<pid>/fd. Pure; the listening probe reads the files.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triage::agent {

struct ProcNetSocket {
  std::string address;
  std::uint32_t port = 0;
  std::uint32_t uid = 0;
  std::uint64_t inode = 0;
};

/// The listening sockets of one table: TCP in state 0A (LISTEN), or for `udp` every socket in
/// state 07 without a remote peer. `ipv6` selects the address format.
std::vector<ProcNetSocket> parse_proc_net(std::string_view text, bool udp, bool ipv6);

/// The inode of a "socket:[12345]" fd link; nullopt for anything else.
std::optional<std::uint64_t> socket_inode(std::string_view link);

}  // namespace triage::agent
