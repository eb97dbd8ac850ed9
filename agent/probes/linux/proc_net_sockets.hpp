#pragma once
// Parsers for Linux socket tables: /proc/net/tcp, tcp6, udp, udp6 (one socket a line,
// addresses in the kernel's hexadecimal byte order) and the "socket:[INODE]" links of
// /proc/<pid>/fd. Pure; the listening probe reads the files.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triage::agent {

/// One of the kernel's socket tables and the protocol name the probes report for it.
struct ProcNetTable {
  const char* path;
  const char* protocol;
  bool udp;
  bool ipv6;
};

inline constexpr std::array<ProcNetTable, 4> kProcNetTables = {{
    {"/proc/net/tcp", "tcp", false, false},
    {"/proc/net/tcp6", "tcp6", false, true},
    {"/proc/net/udp", "udp", true, false},
    {"/proc/net/udp6", "udp6", true, true},
}};

struct ProcNetSocket {
  std::string address;
  std::uint32_t port = 0;
  std::uint32_t uid = 0;
  std::uint64_t inode = 0;
};

/// One socket of a table with its peer and TCP state ("01" ESTABLISHED ... "0A" LISTEN).
struct ProcNetConnection {
  std::string local_address;
  std::uint32_t local_port = 0;
  std::string remote_address;
  std::uint32_t remote_port = 0;
  std::string state;  ///< the kernel's two hex digits
  std::uint32_t uid = 0;
  std::uint64_t inode = 0;
};

/// Every socket of one table, in the file's order.
std::vector<ProcNetConnection> parse_proc_net_all(std::string_view text, bool ipv6);

/// The name of a TCP state ("01" -> "ESTABLISHED"); the digits themselves when unknown.
std::string tcp_state_name(std::string_view hex_state);

/// The listening sockets of one table: TCP in state 0A (LISTEN), or for `udp` every socket in
/// state 07 without a remote peer. `ipv6` selects the address format.
std::vector<ProcNetSocket> parse_proc_net(std::string_view text, bool udp, bool ipv6);

/// The inode of a "socket:[12345]" fd link; nullopt for anything else.
std::optional<std::uint64_t> socket_inode(std::string_view link);

}  // namespace triage::agent
