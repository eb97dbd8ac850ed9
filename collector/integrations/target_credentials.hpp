#pragma once
// Writing integration targets' credentials sealed (see credential_cipher.hpp): new targets,
// replaced credentials, and, once at start, credentials an older collector stored in the
// clear or bound to the target id only.

#include "collector/integrations/credential_cipher.hpp"
#include "collector/storage/store.hpp"

namespace triage::collector {

/// Inserts `target` with `secret` (in the clear) sealed under its new id: the target is
/// written inactive without a secret, then given the sealed secret and its requested `active`
/// in a second write, so no delivery ever runs with an empty secret. Without a cipher (tests,
/// tools) the secret is stored as it is. Returns the id; `stored_secret` (if given) receives
/// the secret as stored.
Result<std::int64_t> insert_target_sealed(OutboxRepository& store, IntegrationTarget target,
                                          const std::string& secret, const CredentialCipher* cipher,
                                          TimePoint now, std::string* stored_secret = nullptr);

/// `secret` sealed for target `id` at `url` (as it is without a cipher).
std::string seal_for_target(const CredentialCipher* cipher, std::int64_t id, std::string_view url,
                            std::string_view secret);

/// Seals every target credential still stored in the clear, and seals again, bound to id and
/// URL, those an older collector bound to the id only; the number sealed. A legacy value that
/// no longer opens is left as it is (its deliveries fail naming it; give it again).
Result<int> seal_stored_secrets(OutboxRepository& store, const CredentialCipher& cipher,
                                TimePoint now);

}  // namespace triage::collector
