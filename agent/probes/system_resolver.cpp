#include "agent/probes/system_resolver.hpp"

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <netdb.h>
#include <sys/socket.h>
#endif

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "shared/probes/probe_params.hpp"

namespace triage::agent {

namespace {

/// Lookups whose threads still run (waited for or abandoned at their deadline).
std::atomic<int> outstanding{0};
constexpr int kMaxOutstanding = 4;

struct Lookup {
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  Resolution result;
};

Resolution lookup(const std::string& host) {
  Resolution out;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &list);
  if (rc != 0) {
    out.error = ::gai_strerror(rc);
    return out;
  }
  for (auto* ai = list; ai != nullptr && out.addresses.size() < 16; ai = ai->ai_next) {
    char text[NI_MAXHOST] = {};
    if (::getnameinfo(ai->ai_addr, ai->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST) !=
        0) {
      continue;
    }
    if (std::find(out.addresses.begin(), out.addresses.end(), text) == out.addresses.end()) {
      out.addresses.emplace_back(text);
    }
  }
  ::freeaddrinfo(list);
  if (out.addresses.empty()) out.error = "no address";
  return out;
}

}  // namespace

Resolution resolve_system(const std::string& host, ProbeBudget::Clock::time_point deadline) {
  const auto start = ProbeBudget::Clock::now();
  if (outstanding.fetch_add(1) >= kMaxOutstanding) {
    outstanding.fetch_sub(1);
    Resolution busy;
    busy.error = "the resolver is busy with earlier lookups that have not ended; try again later";
    return busy;
  }
  auto state = std::make_shared<Lookup>();
  // Detached: a lookup that outlives its deadline ends on its own and touches only `state`.
  std::thread([state, host] {
    auto result = lookup(host);
    {
      std::lock_guard lock(state->mutex);
      state->result = std::move(result);
      state->done = true;
    }
    state->done_cv.notify_all();
    outstanding.fetch_sub(1);
  }).detach();
  std::unique_lock lock(state->mutex);
  if (!state->done_cv.wait_until(lock, deadline, [&] { return state->done; })) {
    Resolution late;
    late.timed_out = true;
    late.error = "no answer from the resolver within the time budget";
    late.duration_ms = elapsed_ms(start);
    return late;
  }
  auto out = state->result;
  out.duration_ms = elapsed_ms(start);
  return out;
}

std::vector<std::string> probeable_addresses(const Resolution& resolution) {
  std::vector<std::string> out;
  for (const auto& address : resolution.addresses) {
    if (probes::check_host(address, "address")) out.push_back(address);
  }
  return out;
}

std::vector<std::string> resolve_probe_target(const std::string& host, ProbeBudget& budget,
                                              std::string& error) {
  const auto resolved = resolve_system(host, budget.deadline());
  if (resolved.timed_out) {
    budget.cut("time budget ran out before the resolver answered");
    return {};
  }
  if (resolved.addresses.empty()) {
    error = "the name did not resolve: " + resolved.error;
    return {};
  }
  auto addresses = probeable_addresses(resolved);
  if (addresses.empty()) error = "the name resolved to no address that names one host";
  return addresses;
}

}  // namespace triage::agent
