#include "collector/integrations/rt/rt_targets.hpp"

#include <algorithm>

#include "collector/integrations/event_types.hpp"
#include "collector/integrations/rt/rt_client.hpp"
#include "collector/integrations/rt/rt_connector.hpp"
#include "collector/integrations/target_credentials.hpp"

namespace triage::collector {

namespace {

constexpr std::size_t kMaxNameBytes = 128;

bool safe_name(const std::string& s, std::size_t max) {
  return !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

bool printable(const std::string& s, std::size_t max) {
  return s.size() <= max &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c != 0x7f; });
}

Result<void> check(const IntegrationTarget& t) {
  if (!printable(t.name, kMaxNameBytes)) {
    return fail(ErrorCode::kInvalid, "`name` must be at most 128 printable bytes");
  }
  if (auto r = check_rt_url(t.url); !r) return r;
  const std::string system = rt_system(t);
  if (!safe_name(system, 64)) {
    return fail(ErrorCode::kInvalid, "`system` must be 1-64 of [A-Za-z0-9._-]");
  }
  const std::string queue = t.settings.value("queue", "");
  if (!printable(queue, 200)) {
    return fail(ErrorCode::kInvalid, "`queue` must be at most 200 printable bytes");
  }
  if (t.settings.value("create_tickets", false) && queue.empty()) {
    return fail(ErrorCode::kInvalid, "`create_tickets` needs a `queue`");
  }
  if (t.event_types.empty()) {
    return fail(ErrorCode::kInvalid, "`events` must list at least one event type");
  }
  const auto& allowed = rt_event_types();
  for (std::size_t i = 0; i < t.event_types.size(); ++i) {
    const auto& e = t.event_types[i];
    if (std::find(allowed.begin(), allowed.end(), e) == allowed.end()) {
      std::string known;
      for (const auto& a : allowed) known += (known.empty() ? "" : ", ") + a;
      return fail(ErrorCode::kInvalid,
                  "`events`: `" + e.substr(0, 64) + "` is not sent to RT (known: " + known + ")");
    }
    if (std::find(t.event_types.begin(), t.event_types.begin() + static_cast<long>(i), e) !=
        t.event_types.begin() + static_cast<long>(i)) {
      return fail(ErrorCode::kInvalid, "`events` lists " + e + " twice");
    }
  }
  return {};
}

Result<void> check_system_free(OutboxRepository& store, const IntegrationTarget& t) {
  auto all = store.list_integration_targets(kRtConnector);
  if (!all) return tl::unexpected(all.error());
  for (const auto& other : *all) {
    if (other.id != t.id && rt_system(other) == rt_system(t)) {
      return fail(ErrorCode::kConflict, "connector " + std::to_string(other.id) +
                                            " uses the system name `" + rt_system(t) + "` already");
    }
  }
  return {};
}

void apply(IntegrationTarget& t, const RtConnectorFields& f) {
  if (f.name) t.name = *f.name;
  if (f.url) t.url = *f.url;
  if (f.queue) t.settings["queue"] = *f.queue;
  if (f.system) t.settings["linked_system"] = *f.system;
  if (f.events) t.event_types = *f.events;
  if (f.create_tickets) t.settings["create_tickets"] = *f.create_tickets;
  if (f.poll_status) t.settings["poll_status"] = *f.poll_status;
  if (f.active) t.active = *f.active;
}

}  // namespace

const std::vector<std::string>& rt_event_types() {
  static const std::vector<std::string> types = {
      std::string(kTicketCreated),      std::string(kTicketDiagnostics),
      std::string(kTicketVerification), std::string(kTicketActionResult),
      std::string(kTicketEscalated),    std::string(kTicketNoteAdded),
      std::string(kTicketStatusChanged)};
  return types;
}

std::vector<std::string> default_rt_events() {
  return {std::string(kTicketDiagnostics), std::string(kTicketVerification),
          std::string(kTicketActionResult)};
}

std::string rt_system(const IntegrationTarget& target) {
  return target.settings.value("linked_system", "");
}

Result<IntegrationTarget> create_rt_connector(OutboxRepository& store,
                                              const RtConnectorFields& fields,
                                              const std::string& actor, TimePoint now,
                                              const CredentialCipher* cipher) {
  IntegrationTarget t;
  t.connector = std::string(kRtConnector);
  t.internal = true;  // comments in RT are staff-only
  t.settings = {
      {"linked_system", "rt"}, {"queue", ""}, {"create_tickets", false}, {"poll_status", false}};
  t.event_types = default_rt_events();
  apply(t, fields);
  if (!fields.url) return fail(ErrorCode::kInvalid, "`url` is required");
  if (!fields.credentials) return fail(ErrorCode::kInvalid, "`credentials` is required");
  if (auto r = parse_rt_credentials(*fields.credentials); !r) {
    return fail(ErrorCode::kInvalid, "`credentials`: " + r.error().message);
  }
  if (auto r = check(t); !r) return tl::unexpected(r.error());
  if (auto r = check_system_free(store, t); !r) return tl::unexpected(r.error());
  auto existing = store.list_integration_targets(kRtConnector);
  if (!existing) return tl::unexpected(existing.error());
  if (existing->size() >= kMaxRtConnectors) {
    return fail(ErrorCode::kConflict,
                "at most " + std::to_string(kMaxRtConnectors) + " RT connectors");
  }
  t.created_by = actor;
  t.created_at = now;
  t.updated_at = now;
  // The checks above read through the caller's write transaction: no other writer (another
  // request, another collector node) can take the system name or the last slot before this.
  auto id = insert_target_sealed(store, t, *fields.credentials, cipher, now, &t.secret);
  if (!id) return tl::unexpected(id.error());
  t.id = *id;
  return t;
}

Result<std::optional<IntegrationTarget>> find_rt_connector(OutboxReader& store, std::int64_t id) {
  auto target = store.find_integration_target(id);
  if (!target) return target;
  if (*target && (*target)->connector != kRtConnector) return std::optional<IntegrationTarget>();
  return target;
}

Result<IntegrationTarget> update_rt_connector(OutboxRepository& store, std::int64_t id,
                                              const RtConnectorFields& fields, TimePoint now,
                                              const CredentialCipher* cipher) {
  auto current = find_rt_connector(store, id);
  if (!current) return tl::unexpected(current.error());
  if (!*current) return fail(ErrorCode::kNotFound, "no connector " + std::to_string(id));
  IntegrationTarget after = **current;
  apply(after, fields);
  if (fields.credentials) {
    if (auto r = parse_rt_credentials(*fields.credentials); !r) {
      return fail(ErrorCode::kInvalid, "`credentials`: " + r.error().message);
    }
  }
  if (auto r = check(after); !r) return tl::unexpected(r.error());
  if (fields.system) {
    if (auto r = check_system_free(store, after); !r) return tl::unexpected(r.error());
  }
  // The credentials were given for one server: they never follow the connector to another.
  const bool moved = after.url != (*current)->url;
  if (moved && !fields.credentials && !(*current)->secret.empty()) {
    return fail(ErrorCode::kInvalid,
                "`credentials`: changing the connector's `url` needs its credentials again "
                "(the stored ones are never sent to a new address)");
  }
  IntegrationTargetUpdate update;
  update.name = fields.name;
  update.url = fields.url;
  update.event_types = fields.events;
  update.active = fields.active;
  update.settings = after.settings;
  if (fields.credentials) {
    update.secret = seal_for_target(cipher, id, after.url, *fields.credentials);
  }
  return store.update_integration_target(id, update, now);
}

}  // namespace triage::collector
