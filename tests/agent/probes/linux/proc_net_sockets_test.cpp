// The Linux socket table parser: listening TCP and bound UDP sockets from /proc/net text, IPv4
// and IPv6 addresses in the kernel's byte order, and fd links naming sockets.

#include <catch2/catch.hpp>

#include "agent/probes/linux/proc_net_sockets.hpp"

using namespace triage::agent;

TEST_CASE("proc net: listening TCP sockets with address, port, uid and inode", "[probes][linux]") {
  const char* tcp =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
      "timeout inode\n"
      "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 "
      "4242 1 0000000000000000 100 0 0 10 0\n"
      "   1: 0100007F:A1B2 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 "
      "4343 1 0000000000000000 20 4 30 10 -1\n";
  auto sockets = parse_proc_net(tcp, false, false);
  REQUIRE(sockets.size() == 1);
  CHECK(sockets[0].address == "127.0.0.1");
  CHECK(sockets[0].port == 8080);
  CHECK(sockets[0].uid == 1000);
  CHECK(sockets[0].inode == 4242);
}

TEST_CASE("proc net: IPv6 addresses and unconnected UDP sockets", "[probes][linux]") {
  const char* udp6 =
      "  sl  local_address                         remote_address                        st "
      "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
      "  1: 00000000000000000000000001000000:0035 00000000000000000000000000000000:0000 07 "
      "00000000:00000000 00:00000000 00000000   101        0 777 2 0000000000000000 0\n";
  auto sockets = parse_proc_net(udp6, true, true);
  REQUIRE(sockets.size() == 1);
  CHECK(sockets[0].address == "0:0:0:0:0:0:0:1");
  CHECK(sockets[0].port == 53);
  CHECK(sockets[0].inode == 777);
}

TEST_CASE("proc net: malformed lines are skipped", "[probes][linux]") {
  CHECK(parse_proc_net("header\ngarbage\n 0: zz:zz 0:0 0A\n", false, false).empty());
  CHECK(socket_inode("socket:[123]") == 123u);
  CHECK_FALSE(socket_inode("pipe:[123]"));
  CHECK_FALSE(socket_inode("socket:[12x]"));
  CHECK_FALSE(socket_inode("socket:[]"));
}

TEST_CASE("proc net: every socket with its peer and TCP state", "[probes][linux]") {
  const char* tcp =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
      "timeout inode\n"
      "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 "
      "4242 1 0000000000000000 100 0 0 10 0\n"
      "   1: 0A00000A:A1B2 0E01A8C0:01BB 02 00000000:00000000 00:00000000 00000000  1000        0 "
      "4343 1 0000000000000000 20 4 30 10 -1\n";
  auto all = parse_proc_net_all(tcp, false);
  REQUIRE(all.size() == 2);
  CHECK(all[1].local_address == "10.0.0.10");
  CHECK(all[1].local_port == 0xA1B2);
  CHECK(all[1].remote_address == "192.168.1.14");
  CHECK(all[1].remote_port == 443);
  CHECK(tcp_state_name(all[1].state) == "SYN_SENT");
  CHECK(tcp_state_name(all[0].state) == "LISTEN");
  CHECK(tcp_state_name("01") == "ESTABLISHED");
  CHECK(tcp_state_name("ZZ") == "ZZ");
  CHECK(tcp_state_name("0F") == "0F");
}
