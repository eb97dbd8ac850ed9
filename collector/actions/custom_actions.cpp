#include "collector/actions/custom_actions.hpp"

#include <algorithm>

#include "collector/actions/risk_floor.hpp"
#include "collector/audit/audit_log.hpp"
#include "shared/pki/secrets.hpp"
#include "shared/util/log_levels.hpp"

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
  e.details = {{"action", id}, {"user_id", actor.user_id}, {"credential", actor.credential}};
  return e;
}

ProposalStep step_of(const CatalogActor& actor, TimePoint now) {
  return ProposalStep{actor.user, actor.user_id, actor.credential, now};
}

void add_proposal_details(AuditEvent& e, const CatalogProposal& p) {
  e.details["proposal_id"] = p.id;
  e.details["change"] = catalog_change_name(p.change);
  e.details["version"] = p.version;
  e.details["old_sha256"] =
      p.base_sha256.empty() ? nlohmann::json() : nlohmann::json(p.base_sha256);
  e.details["new_sha256"] = p.sha256.empty() ? nlohmann::json() : nlohmann::json(p.sha256);
}

Result<ActionDefinition> parse_stored(const CustomAction& stored) {
  auto def = parse_action_definition(stored.definition, "custom action " + stored.id);
  if (!def) return def;
  if (def->id != stored.id) {
    return fail(ErrorCode::kInvalid, "custom action " + stored.id + " defines `" + def->id + "`");
  }
  def->source = kCustomSource;
  if (auto floor = check_risk_floor(*def); !floor) {
    return fail(ErrorCode::kInvalid, "custom action " + stored.id + ": " + floor.error().message +
                                         "; propose a new version");
  }
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
  auto newest = store.read().audit().list_audit(filter);
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
  logs::orders().info("action catalog {} recorded in the audit log (was {})", hash.substr(0, 16),
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
  if (auto floor = check_risk_floor(*def); !floor) return tl::unexpected(floor.error());
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

Result<std::optional<CustomAction>> CustomActions::stored_custom(const std::string& id) const {
  return store_.read().catalog().find_custom_action(id);
}

Result<void> CustomActions::publish() {
  auto stored = store_.read().catalog().list_custom_actions();
  if (!stored) return tl::unexpected(stored.error());
  std::vector<std::string> skipped;
  auto catalog = build_catalog(base_, *stored, &skipped);
  for (const auto& why : skipped) logs::orders().error("action catalog: {}; left out", why);
  return orders_.replace_catalog(std::move(catalog));
}

Result<CatalogProposal> CustomActions::record_proposal(CatalogProposal proposal,
                                                       const ActionDefinition* def,
                                                       const CatalogActor& actor) {
  // The catalog does not change yet; naming its hash keeps catalog.loaded quiet at the next
  // start (record_catalog_loaded() reads the newest catalog.* record).
  const auto current = catalog_sha256(*orders_.catalog());
  auto audited = audit_.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    auto id = tx.catalog().insert_catalog_proposal(proposal);
    if (!id) return tl::unexpected(id.error());
    proposal.id = *id;
    auto e = catalog_event(actor, "catalog.proposed", proposal.action_id, proposal.proposed.at);
    add_proposal_details(e, proposal);
    if (def) {
      e.details["risk"] = action_risk_name(def->risk);
      e.details["argv"] = def->argv;
    }
    e.details["catalog_sha256"] = current;
    return e;
  });
  if (!audited) return tl::unexpected(audited.error());
  logs::orders().info("catalog change {} of action {} proposed by {} (proposal {})",
                      catalog_change_name(proposal.change), proposal.action_id, actor.user,
                      proposal.id);
  return proposal;
}

Result<CatalogProposal> CustomActions::propose_create(std::string_view text,
                                                      const CatalogActor& actor, TimePoint now) {
  auto def = parse(text, "");
  if (!def) return tl::unexpected(def.error());
  if (auto r = refuse_base(def->id); !r) return tl::unexpected(r.error());
  std::lock_guard lock(mutex_);
  auto old = stored_custom(def->id);
  if (!old) return tl::unexpected(old.error());
  if (*old) return fail(ErrorCode::kConflict, "action `" + def->id + "` exists already");
  CatalogProposal p;
  p.action_id = def->id;
  p.change = CatalogChange::kCreate;
  p.version = def->version;
  p.definition = std::string(text);
  p.sha256 = def->sha256;
  p.proposed = step_of(actor, now);
  return record_proposal(std::move(p), &*def, actor);
}

