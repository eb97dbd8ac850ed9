#pragma once
// One outgoing connection of a probe: the name through the system resolver, a TCP connect to
// the addresses it gave (first that answers), and optionally a TLS handshake whose details
// are recorded, each step within the probe's deadline. Resolved addresses that name no single
// host (unspecified, broadcast, multicast) are skipped.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "agent/probes/probe.hpp"
#include "agent/probes/probe_budget.hpp"
#include "triage/v1/probe.pb.h"

namespace triage::agent {

struct ConnectReport {
  std::vector<std::string> addresses;
  std::string address;  ///< connected to, or tried last
  std::uint64_t resolve_ms = 0;
  std::uint64_t connect_ms = 0;
  bool connected = false;
  std::string error;  ///< "" when connected (and handshaken, with TLS)
  std::optional<v1::TlsInfo> tls;
};

class ProbeConnection {
 public:
  /// `env` gives the trust store additions; a TLS handshake is verified against the system
  /// store with them (probe_trust_store.hpp, loaded at the first handshake, not before).
  explicit ProbeConnection(const ProbeEnvironment& env);

  /// Connects to host:port (and handshakes when `tls`, checking `server_name`, or the host).
  /// A step cut by the deadline is noted in `budget`.
  ConnectReport open(const std::string& host, std::uint16_t port, bool tls,
                     const std::string& server_name, ProbeBudget& budget);

  boost::asio::io_context& ioc() { return ioc_; }
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket>& stream() { return *stream_; }
  boost::asio::ip::tcp::socket& socket() { return stream_->next_layer(); }
  bool tls() const { return tls_; }

 private:
  boost::asio::io_context ioc_;
  boost::asio::ssl::context ctx_;
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> stream_;
  std::string extra_trust_pem_;
  bool tls_ = false;
};

}  // namespace triage::agent
