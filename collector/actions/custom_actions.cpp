#include "collector/actions/custom_actions.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "collector/audit/audit_log.hpp"
#include "shared/pki/secrets.hpp"

namespace triage::collector {

namespace {

constexpr const char* kCustomSource = "api";

AuditEvent catalog_event(const CatalogActor& actor, std::string type, const std::string& id,
                         TimePoint now) {
  AuditEvent e;
  e.at = now;
  e.actor = actor.user;
  e.actor_kind = AuditActorKind::kUser;
  e.source = actor.source;
  e.type = std::move(type);
  e.target = "action:" + id;
  e.details = {{"action", id}};
  return e;
}

Result<ActionDefinition> parse_stored(const CustomAction& stored) {
  auto def = parse_action_definition(stored.definition, "custom action " + stored.id);
  if (!def) return def;
  if (def->id != stored.id) {
    return fail(ErrorCode::kInvalid, "custom action " + stored.id + " defines `" + def->id + "`");
  }
  def->source = kCustomSource;
  return def;
}

/// The stored list with `changed` put in (or `removed_id` taken out), as it is after a change.
std::vector<CustomAction> after_change(std::vector<CustomAction> stored,
                                       const CustomAction* changed, const std::string& removed_id) {
  std::erase_if(stored, [&](const CustomAction& a) {
    return a.id == removed_id || (changed && a.id == changed->id);
  });
  if (changed) stored.push_back(*changed);
  return stored;
}

}  // namespace

ActionCatalog build_catalog(const ActionCatalog& base, const std::vector<CustomAction>& stored,
                            std::vector<std::string>* skipped) {
  std::vector<ActionDefinition> defs = base.all();
  for (const auto& action : stored) {
    auto def = parse_stored(action);
    std::string why;
    if (!def) {
      why = def.error().message;
    } else if (base.find(def->id) != nullptr) {
      why = "custom action " + def->id + " has the id of a built-in or file-defined action";
    }
    if (!why.empty()) {
      if (skipped) skipped->push_back(why);
      continue;
    }
    defs.push_back(std::move(*def));
  }
  std::sort(defs.begin(), defs.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return ActionCatalog(std::move(defs));
}

std::string catalog_sha256(const ActionCatalog& catalog) {
  std::string lines;
  for (const auto& def : catalog.all()) {
    lines += def.id + " " + std::to_string(def.version) + " " + def.sha256 + "\n";
  }
  return pki::sha256_hex(lines);
}

Result<void> record_catalog_loaded(Store& store, AuditLog& audit, const ActionCatalog& catalog,
                                   TimePoint now) {
  const auto hash = catalog_sha256(catalog);
  AuditFilter filter;
  filter.type_prefix = "catalog.";
  filter.limit = 1;
  auto newest = store.list_audit(filter);
  if (!newest) return tl::unexpected(newest.error());
  std::string previous;
  if (!newest->items.empty()) {
    auto details = nlohmann::json::parse(newest->items.front().details, nullptr, false);
    if (details.is_object() && details.value("catalog_sha256", nlohmann::json()).is_string()) {
      previous = details["catalog_sha256"].get<std::string>();
    }
  }
  if (previous == hash) return {};
  std::size_t custom = 0;
  for (const auto& def : catalog.all()) custom += def.source == kCustomSource ? 1 : 0;
  AuditEvent e;
  e.at = now;
  e.actor = "system";
  e.actor_kind = AuditActorKind::kSystem;
  e.type = "catalog.loaded";
  e.target = "catalog";
  e.details = {{"catalog_sha256", hash},
               {"previous_catalog_sha256", previous},
               {"actions", catalog.all().size()},
               {"custom_actions", custom}};
  if (auto r = audit.record(e); !r) return tl::unexpected(r.error());
  spdlog::info("action catalog {} recorded in the audit log (was {})", hash.substr(0, 16),
               previous.empty() ? "none" : previous.substr(0, 16));
  return {};
}

CustomActions::CustomActions(Store& store, OrderService& orders, AuditLog& audit,
                             ActionCatalog base)
    : store_(store), orders_(orders), audit_(audit), base_(std::move(base)) {}

Result<ActionDefinition> CustomActions::parse(std::string_view text,
                                              const std::string& id_wanted) const {
  auto def = parse_action_definition(text, "(uploaded)");
  if (!def) return def;
  if (!id_wanted.empty() && def->id != id_wanted) {
    return fail(ErrorCode::kInvalid, "`id`: the definition defines `" + def->id +
                                         "`, the request names `" + id_wanted + "`");
  }
  def->source = kCustomSource;
  return def;
}

Result<void> CustomActions::refuse_base(const std::string& id) const {
  if (const auto* def = base_.find(id)) {
    return fail(ErrorCode::kConflict,
                "action `" + id + "` is " +
                    (def->source == "builtin" ? std::string("built in")
                                              : "defined by a file on the collector") +
                    " and cannot be changed over the API");
  }
  return {};
}

Result<void> CustomActions::publish() {
  auto stored = store_.list_custom_actions();
  if (!stored) return tl::unexpected(stored.error());
  std::vector<std::string> skipped;
  auto catalog = build_catalog(base_, *stored, &skipped);
  for (const auto& why : skipped) spdlog::error("action catalog: {}; left out", why);
  return orders_.replace_catalog(std::move(catalog));
}

Result<ActionDefinition> CustomActions::create(std::string_view text, const CatalogActor& actor,
                                               TimePoint now) {
  auto def = parse(text, "");
  if (!def) return def;
  if (auto r = refuse_base(def->id); !r) return tl::unexpected(r.error());
  std::lock_guard lock(mutex_);
  auto stored = store_.list_custom_actions();
  if (!stored) return tl::unexpected(stored.error());
  CustomAction action;
  action.id = def->id;
  action.version = def->version;
  action.definition = std::string(text);
  action.sha256 = def->sha256;
  action.created_by = actor.user;
  action.updated_by = actor.user;
  action.created_at = now;
  action.updated_at = now;
  const auto next = build_catalog(base_, after_change(*stored, &action, ""));
  auto audited = audit_.record_with([&]() -> Result<AuditEvent> {
    if (auto r = store_.insert_custom_action(action); !r) return tl::unexpected(r.error());
    auto e = catalog_event(actor, "catalog.action_created", action.id, now);
    e.details["version"] = action.version;
    e.details["old_sha256"] = nullptr;
    e.details["new_sha256"] = action.sha256;
    e.details["risk"] = action_risk_name(def->risk);
    e.details["argv"] = def->argv;
    e.details["catalog_sha256"] = catalog_sha256(next);
    return e;
  });
  if (!audited) return tl::unexpected(audited.error());
  spdlog::info("custom action {} v{} created by {}", action.id, action.version, actor.user);
  if (auto r = publish(); !r) return tl::unexpected(r.error());
  return def;
}

Result<ActionDefinition> CustomActions::update(const std::string& id, std::string_view text,
                                               const CatalogActor& actor, TimePoint now) {
  if (auto r = refuse_base(id); !r) return tl::unexpected(r.error());
  std::lock_guard lock(mutex_);
  auto old = store_.find_custom_action(id);
  if (!old) return tl::unexpected(old.error());
  if (!*old) return fail(ErrorCode::kNotFound, "no custom action `" + id.substr(0, 64) + "`");
  auto def = parse(text, id);
  if (!def) return def;
  if (def->version <= (*old)->version) {
    return fail(ErrorCode::kInvalid, "`version`: must be greater than " +
                                         std::to_string((*old)->version) +
                                         ", the version stored now");
  }
  auto stored = store_.list_custom_actions();
  if (!stored) return tl::unexpected(stored.error());
  CustomAction action = **old;
  action.version = def->version;
  action.definition = std::string(text);
  action.sha256 = def->sha256;
  action.updated_by = actor.user;
  action.updated_at = now;
  const auto next = build_catalog(base_, after_change(*stored, &action, ""));
  auto audited = audit_.record_with([&]() -> Result<AuditEvent> {
    auto replaced = store_.replace_custom_action(action, (*old)->sha256);
    if (!replaced) return tl::unexpected(replaced.error());
    if (!*replaced) {
      return fail(ErrorCode::kConflict, "custom action `" + id + "` changed meanwhile; reload it");
    }
    auto e = catalog_event(actor, "catalog.action_updated", id, now);
    e.details["old_version"] = (*old)->version;
    e.details["version"] = action.version;
    e.details["old_sha256"] = (*old)->sha256;
    e.details["new_sha256"] = action.sha256;
    e.details["risk"] = action_risk_name(def->risk);
    e.details["argv"] = def->argv;
    e.details["catalog_sha256"] = catalog_sha256(next);
    return e;
  });
  if (!audited) return tl::unexpected(audited.error());
  spdlog::info("custom action {} v{} -> v{} by {}", id, (*old)->version, action.version,
               actor.user);
  if (auto r = publish(); !r) return tl::unexpected(r.error());
  return def;
}

Result<void> CustomActions::remove(const std::string& id, const CatalogActor& actor,
                                   TimePoint now) {
  if (auto r = refuse_base(id); !r) return tl::unexpected(r.error());
  std::lock_guard lock(mutex_);
  auto old = store_.find_custom_action(id);
  if (!old) return tl::unexpected(old.error());
  if (!*old) return fail(ErrorCode::kNotFound, "no custom action `" + id.substr(0, 64) + "`");
  auto stored = store_.list_custom_actions();
  if (!stored) return tl::unexpected(stored.error());
  const auto next = build_catalog(base_, after_change(*stored, nullptr, id));
  auto audited = audit_.record_with([&]() -> Result<AuditEvent> {
    if (auto r = store_.delete_custom_action(id); !r) return tl::unexpected(r.error());
    auto e = catalog_event(actor, "catalog.action_deleted", id, now);
    e.details["old_version"] = (*old)->version;
    e.details["old_sha256"] = (*old)->sha256;
    e.details["new_sha256"] = nullptr;
    e.details["catalog_sha256"] = catalog_sha256(next);
    return e;
  });
  if (!audited) return tl::unexpected(audited.error());
  spdlog::info("custom action {} deleted by {}", id, actor.user);
  return publish();
}

}  // namespace triage::collector