Result<CatalogProposal> CustomActions::propose_update(const std::string& id, std::string_view text,
                                                      const CatalogActor& actor, TimePoint now) {
  if (auto r = refuse_base(id); !r) return tl::unexpected(r.error());
  std::lock_guard lock(mutex_);
  auto old = stored_custom(id);
  if (!old) return tl::unexpected(old.error());
  if (!*old) return fail(ErrorCode::kNotFound, "no custom action `" + id.substr(0, 64) + "`");
  auto def = parse(text, id);
  if (!def) return tl::unexpected(def.error());
  if (def->version <= (*old)->version) {
    return fail(ErrorCode::kInvalid, "`version`: must be greater than " +
                                         std::to_string((*old)->version) +
                                         ", the version stored now");
  }
  CatalogProposal p;
  p.action_id = id;
  p.change = CatalogChange::kUpdate;
  p.version = def->version;
  p.definition = std::string(text);
  p.sha256 = def->sha256;
  p.base_sha256 = (*old)->sha256;
  p.proposed = step_of(actor, now);
  return record_proposal(std::move(p), &*def, actor);
}

Result<CatalogProposal> CustomActions::propose_delete(const std::string& id,
                                                      const CatalogActor& actor, TimePoint now) {
  if (auto r = refuse_base(id); !r) return tl::unexpected(r.error());
  std::lock_guard lock(mutex_);
  auto old = stored_custom(id);
  if (!old) return tl::unexpected(old.error());
  if (!*old) return fail(ErrorCode::kNotFound, "no custom action `" + id.substr(0, 64) + "`");
  CatalogProposal p;
  p.action_id = id;
  p.change = CatalogChange::kDelete;
  p.version = (*old)->version;
  p.base_sha256 = (*old)->sha256;
  p.proposed = step_of(actor, now);
  return record_proposal(std::move(p), nullptr, actor);
}

Result<void> CustomActions::refuse_created_by(const CatalogActor& actor,
                                              const std::string& proposer) const {
  AuditFilter filter;
  filter.type_prefix = "user.created";
  filter.target = "user:" + actor.user;
  filter.limit = 1;
  auto created = store_.read().audit().list_audit(filter);
  if (!created) return tl::unexpected(created.error());
  if (created->items.empty()) return {};
  const auto& record = created->items.front();
  if (record.actor_kind == audit_actor_kind_name(AuditActorKind::kUser) &&
      record.actor == proposer) {
    return fail(ErrorCode::kDenied,
                "the account " + actor.user + " was created by " + proposer +
                    ", who proposed this change, so it is not a second person; another admin "
                    "or senior must approve it");
  }
  return {};
}

Result<CatalogProposal> CustomActions::pending_proposal(std::int64_t proposal_id) const {
  auto found = store_.read().catalog().find_catalog_proposal(proposal_id);
  if (!found) return tl::unexpected(found.error());
  if (!*found)
    return fail(ErrorCode::kNotFound, "no catalog proposal " + std::to_string(proposal_id));
  if ((*found)->status != ProposalStatus::kPending) {
    return fail(ErrorCode::kConflict, "catalog proposal " + std::to_string((*found)->id) + " is " +
                                          proposal_status_name((*found)->status) + ", not pending");
  }
  return std::move(**found);
}

