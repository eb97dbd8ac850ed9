#pragma once
// Verification of the audit log: the hash chain from the first record to the head, and every
// signed checkpoint against the chain and the collector's public signing key.

#include <cstdint>
#include <optional>
#include <string>

#include "collector/storage/store.hpp"
#include "shared/pki/openssl_ptr.hpp"

namespace triage::collector {

struct AuditVerification {
  bool intact = false;
  /// The first record (or checkpoint seq) found wrong; set when !intact and a seq is to blame.
  std::optional<std::uint64_t> first_bad_seq;
  /// What is wrong ("seq 17: hash mismatch: ..."), or a summary when intact.
  std::string message;
  std::uint64_t records = 0;      ///< records read
  std::uint64_t head_seq = 0;     ///< last seq of the chain
  std::uint64_t checkpoints = 0;  ///< checkpoints checked
  std::uint64_t last_checkpoint_seq = 0;
};

/// Walks the whole chain and checks every checkpoint with `public_key` (Ed25519). A store
/// error is returned as an error, not as a broken chain.
Result<AuditVerification> verify_audit_log(Store& store, EVP_PKEY* public_key);

}  // namespace triage::collector
