// The Linux network probes against real servers on 127.0.0.1: `resolve` with `each_server`
// asking a real dnsmasq (an answer, NXDOMAIN, REFUSED) and a server that never answers;
// `connections` of this very process (an established TCP connection listed with both ends, its
// listener left out); `path` to 127.0.0.1 (reached at the first hop) and to a port where
// nothing answers (silent hops, cut by the time budget).

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "agent/probes/dns_server_query.hpp"
#include "agent/probes/probe_runner.hpp"
#include "tests/support/dnsmasq_server.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::agent;

namespace {

v1::ProbePayload request(const std::string& probe, std::uint32_t time_ms = 10'000) {
  v1::ProbePayload p;
  p.set_probe_run_id("p-test");
  p.set_probe(probe);
  p.set_time_budget_ms(time_ms);
  p.set_output_budget_bytes(16 * 1024);
  return p;
}

/// A sysroot whose /etc/resolv.conf holds `text`.
struct ResolverRoot {
  testing::TempDir dir;
  explicit ResolverRoot(const std::string& text) {
    std::filesystem::create_directories(dir.path() / "etc");
    std::ofstream(dir.path() / "etc" / "resolv.conf") << text;
  }
  ProbeEnvironment env(int port) const {
    ProbeEnvironment e;
    e.sysroot = dir.path().string();
    e.dns_port = static_cast<std::uint16_t>(port);
    return e;
  }
};

/// A UDP socket on 127.0.0.1 that receives and never answers.
struct SilentUdp {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int port = 0;
  explicit SilentUdp(int wanted_port = 0) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(wanted_port));
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return;
    socklen_t length = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &length);
    port = ntohs(a.sin_port);
  }
  ~SilentUdp() { ::close(fd); }
};

