#include "collector/integrations/target_credentials.hpp"

#include "collector/integrations/rt/rt_connector.hpp"
#include "collector/integrations/webhook_connector.hpp"

namespace triage::collector {

std::string seal_for_target(const CredentialCipher* cipher, std::int64_t id,
                            std::string_view secret) {
  return cipher ? cipher->seal(secret, target_aad(id)) : std::string(secret);
}

Result<std::int64_t> insert_target_sealed(Store& store, IntegrationTarget target,
                                          const std::string& secret, const CredentialCipher* cipher,
                                          TimePoint now, std::string* stored_secret) {
  const bool active = target.active;
  target.active = false;
  target.secret.clear();
  auto id = store.insert_integration_target(target);
  if (!id) return id;
  IntegrationTargetUpdate update;
  update.secret = seal_for_target(cipher, *id, secret);
  update.active = active;
  if (auto r = store.update_integration_target(*id, update, now); !r) {
    (void)store.delete_integration_target(*id);
    return tl::unexpected(r.error());
  }
  if (stored_secret) *stored_secret = *update.secret;
  return id;
}

Result<int> seal_stored_secrets(Store& store, const CredentialCipher& cipher, TimePoint now) {
  int sealed = 0;
  for (auto connector : {kWebhookConnector, kRtConnector}) {
    auto targets = store.list_integration_targets(connector);
    if (!targets) return tl::unexpected(targets.error());
    for (const auto& t : *targets) {
      if (t.secret.empty() || is_sealed(t.secret)) continue;
      IntegrationTargetUpdate update;
      update.secret = cipher.seal(t.secret, target_aad(t.id));
      if (auto r = store.update_integration_target(t.id, update, now); !r) {
        return tl::unexpected(r.error());
      }
      ++sealed;
    }
  }
  return sealed;
}

}  // namespace triage::collector
