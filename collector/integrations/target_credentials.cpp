#include "collector/integrations/target_credentials.hpp"

#include "collector/integrations/rt/rt_connector.hpp"
#include "collector/integrations/webhook_connector.hpp"
#include "shared/util/log_levels.hpp"

namespace triage::collector {

std::string seal_for_target(const CredentialCipher* cipher, std::int64_t id, std::string_view url,
                            std::string_view secret) {
  return cipher ? cipher->seal(secret, target_aad(id, url)) : std::string(secret);
}

Result<std::int64_t> insert_target_sealed(OutboxRepository& store, IntegrationTarget target,
                                          const std::string& secret, const CredentialCipher* cipher,
                                          TimePoint now, std::string* stored_secret) {
  const bool active = target.active;
  target.active = false;
  target.secret.clear();
  auto id = store.insert_integration_target(target);
  if (!id) return id;
  IntegrationTargetUpdate update;
  update.secret = seal_for_target(cipher, *id, target.url, secret);
  update.active = active;
  if (auto r = store.update_integration_target(*id, update, now); !r) {
    (void)store.delete_integration_target(*id);
    return tl::unexpected(r.error());
  }
  if (stored_secret) *stored_secret = *update.secret;
  return id;
}

Result<int> seal_stored_secrets(OutboxRepository& store, const CredentialCipher& cipher,
                                TimePoint now) {
  int sealed = 0;
  for (auto connector : {kWebhookConnector, kRtConnector}) {
    auto targets = store.list_integration_targets(connector);
    if (!targets) return tl::unexpected(targets.error());
    for (const auto& t : *targets) {
      if (!needs_sealing(t.secret)) continue;
      auto clear = reveal_secret(t.secret, t.id, t.url, &cipher);
      if (!clear) {
        logs::integrations().error(
            "integration target {}: its stored credential does not open ({}); give "
            "it again",
            t.id, clear.error().message);
        continue;
      }
      IntegrationTargetUpdate update;
      update.secret = cipher.seal(*clear, target_aad(t.id, t.url));
      if (auto r = store.update_integration_target(t.id, update, now); !r) {
        return tl::unexpected(r.error());
      }
      ++sealed;
    }
  }
  return sealed;
}

}  // namespace triage::collector
