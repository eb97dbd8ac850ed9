#pragma once
// The audit log's hash chain and checkpoint signatures: pure functions, no I/O. The encoding
// is specified in docs/security.md ("Audit log") so a third party can verify a copy.
//
// Every field is encoded as its byte length (8 bytes, big-endian) followed by its bytes, so
// no choice of field contents can make two different records encode the same.

#include <cstdint>
#include <string>
#include <string_view>

#include "collector/storage/audit_records.hpp"
#include "shared/pki/openssl_ptr.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

/// prev_hash of the first record: 64 zeros.
inline const std::string kAuditGenesisHash(64, '0');

/// The bytes hashed for `record`: its fields from seq to prev_hash (its own hash excluded).
std::string audit_canonical_encoding(const AuditRecord& record);

/// Lowercase hex SHA-256 of audit_canonical_encoding(record).
std::string audit_record_hash(const AuditRecord& record);

/// The record that follows `prev_seq`/`prev_hash` (0 and kAuditGenesisHash for the first):
/// the event's fields as text, with seq, prev_hash and hash filled in.
AuditRecord next_audit_record(const AuditEvent& event, std::uint64_t prev_seq,
                              const std::string& prev_hash);

/// The bytes a checkpoint signs: seq, hash and time, under their own domain tag.
std::string audit_checkpoint_message(const AuditCheckpoint& checkpoint);

/// Signs "the chain up to `seq` ends in `hash`" with an Ed25519 key.
Result<AuditCheckpoint> sign_audit_checkpoint(EVP_PKEY* private_key, std::uint64_t seq,
                                              std::string hash, std::int64_t at_ms);

/// True when the checkpoint's signature is valid for `public_key`.
bool verify_audit_checkpoint(EVP_PKEY* public_key, const AuditCheckpoint& checkpoint);

}  // namespace triage::collector
