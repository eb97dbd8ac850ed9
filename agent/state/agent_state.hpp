#pragma once
// The agent's state directory: its device key and certificate, the pinned collector CA, and
// what enrollment established. Created by `enroll` (0700), read by `run`.

#include <cstdint>
#include <filesystem>
#include <string>

#include "shared/util/result.hpp"

namespace triage::agent {

class StateDir {
 public:
  explicit StateDir(std::filesystem::path root) : root_(std::move(root)) {}

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path device_key() const { return root_ / "device.key"; }
  std::filesystem::path device_certificate() const { return root_ / "device.pem"; }
  std::filesystem::path ca_certificate() const { return root_ / "ca.pem"; }
  std::filesystem::path enrollment() const { return root_ / "enrollment.json"; }
  /// The collector's order-signing public key, pinned at enrollment (orders are verified
  /// against this file only, never against a key a later message names).
  std::filesystem::path order_signing_key() const { return root_ / "order-signing.pub"; }
  /// Seen order nonces and the hash-chained history of orders run or refused.
  std::filesystem::path actions_journal() const { return root_ / "actions.db"; }
  /// Sequence counter of agents before the spool existed; imported once, then removed.
  std::filesystem::path legacy_sequence() const { return root_ / "next-seq"; }
  /// The offline spool (reports, sequence counter, delta chain).
  std::filesystem::path spool() const { return root_ / "spool.db"; }
  /// Local socket for `get-help` unless the config names another.
  std::filesystem::path default_socket() const { return root_ / "agent.sock"; }

  bool enrolled() const;

 private:
  std::filesystem::path root_;
};

/// What enrollment recorded (enrollment.json).
struct Enrollment {
  std::string server_url;  ///< wss://HOST:PORT
  std::string device_id;
  std::string ca_sha256;
  std::string enrolled_at;
};

Result<Enrollment> load_enrollment(const StateDir& dir);
Result<void> save_enrollment(const StateDir& dir, const Enrollment& enrollment);

/// Everything `run` needs to connect: PEM texts plus the enrollment record.
struct AgentIdentity {
  Enrollment enrollment;
  std::string ca_pem;
  std::string certificate_pem;
  std::string key_pem;
  /// Empty when the enrollment predates signed orders (every order is then refused).
  std::string order_signing_key_pem;
};

Result<AgentIdentity> load_identity(const StateDir& dir);

}  // namespace triage::agent
