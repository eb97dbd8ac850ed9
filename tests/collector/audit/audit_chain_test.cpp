#include <catch2/catch.hpp>

#include "collector/audit/audit_chain.hpp"
#include "shared/pki/keys.hpp"
#include "shared/pki/secrets.hpp"

using namespace triage;
using namespace triage::collector;

namespace {

AuditRecord sample_record() {
  AuditRecord r;
  r.seq = 1;
  r.at_ms = 1795000000123;
  r.actor = "alice";
  r.actor_kind = "user";
  r.source = "127.0.0.1:5000";
  r.type = "auth.login.succeeded";
  r.target = "user:alice";
  r.outcome = "success";
  r.details = R"({"session":"bearer"})";
  r.prev_hash = kAuditGenesisHash;
  return r;
}

std::string be64(std::uint64_t n) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>(n & 0xff);
    n >>= 8;
  }
  return out;
}

}  // namespace

TEST_CASE("the canonical encoding is length-prefixed fields in the documented order") {
  const auto r = sample_record();
  std::string expected;
  for (std::string field :
       {std::string("triage-audit-v1"), std::string("1"), std::string("1795000000123"), r.actor,
        r.actor_kind, r.source, r.type, r.target, r.outcome, r.details, r.prev_hash}) {
    expected += be64(field.size()) + field;
  }
  CHECK(audit_canonical_encoding(r) == expected);
  CHECK(audit_record_hash(r) == pki::sha256_hex(expected));
}

TEST_CASE("the record hash matches an independent computation (docs/security.md example)") {
  // Computed with the Python snippet in docs/security.md over sample_record().
  CHECK(audit_record_hash(sample_record()) ==
        "b94d8ccfc68d62341b1818e9884f2d5dd5a40b9d3eac1d062f29b3f6f1a32e3e");
}

TEST_CASE("moving bytes between fields changes the hash") {
  auto a = sample_record();
  auto b = sample_record();
  a.actor = "ab";
  a.actor_kind = "c";
  b.actor = "a";
  b.actor_kind = "bc";
  CHECK(audit_record_hash(a) != audit_record_hash(b));
}

TEST_CASE("every field is covered by the hash") {
  const auto base = audit_record_hash(sample_record());
  auto changed = [&](auto mutate) {
    auto r = sample_record();
    mutate(r);
    return audit_record_hash(r) != base;
  };
  CHECK(changed([](AuditRecord& r) { r.seq = 2; }));
  CHECK(changed([](AuditRecord& r) { r.at_ms += 1; }));
  CHECK(changed([](AuditRecord& r) { r.actor = "mallory"; }));
  CHECK(changed([](AuditRecord& r) { r.actor_kind = "cli"; }));
  CHECK(changed([](AuditRecord& r) { r.source = "10.0.0.1:1"; }));
  CHECK(changed([](AuditRecord& r) { r.type = "auth.login.failed"; }));
  CHECK(changed([](AuditRecord& r) { r.target = "user:bob"; }));
  CHECK(changed([](AuditRecord& r) { r.outcome = "failure"; }));
  CHECK(changed([](AuditRecord& r) { r.details = R"({"session":"cookie"})"; }));
  CHECK(changed([](AuditRecord& r) { r.prev_hash = std::string(64, '1'); }));
}

TEST_CASE("next_audit_record links to its predecessor and writes details canonically") {
  AuditEvent e;
  e.at = TimePoint(std::chrono::milliseconds(1795000000123));
  e.actor = "alice";
  e.actor_kind = AuditActorKind::kUser;
  e.type = "user.created";
  e.target = "user:bob";
  e.details = {{"zeta", 1}, {"alpha", "x"}};
  auto first = next_audit_record(e, 0, kAuditGenesisHash);
  CHECK(first.seq == 1);
  CHECK(first.prev_hash == kAuditGenesisHash);
  CHECK(first.at_ms == 1795000000123);
  CHECK(first.actor_kind == "user");
  CHECK(first.outcome == "success");
  CHECK(first.details == R"({"alpha":"x","zeta":1})");
  CHECK(first.hash == audit_record_hash(first));
  auto second = next_audit_record(e, first.seq, first.hash);
  CHECK(second.seq == 2);
  CHECK(second.prev_hash == first.hash);
  CHECK(second.hash != first.hash);
}

TEST_CASE("checkpoint signatures verify with the signing key only, over seq, hash and time") {
  auto key = pki::generate_ed25519_key();
  REQUIRE(key);
  auto other = pki::generate_ed25519_key();
  REQUIRE(other);
  auto c = sign_audit_checkpoint(key->get(), 7, std::string(64, 'a'), 1795000000000);
  REQUIRE(c);
  CHECK(c->key_id == *pki::public_key_id(key->get()));
  CHECK(verify_audit_checkpoint(key->get(), *c));
  CHECK_FALSE(verify_audit_checkpoint(other->get(), *c));

  auto moved = *c;
  moved.seq = 8;
  CHECK_FALSE(verify_audit_checkpoint(key->get(), moved));
  auto rehashed = *c;
  rehashed.hash = std::string(64, 'b');
  CHECK_FALSE(verify_audit_checkpoint(key->get(), rehashed));
  auto retimed = *c;
  retimed.at_ms += 1;
  CHECK_FALSE(verify_audit_checkpoint(key->get(), retimed));
  auto garbage = *c;
  garbage.signature = "zz";
  CHECK_FALSE(verify_audit_checkpoint(key->get(), garbage));
}
