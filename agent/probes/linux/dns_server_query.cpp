#include "agent/probes/dns_server_query.hpp"

#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <poll.h>

#include <algorithm>
#include <mutex>
#include <sstream>

#include "shared/util/fs_root.hpp"

namespace triage::agent {

namespace {

constexpr std::size_t kMaxServers = 8;
constexpr std::size_t kMaxAddresses = 16;
/// One server may not take the whole budget from the ones after it.
constexpr std::chrono::milliseconds kPerServerTimeout{3000};

struct Query {
  int status = ARES_ENODATA;
  std::vector<std::string> addresses;
  bool done = false;
};

void on_answer(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen, int family) {
  auto* q = static_cast<Query*>(arg);
  q->done = true;
  q->status = status;
  if (status != ARES_SUCCESS) return;
  char text[INET6_ADDRSTRLEN] = {};
  if (family == AF_INET) {
    ares_addrttl found[kMaxAddresses];
    int count = static_cast<int>(kMaxAddresses);
    q->status = ares_parse_a_reply(abuf, alen, nullptr, found, &count);
    for (int i = 0; q->status == ARES_SUCCESS && i < count; ++i) {
      if (::inet_ntop(AF_INET, &found[i].ipaddr, text, sizeof text))
        q->addresses.emplace_back(text);
    }
  } else {
    ares_addr6ttl found[kMaxAddresses];
    int count = static_cast<int>(kMaxAddresses);
    q->status = ares_parse_aaaa_reply(abuf, alen, nullptr, found, &count);
    for (int i = 0; q->status == ARES_SUCCESS && i < count; ++i) {
      if (::inet_ntop(AF_INET6, &found[i].ip6addr, text, sizeof text)) {
        q->addresses.emplace_back(text);
      }
    }
  }
}

void on_a(void* arg, int status, int timeouts, unsigned char* abuf, int alen) {
  on_answer(arg, status, timeouts, abuf, alen, AF_INET);
}
void on_aaaa(void* arg, int status, int timeouts, unsigned char* abuf, int alen) {
  on_answer(arg, status, timeouts, abuf, alen, AF_INET6);
}

/// What a technician reads for a c-ares status; "" when the server answered.
std::string status_text(int status) {
  switch (status) {
    case ARES_SUCCESS:
    case ARES_ENODATA:  // the name exists, without records of this type
      return "";
    case ARES_ENOTFOUND:
      return "no such name";
    case ARES_EREFUSED:
      return "refused";
    case ARES_ESERVFAIL:
      return "server failure";
    case ARES_ENOTIMP:
      return "not implemented by the server";
    case ARES_EFORMERR:
      return "the server could not read the query";
    case ARES_ETIMEOUT:
      return "timed out";
    case ARES_ECONNREFUSED:
      return "connection refused";
    case ARES_ECANCELLED:
      return "cut by the time budget";
    default:
      return ares_strerror(status);
  }
}

bool library_ready() {
  static const bool ready = ares_library_init(ARES_LIB_INIT_ALL) == ARES_SUCCESS;
  return ready;
}

/// Asks one server for A and AAAA together, until both answered or `deadline`.
v1::DnsServerAnswer ask(const std::string& name, const ConfiguredDnsServer& server,
                        std::uint16_t port, ProbeBudget::Clock::time_point deadline) {
  v1::DnsServerAnswer out;
  out.set_server(server.address);
  out.set_configured_in(server.configured_in);
  const auto start = ProbeBudget::Clock::now();
  // The server's own timeout; the budget's deadline, when nearer, cancels the queries below
  // (and says the budget cut them, not the server).
  ares_options options{};
  options.timeout = static_cast<int>(kPerServerTimeout.count());
  options.tries = 1;
  // No search domains: this one name, asked of this one server. NOCHECKRESP: a SERVFAIL or
  // REFUSED answer is the finding, not a reason to try elsewhere.
  options.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOCHECKRESP;
  options.ndomains = 0;
  ares_channel channel = nullptr;
  if (ares_init_options(&channel, &options,
                        ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS | ARES_OPT_DOMAINS) !=
      ARES_SUCCESS) {
    out.set_error("the DNS client could not start");
    return out;
  }
  const bool v6 = server.address.find(':') != std::string::npos;
  const auto csv = (v6 ? "[" + server.address + "]" : server.address) + ":" + std::to_string(port);
  if (ares_set_servers_ports_csv(channel, csv.c_str()) != ARES_SUCCESS) {
    ares_destroy(channel);
    out.set_error("not a server address");
    return out;
  }
  Query a, aaaa;
  ares_query(channel, name.c_str(), ns_c_in, ns_t_a, on_a, &a);
  ares_query(channel, name.c_str(), ns_c_in, ns_t_aaaa, on_aaaa, &aaaa);
  while (!(a.done && aaaa.done)) {
    const auto now = ProbeBudget::Clock::now();
    if (now >= deadline) {
      ares_cancel(channel);  // both callbacks run now, with ARES_ECANCELLED
      break;
    }
    ares_socket_t sockets[ARES_GETSOCK_MAXNUM];
    const int bits = ares_getsock(channel, sockets, ARES_GETSOCK_MAXNUM);
    pollfd fds[ARES_GETSOCK_MAXNUM];
    nfds_t count = 0;
    for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
      const short events = static_cast<short>((ARES_GETSOCK_READABLE(bits, i) ? POLLIN : 0) |
                                              (ARES_GETSOCK_WRITABLE(bits, i) ? POLLOUT : 0));
      if (events != 0) fds[count++] = pollfd{sockets[i], events, 0};
    }
    timeval left{};
    const auto budget_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    timeval most{static_cast<time_t>(budget_ms / 1000),
                 static_cast<suseconds_t>((budget_ms % 1000) * 1000)};
    const timeval* wait = ares_timeout(channel, &most, &left);
    const int wait_ms = static_cast<int>(wait->tv_sec * 1000 + wait->tv_usec / 1000) + 1;
    const int ready = ::poll(fds, count, wait_ms);
    if (ready <= 0) {
      ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // timeouts
      continue;
    }
    for (nfds_t i = 0; i < count; ++i) {
      ares_process_fd(channel,
                      (fds[i].revents & (POLLIN | POLLERR | POLLHUP)) ? fds[i].fd : ARES_SOCKET_BAD,
                      (fds[i].revents & POLLOUT) ? fds[i].fd : ARES_SOCKET_BAD);
    }
  }
  ares_destroy(channel);  // callbacks of queries still pending run here (ARES_EDESTRUCTION)
  out.set_duration_ms(elapsed_ms(start));
  for (const auto* q : {&a, &aaaa}) {
    for (const auto& address : q->addresses) {
      if (out.addresses_size() < static_cast<int>(kMaxAddresses)) out.add_addresses(address);
    }
  }
  const auto a_error = status_text(a.status);
  const auto aaaa_error = status_text(aaaa.status);
  // One answer is enough to say the server works; otherwise the A query's error speaks.
  if (!a_error.empty() && !aaaa_error.empty()) out.set_error(a_error);
  return out;
}

}  // namespace