Result<CatalogProposal> CustomActions::approve(std::int64_t proposal_id, const CatalogActor& actor,
                                               TimePoint now) {
  std::lock_guard lock(mutex_);
  auto pending = pending_proposal(proposal_id);
  if (!pending) return pending;
  CatalogProposal p = std::move(*pending);
  if (actor.user_id == p.proposed.user_id || actor.user == p.proposed.user) {
    return fail(ErrorCode::kDenied,
                "the proposer cannot approve their own proposal; a second admin or senior must");
  }
  if (static_cast<int>(actor.role) < static_cast<int>(Role::kSenior)) {
    return fail(ErrorCode::kDenied, "approving a catalog change needs the senior role");
  }
  if (auto r = refuse_created_by(actor, p.proposed.user); !r) return tl::unexpected(r.error());

  // The action must still be as it was when proposed, and the text must still pass today's
  // rules (the risk floor, a built-in added since).
  if (auto r = refuse_base(p.action_id); !r) return tl::unexpected(r.error());
  auto old = stored_custom(p.action_id);
  if (!old) return tl::unexpected(old.error());
  const std::string stored_sha = *old ? (*old)->sha256 : "";
  if (stored_sha != p.base_sha256) {
    return fail(ErrorCode::kConflict, "custom action `" + p.action_id +
                                          "` changed since this proposal was made; reject it "
                                          "and propose again");
  }
  std::optional<ActionDefinition> def;
  if (p.change != CatalogChange::kDelete) {
    auto parsed = parse(p.definition, p.action_id);
    if (!parsed) return tl::unexpected(parsed.error());
    def = std::move(*parsed);
  }
  CustomAction action;
  if (*old) action = **old;
  if (def) {
    action.id = p.action_id;
    action.version = p.version;
    action.definition = p.definition;
    action.sha256 = p.sha256;
    if (!*old) {
      action.created_by = p.proposed.user;
      action.created_at = now;
    }
    action.updated_by = p.proposed.user;
    action.updated_at = now;
  }
  auto stored = store_.read().catalog().list_custom_actions();
  if (!stored) return tl::unexpected(stored.error());
  const auto next = def ? build_catalog(base_, after_change(*stored, &action, ""))
                        : build_catalog(base_, after_change(*stored, nullptr, p.action_id));

  p.status = ProposalStatus::kActivated;
  p.decided = step_of(actor, now);
  const char* type = p.change == CatalogChange::kCreate   ? "catalog.action_created"
                     : p.change == CatalogChange::kUpdate ? "catalog.action_updated"
                                                          : "catalog.action_deleted";
  auto audited = audit_.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    auto decided = tx.catalog().decide_catalog_proposal(p);
    if (!decided) return tl::unexpected(decided.error());
    if (!*decided) {
      return fail(ErrorCode::kConflict,
                  "catalog proposal " + std::to_string(p.id) + " was decided meanwhile; reload it");
    }
    if (p.change == CatalogChange::kCreate) {
      if (auto r = tx.catalog().insert_custom_action(action); !r) return tl::unexpected(r.error());
    } else if (p.change == CatalogChange::kUpdate) {
      auto replaced = tx.catalog().replace_custom_action(action, p.base_sha256);
      if (!replaced) return tl::unexpected(replaced.error());
      if (!*replaced) {
        return fail(ErrorCode::kConflict,
                    "custom action `" + p.action_id + "` changed meanwhile; reload it");
      }
    } else if (auto r = tx.catalog().delete_custom_action(p.action_id); !r) {
      return tl::unexpected(r.error());
    }
    auto e = catalog_event(actor, type, p.action_id, now);
    add_proposal_details(e, p);
    e.details["proposed_by"] = p.proposed.user;
    e.details["proposed_by_id"] = p.proposed.user_id;
    e.details["approved_by"] = actor.user;
    if (*old) e.details["old_version"] = (*old)->version;
    if (def) {
      e.details["risk"] = action_risk_name(def->risk);
      e.details["argv"] = def->argv;
    }
    e.details["catalog_sha256"] = catalog_sha256(next);
    return e;
  });
  if (!audited) return tl::unexpected(audited.error());
  logs::orders().info("catalog proposal {} ({} of action {} by {}) approved by {}", p.id,
                      catalog_change_name(p.change), p.action_id, p.proposed.user, actor.user);
  if (auto r = publish(); !r) return tl::unexpected(r.error());
  return p;
}

Result<CatalogProposal> CustomActions::reject(std::int64_t proposal_id, const CatalogActor& actor,
                                              std::string_view reason, TimePoint now) {
  std::lock_guard lock(mutex_);
  auto pending = pending_proposal(proposal_id);
  if (!pending) return pending;
  CatalogProposal p = std::move(*pending);
  const bool own = actor.user_id == p.proposed.user_id;
  p.status = own ? ProposalStatus::kWithdrawn : ProposalStatus::kRejected;
  p.decided = step_of(actor, now);
  p.reason = std::string(reason);
  const auto current = catalog_sha256(*orders_.catalog());
  auto audited = audit_.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    auto decided = tx.catalog().decide_catalog_proposal(p);
    if (!decided) return tl::unexpected(decided.error());
    if (!*decided) {
      return fail(ErrorCode::kConflict,
                  "catalog proposal " + std::to_string(p.id) + " was decided meanwhile; reload it");
    }
    auto e = catalog_event(actor, own ? "catalog.proposal_withdrawn" : "catalog.proposal_rejected",
                           p.action_id, now);
    add_proposal_details(e, p);
    e.details["proposed_by"] = p.proposed.user;
    e.details["reason"] = p.reason;
    e.details["catalog_sha256"] = current;
    return e;
  });
  if (!audited) return tl::unexpected(audited.error());
  logs::orders().info("catalog proposal {} {} by {}", p.id, proposal_status_name(p.status),
                      actor.user);
  return p;
}

}  // namespace triage::collector
