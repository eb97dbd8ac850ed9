#include "collector/audit/audit_verify.hpp"

#include <map>

#include "collector/audit/audit_chain.hpp"
#include "shared/pki/keys.hpp"

namespace triage::collector {

namespace {

AuditVerification broken(AuditVerification v, std::uint64_t seq, std::string message) {
  v.intact = false;
  v.first_bad_seq = seq;
  v.message = std::move(message);
  return v;
}

}  // namespace

Result<AuditVerification> verify_audit_log(Store& store, EVP_PKEY* public_key) {
  auto checkpoints = store.read().audit().audit_checkpoints();
  if (!checkpoints) return tl::unexpected(checkpoints.error());
  auto key_id = pki::public_key_id(public_key);
  if (!key_id) return fail("audit signing key", key_id.error());

  AuditVerification v;
  // Checkpoint signatures first: a bad one is reported at its seq even when the chain
  // breaks later on.
  std::map<std::uint64_t, const AuditCheckpoint*> by_seq;
  for (const auto& c : *checkpoints) {
    if (c.key_id != *key_id) {
      return broken(v, c.seq,
                    "checkpoint at seq " + std::to_string(c.seq) + " names signing key " +
                        c.key_id + ", not this collector's key " + *key_id);
    }
    if (!verify_audit_checkpoint(public_key, c)) {
      return broken(v, c.seq,
                    "checkpoint at seq " + std::to_string(c.seq) +
                        ": signature is not valid: the checkpoint was forged or altered");
    }
    by_seq[c.seq] = &c;
  }
  v.checkpoints = checkpoints->size();

  std::uint64_t expected_seq = 1;
  std::string prev_hash = kAuditGenesisHash;
  std::optional<AuditVerification> failure;
  auto scanned = store.read().audit().scan_audit(1, [&](const AuditRecord& r) {
    ++v.records;
    if (r.seq != expected_seq) {
      failure = broken(v, expected_seq,
                       "seq " + std::to_string(expected_seq) + " is missing (the next record is " +
                           std::to_string(r.seq) + "): records were deleted");
      return false;
    }
    if (r.prev_hash != prev_hash) {
      failure = broken(v, r.seq,
                       "seq " + std::to_string(r.seq) +
                           ": prev_hash does not match the hash of the record before it");
      return false;
    }
    if (audit_record_hash(r) != r.hash) {
      failure = broken(v, r.seq,
                       "seq " + std::to_string(r.seq) +
                           ": hash mismatch: the record was changed after it was written");
      return false;
    }
    if (auto c = by_seq.find(r.seq); c != by_seq.end() && c->second->hash != r.hash) {
      failure = broken(v, r.seq,
                       "seq " + std::to_string(r.seq) +
                           ": differs from its signed checkpoint: the chain was rewritten");
      return false;
    }
    prev_hash = r.hash;
    v.head_seq = r.seq;
    ++expected_seq;
    return true;
  });
  if (!scanned) return tl::unexpected(scanned.error());
  if (failure) return *failure;

  if (!checkpoints->empty()) {
    const auto& last = checkpoints->back();
    if (last.seq > v.head_seq) {
      return broken(v, v.head_seq + 1,
                    "the log ends at seq " + std::to_string(v.head_seq) +
                        " but a signed checkpoint covers seq " + std::to_string(last.seq) +
                        ": records were removed from the end");
    }
    v.last_checkpoint_seq = last.seq;
  }
  v.intact = true;
  v.message = "audit log intact: " + std::to_string(v.records) + " records, " +
              std::to_string(v.checkpoints) + " signed checkpoints";
  if (v.head_seq > v.last_checkpoint_seq) {
    v.message += "; records " + std::to_string(v.last_checkpoint_seq + 1) + ".." +
                 std::to_string(v.head_seq) +
                 " are after the last checkpoint (protected by the hash chain only)";
  }
  return v;
}

}  // namespace triage::collector
