#pragma once
// Servers on 127.0.0.1 for the probe tests: a test PKI (a CA, a certificate for localhost and
// 127.0.0.1, and an expired one) and a small server on its own thread that speaks HTTP or
// HTTPS (GET /redirect answers 302 to /final, /final answers 200 with a known body, anything
// else 404), or accepts TCP and then says nothing (a peer that never answers).

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace triage::testing {

struct ProbeTestPki {
  std::string ca_pem;
  std::string good_chain_pem;  ///< leaf then CA
  std::string good_key_pem;
  std::string expired_chain_pem;  ///< leaf (expired two days ago) then CA
  std::string expired_key_pem;
};

/// A fresh test CA and its two server certificates (CN localhost, SAN localhost and 127.0.0.1).
ProbeTestPki make_probe_test_pki();

/// The body /final answers with.
inline constexpr const char* kFinalBody = "hello from the final page";

class ProbeTestServer {
 public:
  enum class Mode { kHttp, kHttps, kSilent };

  /// Listens on 127.0.0.1:0; `chain_pem` and `key_pem` for kHttps.
  explicit ProbeTestServer(Mode mode, const std::string& chain_pem = "",
                           const std::string& key_pem = "");
  ~ProbeTestServer();
  ProbeTestServer(const ProbeTestServer&) = delete;
  ProbeTestServer& operator=(const ProbeTestServer&) = delete;

  std::uint16_t port() const { return port_; }
  /// Connections accepted so far.
  std::size_t connections() const { return connections_.load(); }

 private:
  void serve();

  struct Impl;
  std::unique_ptr<Impl> impl_;
  Mode mode_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> connections_{0};
  std::thread thread_;
};

}  // namespace triage::testing