bool has(const google::protobuf::RepeatedPtrField<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

TEST_CASE("resolv.conf: nameserver addresses in order, without duplicates or junk",
          "[probes][linux][dns]") {
  const auto servers = resolv_conf_nameservers(
      "# comment\nsearch corp.example\nnameserver 10.0.0.53\nnameserver 10.0.0.53\n"
      "nameserver fe80::1%eth0\nnameserver dns.example.com\nnameserver\noptions ndots:2\n"
      "  nameserver   2001:db8::53  \n");
  CHECK(servers == std::vector<std::string>{"10.0.0.53", "fe80::1", "2001:db8::53"});
}

TEST_CASE("resolve each_server: each configured server's answer, NXDOMAIN and REFUSED told apart",
          "[probes][linux][dns]") {
  testing::DnsmasqServer dns({{"good.test", "192.0.2.10"}, {"good.test", "2001:db8::10"}},
                             {"gone.test"});
  ResolverRoot root("nameserver 127.0.0.1\n");
  const auto env = root.env(dns.port());
  ProbeBudget budget(std::chrono::seconds(10), 16 * 1024);

  v1::ResolveResult good;
  query_each_dns_server("good.test", budget, env, good);
  REQUIRE(good.servers_size() == 1);
  CHECK(good.servers(0).server() == "127.0.0.1");
  CHECK(good.servers(0).configured_in() == "/etc/resolv.conf");
  CHECK(good.servers(0).error().empty());
  CHECK(has(good.servers(0).addresses(), "192.0.2.10"));
  CHECK(has(good.servers(0).addresses(), "2001:db8::10"));

  v1::ResolveResult gone;
  query_each_dns_server("gone.test", budget, env, gone);
  REQUIRE(gone.servers_size() == 1);
  CHECK(gone.servers(0).error() == "no such name");
  CHECK(gone.servers(0).addresses().empty());

  v1::ResolveResult refused;
  query_each_dns_server("elsewhere.example", budget, env, refused);
  REQUIRE(refused.servers_size() == 1);
  CHECK(refused.servers(0).error() == "refused");
  CHECK_FALSE(budget.exceeded());
}

TEST_CASE("resolve each_server: the whole probe answers with the system resolver and each server",
          "[probes][linux][dns]") {
  // "localhost" keeps the system resolver on this machine's hosts file.
  testing::DnsmasqServer dns({{"localhost", "127.0.0.1"}}, {});
  ResolverRoot root("nameserver 127.0.0.1\n");
  auto p = request("resolve");
  p.mutable_resolve()->set_name("localhost");
  p.mutable_resolve()->set_each_server(true);
  auto result = run_probe(p, root.env(dns.port()));
  REQUIRE(result.status() == v1::PROBE_COMPLETED);
  CHECK(result.resolve().resolver() == "system");
  CHECK(has(result.resolve().addresses(), "127.0.0.1"));
  REQUIRE(result.resolve().servers_size() == 1);
  CHECK(has(result.resolve().servers(0).addresses(), "127.0.0.1"));
}

TEST_CASE("resolve each_server: a server that never answers is reported as timed out",
          "[probes][linux][dns]") {
  SilentUdp silent;
  REQUIRE(silent.port != 0);
  ResolverRoot root("nameserver 127.0.0.1\n");
  ProbeBudget budget(std::chrono::seconds(10), 16 * 1024);
  v1::ResolveResult out;
  query_each_dns_server("good.test", budget, root.env(silent.port), out);
  REQUIRE(out.servers_size() == 1);
  CHECK(out.servers(0).error() == "timed out");
  CHECK(out.servers(0).duration_ms() >= 2500);  // the server's 3 s, not an early give-up
}

TEST_CASE("resolve each_server: a budget shorter than the server's silence cuts the probe",
          "[probes][linux][dns][budget]") {
  SilentUdp silent;
  ResolverRoot root("nameserver 127.0.0.1\n");
  ProbeBudget budget(std::chrono::milliseconds(400), 16 * 1024);
  v1::ResolveResult out;
  query_each_dns_server("good.test", budget, root.env(silent.port), out);
  CHECK(budget.exceeded());
  CHECK_THAT(budget.note(), Catch::Contains("time budget ran out while asking DNS server"));
  REQUIRE(out.servers_size() == 1);
  CHECK(out.servers(0).error() == "cut by the time budget");
}

TEST_CASE("resolve each_server: no configured server is said, not guessed",
          "[probes][linux][dns]") {
  testing::TempDir empty;
  ProbeEnvironment env;
  env.sysroot = empty.path().string();
  ProbeBudget budget(std::chrono::seconds(5), 16 * 1024);
  v1::ResolveResult out;
  query_each_dns_server("good.test", budget, env, out);
  CHECK(out.servers_size() == 0);
  CHECK_THAT(out.servers_error(), Catch::Contains("no DNS server is configured"));
}

TEST_CASE("connections: an established connection of this process, with both ends",
          "[probes][linux]") {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor acceptor(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  boost::asio::ip::tcp::socket client(ioc);
  client.connect(acceptor.local_endpoint());
  auto server_side = acceptor.accept();
  const auto listen_port = acceptor.local_endpoint().port();
  const auto client_port = client.local_endpoint().port();

  auto p = request("connections");
  p.mutable_connections()->set_pid(static_cast<std::uint32_t>(::getpid()));
  auto result = run_probe(p, {});
  REQUIRE(result.status() == v1::PROBE_COMPLETED);
  const auto& r = result.connections();
  CHECK(r.error().empty());
  REQUIRE(r.pids_size() == 1);
  CHECK(r.pids(0) == static_cast<std::uint32_t>(::getpid()));
  bool outgoing = false, incoming = false;
  for (const auto& c : r.connections()) {
    CHECK(c.state() != "LISTEN");
    CHECK(c.pid() == static_cast<std::uint32_t>(::getpid()));
    if (c.local_port() == client_port && c.remote_port() == listen_port) {
      outgoing = true;
      CHECK(c.protocol() == "tcp");
      CHECK(c.state() == "ESTABLISHED");
      CHECK(c.remote_address() == "127.0.0.1");
    }
    if (c.local_port() == listen_port && c.remote_port() == client_port) incoming = true;
  }
  CHECK(outgoing);
  CHECK(incoming);
}

TEST_CASE("connections: by process name, and names or pids that match nothing", "[probes][linux]") {
  std::string comm;
  std::getline(std::ifstream("/proc/self/comm"), comm);
  auto by_name = request("connections");
  by_name.mutable_connections()->set_process(comm);
  auto result = run_probe(by_name, {});
  REQUIRE(result.status() == v1::PROBE_COMPLETED);
  const auto& pids = result.connections().pids();
  CHECK(std::find(pids.begin(), pids.end(), static_cast<std::uint32_t>(::getpid())) != pids.end());

  auto nobody = request("connections");
  nobody.mutable_connections()->set_process("no-such-process-here");
  CHECK(run_probe(nobody, {}).connections().error() == "no process is named no-such-process-here");

  auto gone = request("connections");
  gone.mutable_connections()->set_pid(2'000'000'000);
  CHECK(run_probe(gone, {}).connections().error() == "no process with pid 2000000000");
}

TEST_CASE("path: 127.0.0.1 is reached at the first hop", "[probes][linux][path]") {
  auto p = request("path");
  p.mutable_path()->set_host("127.0.0.1");
  p.mutable_path()->set_max_hops(5);
  auto result = run_probe(p, {});
  REQUIRE(result.status() == v1::PROBE_COMPLETED);
  const auto& r = result.path();
  CHECK(r.error().empty());
  CHECK(r.method() == "udp");
  CHECK(r.address() == "127.0.0.1");
  CHECK(r.reached());
  REQUIRE(r.hops_size() == 1);
  CHECK(r.hops(0).ttl() == 1);
  CHECK(r.hops(0).reached());
  CHECK(r.hops(0).address() == "127.0.0.1");
  CHECK(r.hops(0).rtt_ms() > 0.0);
}

TEST_CASE("path: a hop nobody answers is shown silent, and the time budget cuts the walk",
          "[probes][linux][path][budget]") {
  // Something bound at the first hop's port swallows the datagram: no "port unreachable".
  SilentUdp silent;
  REQUIRE(silent.port != 0);
  ProbeEnvironment env;
  env.path_base_port = static_cast<std::uint16_t>(silent.port);
  auto p = request("path", 1500);
  p.mutable_path()->set_host("127.0.0.1");
  p.mutable_path()->set_max_hops(1);
  auto result = run_probe(p, env);
  REQUIRE(result.path().hops_size() == 1);
  CHECK(result.path().hops(0).note() == "no answer");
  CHECK(result.path().hops(0).address().empty());
  CHECK_FALSE(result.path().reached());
  CHECK(result.budget_exceeded());  // two tries of a second each do not fit in 1.5 s
  CHECK_THAT(result.budget_note(), Catch::Contains("hop 1"));
}