std::vector<std::string> resolv_conf_nameservers(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string keyword, value;
    if (!(words >> keyword >> value) || keyword != "nameserver") continue;
    // A link-local IPv6 server carries its interface ("fe80::1%eth0"); c-ares takes the
    // address alone.
    value = value.substr(0, value.find('%'));
    unsigned char bytes[16];
    const bool numeric = ::inet_pton(AF_INET, value.c_str(), bytes) == 1 ||
                         ::inet_pton(AF_INET6, value.c_str(), bytes) == 1;
    if (numeric && std::find(out.begin(), out.end(), value) == out.end()) out.push_back(value);
  }
  return out;
}

void query_each_dns_server(const std::string& name, ProbeBudget& budget,
                           const ProbeEnvironment& env, v1::ResolveResult& out) {
  const FsRoot fs(env.sysroot);
  std::vector<ConfiguredDnsServer> servers;
  for (const char* file : {"/etc/resolv.conf", "/run/systemd/resolve/resolv.conf"}) {
    auto text = fs.read(file, 64 * 1024);
    if (!text) continue;
    for (auto& address : resolv_conf_nameservers(*text)) {
      const bool known = std::any_of(servers.begin(), servers.end(),
                                     [&](const auto& s) { return s.address == address; });
      if (!known && servers.size() < kMaxServers) servers.push_back({address, file});
    }
  }
  if (servers.empty()) {
    out.set_servers_error("no DNS server is configured (/etc/resolv.conf names none)");
    return;
  }
  if (!library_ready()) {
    out.set_servers_error("the DNS client library could not start");
    return;
  }
  for (std::size_t i = 0; i < servers.size(); ++i) {
    if (budget.expired()) {
      budget.cut("time budget ran out after " + std::to_string(i) + " of " +
                 std::to_string(servers.size()) + " DNS servers");
      return;
    }
    *out.add_servers() = ask(name, servers[i], env.dns_port, budget.deadline());
    if (out.servers(static_cast<int>(i)).error() == "cut by the time budget") {
      budget.cut("time budget ran out while asking DNS server " + servers[i].address);
      return;
    }
  }
}

}  // namespace triage::agent
