#pragma once
// The agent's side of certificate renewal: when to ask (two thirds of the certificate's
// lifetime gone), a new key and its CSR, and installing what the collector signed so that a
// crash at any moment leaves the state directory with a key and a certificate that belong
// together.

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/state/agent_state.hpp"
#include "shared/util/result.hpp"

namespace triage::agent {

/// True once less than a third of the certificate's lifetime is left at `now_unix` (seconds).
Result<bool> renewal_due(std::string_view certificate_pem, std::int64_t now_unix);

/// A new key (P-256, as at enrollment) and the CSR that asks for it to be certified.
struct RenewalKey {
  std::string key_pem;
  std::string csr_pem;
};
Result<RenewalKey> prepare_renewal(std::string_view device_id);

/// Checks `certificate_pem` — it chains to the pinned CA (`identity.ca_pem`), names this device,
/// certifies `key.key_pem` and is valid now — then makes `key` and it the device's key and
/// certificate in `state`. Nothing is changed when a check fails.
Result<void> install_renewed_certificate(const StateDir& state, const AgentIdentity& identity,
                                         const RenewalKey& key, std::string_view certificate_pem);

/// Finishes or undoes a renewal an earlier run left half installed (the key replaced, the
/// certificate not yet), so that device.key and device.pem belong together again. Nothing to do
/// in the common case.
Result<void> recover_interrupted_renewal(const StateDir& state);

}  // namespace triage::agent
