#include "collector/audit/audit_chain.hpp"

#include <openssl/crypto.h>

#include <array>
#include <chrono>

#include "shared/pki/keys.hpp"
#include "shared/pki/secrets.hpp"
#include "shared/pki/signatures.hpp"

namespace triage::collector {

namespace {

constexpr std::string_view kRecordTag = "triage-audit-v1";
constexpr std::string_view kCheckpointTag = "triage-audit-checkpoint-v1";

void append_field(std::string& out, std::string_view field) {
  std::array<char, 8> length{};
  auto n = static_cast<std::uint64_t>(field.size());
  for (int i = 7; i >= 0; --i) {
    length[static_cast<std::size_t>(i)] = static_cast<char>(n & 0xff);
    n >>= 8;
  }
  out.append(length.data(), length.size());
  out.append(field);
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.empty() || hex.size() % 2 != 0) return std::nullopt;
  long length = 0;
  unsigned char* bytes = OPENSSL_hexstr2buf(std::string(hex).c_str(), &length);
  if (bytes == nullptr) return std::nullopt;
  std::string out(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(length));
  OPENSSL_free(bytes);
  return out;
}

}  // namespace

std::string audit_canonical_encoding(const AuditRecord& r) {
  std::string out;
  out.reserve(11 * 8 + r.details.size() + r.actor.size() + r.target.size() + 160);
  append_field(out, kRecordTag);
  append_field(out, std::to_string(r.seq));
  append_field(out, std::to_string(r.at_ms));
  append_field(out, r.actor);
  append_field(out, r.actor_kind);
  append_field(out, r.source);
  append_field(out, r.type);
  append_field(out, r.target);
  append_field(out, r.outcome);
  append_field(out, r.details);
  append_field(out, r.prev_hash);
  return out;
}

std::string audit_record_hash(const AuditRecord& record) {
  return pki::sha256_hex(audit_canonical_encoding(record));
}

AuditRecord next_audit_record(const AuditEvent& event, std::uint64_t prev_seq,
                              const std::string& prev_hash) {
  AuditRecord r;
  r.seq = prev_seq + 1;
  r.at_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(event.at.time_since_epoch()).count();
  r.actor = event.actor;
  r.actor_kind = audit_actor_kind_name(event.actor_kind);
  r.source = event.source;
  r.type = event.type;
  r.target = event.target;
  r.outcome = audit_outcome_name(event.outcome);
  // nlohmann::json keeps object keys sorted, so equal details always dump to equal text.
  r.details = event.details.is_object()
                  ? event.details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                  : std::string("{}");
  r.prev_hash = prev_hash;
  r.hash = audit_record_hash(r);
  return r;
}

std::string audit_checkpoint_message(const AuditCheckpoint& c) {
  std::string out;
  append_field(out, kCheckpointTag);
  append_field(out, std::to_string(c.seq));
  append_field(out, c.hash);
  append_field(out, std::to_string(c.at_ms));
  return out;
}

Result<AuditCheckpoint> sign_audit_checkpoint(EVP_PKEY* private_key, std::uint64_t seq,
                                              std::string hash, std::int64_t at_ms) {
  AuditCheckpoint c;
  c.seq = seq;
  c.hash = std::move(hash);
  c.at_ms = at_ms;
  auto key_id = pki::public_key_id(private_key);
  if (!key_id) return fail("audit checkpoint key", key_id.error());
  c.key_id = std::move(*key_id);
  auto signature = pki::sign_ed25519(private_key, audit_checkpoint_message(c));
  if (!signature) return fail("signing an audit checkpoint", signature.error());
  c.signature = pki::to_hex(*signature);
  return c;
}

bool verify_audit_checkpoint(EVP_PKEY* public_key, const AuditCheckpoint& checkpoint) {
  auto signature = from_hex(checkpoint.signature);
  if (!signature) return false;
  return pki::verify_ed25519(public_key, audit_checkpoint_message(checkpoint), *signature);
}

}  // namespace triage::collector
