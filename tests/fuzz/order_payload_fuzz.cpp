// An order signed by the pinned key, as whoever holds the collector's signing key can send:
// the agent's whole check (agent/actions/order_verifier.cpp, verify_order) down to the
// endpoint's veto on content (order_content.cpp: parameters validated with the local
// definition, argv and post-check rendered and compared, restart-service's unit guard, a
// custom definition file parsed). Input: a serialized OrderPayload. The harness plays a
// cooperative collector and owner so the fuzzer reaches the content checks: the signed catalog
// lists the order's action with its hash and risk, the device id and clock match, the policy
// allows up to high risk and pins the custom definition the order carries.

#include "agent/actions/order_verifier.hpp"
#include "shared/pki/keys.hpp"
#include "shared/pki/secrets.hpp"
#include "shared/protocol/signed_messages.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace triage;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static pki::PKeyPtr key = std::move(*pki::generate_ed25519_key());
  v1::OrderPayload payload;
  if (!payload.ParseFromArray(data, static_cast<int>(size))) return 0;
  agent::ActionPolicy policy;
  policy.max_risk = agent::ActionRisk::kHigh;
  if (!payload.definition().empty()) {
    payload.set_definition_sha256(pki::sha256_raw(payload.definition()));
    policy.allow_custom.push_back("sha256:" + pki::to_hex(payload.definition_sha256()));
  }
  agent::AcceptedCatalog catalog;
  catalog.entries[payload.action_id()] = agent::CatalogEntryInfo{
      payload.action_version(), payload.definition_sha256(), payload.risk()};
  agent::OrderChecks checks;
  checks.pinned_key = key.get();
  checks.device_id = payload.device_id();
  // A real clock reads somewhere in this century, whatever the order claims.
  const std::int64_t issued = payload.issued_at_unix_ms();
  checks.now_unix_ms = issued > 0 && issued < 4'000'000'000'000 ? issued : 1'800'000'000'000;
  checks.catalog = &catalog;
  checks.policy = &policy;
  // A Windows order is judged by a Windows agent's rules (drive-absolute argv[0]).
  checks.platform = payload.platform() == "windows" ? "windows" : "linux";
  auto signed_order = protocol::sign_order(key.get(), "kid", payload);
  if (!signed_order) return 0;
  (void)agent::verify_order(*signed_order, checks);
  return 0;
}
