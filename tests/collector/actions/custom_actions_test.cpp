// Custom actions managed over the API, against a real SQLite store: proposed by one admin and
// in force only once a second person approves, validated by the file parser and the risk
// floor, never shadowing a built-in, versioned, audited at both steps with old and new hash,
// published to the order service (and its connected agents) on approval; catalog.loaded only
// when it changed.

#include <catch2/catch.hpp>

#include "collector/actions/custom_actions.hpp"
#include "collector/actions/risk_floor.hpp"
#include "collector/audit/audit_log.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "shared/pki/keys.hpp"
#include "shared/pki/secrets.hpp"
#include "tests/support/recorded_agent_channel.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::collector;
using namespace std::chrono_literals;

namespace {

std::string definition(int version, const std::string& id = "say-hello",
                       const std::string& risk = "low") {
  return "id = \"" + id + "\"\nversion = " + std::to_string(version) +
         "\ntitle = \"Say hello\"\nargv = [\"/bin/echo\", \"hello\", \"v" +
         std::to_string(version) + "\"]\nrisk = \"" + risk + "\"\n";
}

struct World {
  testing::TempDir dir;
  std::unique_ptr<SqliteStore> store;
  testing::RecordedAgentChannel agents;
  pki::PKeyPtr key;
  std::optional<OrderSigner> signer;
  std::optional<ActionCatalog> base;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<OrderService> orders;
  std::unique_ptr<CustomActions> custom;
  TimePoint now = std::chrono::system_clock::now();
  const CatalogActor admin{"ada", 1, Role::kAdmin, "session:aaaa", "10.0.0.1:4"};
  const CatalogActor second{"bob", 2, Role::kSenior, "session:bbbb", "10.0.0.2:5"};

  World() {
    store = std::move(*SqliteStore::open((dir.path() / "c.db").string()));
    key = std::move(*pki::generate_ed25519_key());
    signer.emplace(std::move(*OrderSigner::create(key.get())));
    base.emplace(std::move(*ActionCatalog::load()));
    audit = std::make_unique<AuditLog>(*store);
    orders = std::make_unique<OrderService>(*store, agents, *base, *signer, OrderSettings{},
                                            audit.get());
    custom = std::make_unique<CustomActions>(*store, *orders, *audit, *base);
  }

  /// Proposed by ada, approved by bob: what an admin's change takes to be in force.
  Result<ActionDefinition> create(const std::string& text) {
    auto p = custom->propose_create(text, admin, now);
    if (!p) return tl::unexpected(p.error());
    return approved(p->id);
  }
  Result<ActionDefinition> update(const std::string& id, const std::string& text) {
    auto p = custom->propose_update(id, text, admin, now);
    if (!p) return tl::unexpected(p.error());
    return approved(p->id);
  }
  Result<void> remove(const std::string& id) {
    auto p = custom->propose_delete(id, admin, now);
    if (!p) return tl::unexpected(p.error());
    auto a = custom->approve(p->id, second, now);
    if (!a) return tl::unexpected(a.error());
    return {};
  }
  Result<ActionDefinition> approved(std::int64_t proposal) {
    auto a = custom->approve(proposal, second, now);
    if (!a) return tl::unexpected(a.error());
    return *orders->catalog()->find(a->action_id);
  }

  std::vector<AuditRecord> catalog_records() {
    AuditFilter filter;
    filter.type_prefix = "catalog.";
    auto page = store->read().audit().list_audit(filter);
    REQUIRE(page);
    return {page->items.rbegin(), page->items.rend()};
  }
};

nlohmann::json details_of(const AuditRecord& r) { return nlohmann::json::parse(r.details); }

}  // namespace

TEST_CASE(
    "a custom action proposed by one admin is not runnable until a second person approves it") {
  World w;
  const auto text = definition(1);
  auto proposal = w.custom->propose_create(text, w.admin, w.now);
  REQUIRE(proposal);
  CHECK(proposal->status == ProposalStatus::kPending);
  CHECK(proposal->sha256 == pki::sha256_hex(text));
  // Proposed only: not in the catalog, not stored as an action, and an order is refused.
  CHECK(w.orders->catalog()->find("say-hello") == nullptr);
  CHECK(w.store->read().catalog().list_custom_actions()->empty());
  v1::CatalogManifest before;
  REQUIRE(before.ParseFromString(w.orders->signed_catalog().payload()));
  for (const auto& e : before.entries()) CHECK(e.action_id() != "say-hello");
  User tom;
  tom.id = 7;
  tom.name = "tom";
  tom.role = Role::kTechnician;
  auto early = w.orders->request(OrderRequest{1, "say-hello", nlohmann::json::object(), "", "", ""},
                                 tom, w.now);
  REQUIRE_FALSE(early);
  CHECK_THAT(early.error().message, Catch::Contains("no action `say-hello` in the catalog"));

  auto activated = w.custom->approve(proposal->id, w.second, w.now);
  REQUIRE(activated);
  CHECK(activated->status == ProposalStatus::kActivated);
  REQUIRE(activated->decided);
  CHECK(activated->decided->user == "bob");
  CHECK(activated->decided->user_id == 2);
  const auto* live = w.orders->catalog()->find("say-hello");
  REQUIRE(live != nullptr);
  CHECK(live->source == "api");
  CHECK(live->sha256 == pki::sha256_hex(text));
  auto stored = w.store->read().catalog().find_custom_action("say-hello");
  REQUIRE(stored);
  REQUIRE(*stored);
  CHECK((*stored)->definition == text);
  auto again = w.custom->approve(proposal->id, w.second, w.now);
  REQUIRE_FALSE(again);
  CHECK(again.error().code == ErrorCode::kConflict);

  // Both steps are audited: who proposed (and with which credential), who approved.
  auto records = w.catalog_records();
  REQUIRE(records.size() == 2);
  CHECK(records[0].type == "catalog.proposed");
  CHECK(records[0].actor == "ada");
  CHECK(records[0].source == "10.0.0.1:4");
  CHECK(records[0].target == "action:say-hello");
  auto p = details_of(records[0]);
  CHECK(p["proposal_id"] == proposal->id);
  CHECK(p["new_sha256"] == live->sha256);
  CHECK(p["user_id"] == 1);
  CHECK(p["credential"] == "session:aaaa");
  CHECK(records[1].type == "catalog.action_created");
  CHECK(records[1].actor == "bob");
  CHECK(records[1].source == "10.0.0.2:5");
  auto d = details_of(records[1]);
  CHECK(d["proposal_id"] == proposal->id);
  CHECK(d["proposed_by"] == "ada");
  CHECK(d["approved_by"] == "bob");
  CHECK(d["new_sha256"] == live->sha256);
  CHECK(d["old_sha256"].is_null());
  CHECK(d["catalog_sha256"] == catalog_sha256(*w.orders->catalog()));

  auto twice = w.custom->propose_create(text, w.admin, w.now);
  REQUIRE_FALSE(twice);
  CHECK(twice.error().code == ErrorCode::kConflict);
}

TEST_CASE("the proposer cannot approve their own proposal") {
  World w;
  auto proposal = w.custom->propose_create(definition(1), w.admin, w.now);
  REQUIRE(proposal);
  auto own = w.custom->approve(proposal->id, w.admin, w.now);
  REQUIRE_FALSE(own);
  CHECK(own.error().code == ErrorCode::kDenied);
  CHECK_THAT(own.error().message, Catch::Contains("proposer"));
  // Not under another credential of the same account either (same user id, other session).
  CatalogActor same_user = w.admin;
  same_user.credential = "api_token:other";
  CHECK_FALSE(w.custom->approve(proposal->id, same_user, w.now));
  CHECK(w.orders->catalog()->find("say-hello") == nullptr);
  CHECK(w.store->read().catalog().find_catalog_proposal(proposal->id)->value().status ==
        ProposalStatus::kPending);

  // Nor under an account the proposer created (the proposer chose its password).
  AuditEvent created;
  created.at = w.now;
  created.actor = "ada";
  created.actor_kind = AuditActorKind::kUser;
  created.type = "user.created";
  created.target = "user:sock";
  REQUIRE(w.audit->record(created));
  const CatalogActor sock{"sock", 3, Role::kAdmin, "session:cccc", "10.0.0.1:6"};
  auto puppet = w.custom->approve(proposal->id, sock, w.now);
  REQUIRE_FALSE(puppet);
  CHECK(puppet.error().code == ErrorCode::kDenied);
  CHECK_THAT(puppet.error().message, Catch::Contains("created by ada"));
  // A technician is no second person for the catalog.
  const CatalogActor tech{"tom", 4, Role::kTechnician, "session:dddd", "10.0.0.3:7"};
  CHECK(w.custom->approve(proposal->id, tech, w.now).error().code == ErrorCode::kDenied);
  CHECK(w.orders->catalog()->find("say-hello") == nullptr);

  REQUIRE(w.custom->approve(proposal->id, w.second, w.now));
  CHECK(w.orders->catalog()->find("say-hello") != nullptr);
}

TEST_CASE("a proposal can be rejected or withdrawn, and nothing changes") {
  World w;
  auto first = w.custom->propose_create(definition(1), w.admin, w.now);
  REQUIRE(first);
  auto rejected = w.custom->reject(first->id, w.second, "argv looks wrong", w.now);
  REQUIRE(rejected);
  CHECK(rejected->status == ProposalStatus::kRejected);
  CHECK(rejected->reason == "argv looks wrong");
  CHECK(w.custom->approve(first->id, w.second, w.now).error().code == ErrorCode::kConflict);
  auto second = w.custom->propose_create(definition(1), w.admin, w.now);
  REQUIRE(second);
  auto withdrawn = w.custom->reject(second->id, w.admin, "", w.now);
  REQUIRE(withdrawn);
  CHECK(withdrawn->status == ProposalStatus::kWithdrawn);
  CHECK(w.orders->catalog()->find("say-hello") == nullptr);
  CHECK(w.store->read().catalog().list_custom_actions()->empty());
  std::vector<std::string> types;
  for (const auto& r : w.catalog_records()) types.push_back(r.type);
  CHECK(types == std::vector<std::string>{"catalog.proposed", "catalog.proposal_rejected",
                                          "catalog.proposed", "catalog.proposal_withdrawn"});
  auto pending = w.store->read().catalog().list_catalog_proposals(ProposalStatus::kPending, 10);
  REQUIRE(pending);
  CHECK(pending->empty());
}

TEST_CASE("a custom action cannot rate itself below its argv's floor") {
  World w;
  // systemctl is not a program that only reports: at least medium, whatever the file says.
  const std::string low_root =
      "id = \"stop-fw\"\nversion = 1\ntitle = \"t\"\nargv = [\"/usr/bin/systemctl\", "
      "\"stop\", \"nftables.service\"]\nrisk = \"low\"\n";
  auto refused = w.custom->propose_create(low_root, w.admin, w.now);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::kInvalid);
  CHECK_THAT(refused.error().message, Catch::Contains("`risk`"));
  CHECK_THAT(refused.error().message, Catch::Contains("/usr/bin/systemctl"));
  CHECK_THAT(refused.error().message, Catch::Contains("risk = \"medium\""));
  // The post-check runs as root too.
  auto post_check = w.custom->propose_create(
      definition(1) + "[post_check]\nargv = [\"/usr/bin/rm\", \"-rf\", \"/tmp/x\"]\n", w.admin,
      w.now);
  REQUIRE_FALSE(post_check);
  CHECK_THAT(post_check.error().message, Catch::Contains("post_check"));
  CHECK(w.store->read().catalog().list_catalog_proposals(std::nullopt, 10)->empty());
  // Rated medium it may be proposed; a program that only reports may be low.
  std::string medium = low_root;
  medium.replace(medium.find("\"low\""), 5, "\"medium\"");
  CHECK(w.custom->propose_create(medium, w.admin, w.now));
  CHECK(w.custom->propose_create(definition(1), w.admin, w.now));
  CHECK(risk_floor("/usr/bin/systemctl") == ActionRisk::kMedium);
  CHECK(risk_floor("/bin/echo") == ActionRisk::kLow);
  CHECK(risk_floor("/usr/bin/../bin/echo") == ActionRisk::kMedium);

  // A stored action below the floor (accepted before the floor existed) is left out.
  CustomAction old;
  old.id = "stop-fw";
  old.version = 1;
  old.definition = low_root;
  old.sha256 = pki::sha256_hex(low_root);
  std::vector<std::string> skipped;
  auto catalog = build_catalog(*w.base, {old}, &skipped);
  CHECK(catalog.find("stop-fw") == nullptr);
  REQUIRE(skipped.size() == 1);
  CHECK_THAT(skipped[0], Catch::Contains("`risk`"));
}

TEST_CASE("an invalid definition is refused naming the key, and nothing changes") {
  World w;
  auto bad_risk = w.create(definition(1, "say-hello", "extreme"));
  REQUIRE_FALSE(bad_risk);
  CHECK(bad_risk.error().code == ErrorCode::kInvalid);
  CHECK_THAT(bad_risk.error().message, Catch::Contains("`risk`"));
  auto shell = w.create(
      "id = \"sh\"\nversion = 1\ntitle = \"t\"\nargv = [\"sh\", \"-c\", \"id\"]\nrisk = \"low\"\n");
  REQUIRE_FALSE(shell);
  CHECK_THAT(shell.error().message, Catch::Contains("`argv`"));
  auto glued = w.create(
      "id = \"g\"\nversion = 1\ntitle = \"t\"\nargv = [\"/bin/echo\", \"--x={v}\"]\nrisk = "
      "\"low\"\n[params.v]\ntype = \"integer\"\nmin = 1\nmax = 2\n");
  REQUIRE_FALSE(glued);
  CHECK(glued.error().code == ErrorCode::kInvalid);
  auto not_toml = w.create("id = [");
  REQUIRE_FALSE(not_toml);
  CHECK(not_toml.error().code == ErrorCode::kInvalid);
  CHECK(w.store->read().catalog().list_custom_actions()->empty());
  CHECK(w.catalog_records().empty());
  CHECK(w.orders->catalog()->all().size() == w.base->all().size());
}

TEST_CASE("built-in actions can be neither shadowed, changed nor deleted") {
  World w;
  auto shadow = w.create(definition(9, "restart-service"));
  REQUIRE_FALSE(shadow);
  CHECK(shadow.error().code == ErrorCode::kConflict);
  CHECK_THAT(shadow.error().message, Catch::Contains("built in"));
  auto change = w.update("flush-dns", definition(9, "flush-dns"));
  REQUIRE_FALSE(change);
  CHECK(change.error().code == ErrorCode::kConflict);
  auto removed = w.remove("reboot");
  REQUIRE_FALSE(removed);
  CHECK(removed.error().code == ErrorCode::kConflict);
  CHECK(w.orders->catalog()->find("reboot")->source == "builtin");
  CHECK(w.catalog_records().empty());
}

TEST_CASE("an update is a new version with a new hash, a pending order keeps its old hash") {
  World w;
  auto v1 = w.create(definition(1));
  REQUIRE(v1);

  // An order signed under version 1, still queued (the device is offline).
  Device d;
  d.id = "dev-1";
  d.certificate_sha256 = std::string(64, 'a');
  d.enrolled_at = w.now;
  EnrollmentToken token;
  token.id = "t";
  token.token_hash = "h";
  token.created_at = w.now;
  token.expires_at = w.now + 1h;
  REQUIRE(w.store->write([&](WriteTx& tx) { return tx.devices().insert_enrollment_token(token); }));
  REQUIRE(w.store->write([&](WriteTx& tx) { return tx.devices().enroll_device("h", d, w.now); }));
  Ticket t;
  t.title = "x";
  t.created_at = t.updated_at = t.response_due_at = t.due_at = w.now;
  t.device_ids = {"dev-1"};
  REQUIRE(w.store->write([&](WriteTx& tx) { return tx.tickets().create_ticket(t, {}); }));
  User tom;
  tom.name = "tom";
  tom.role = Role::kTechnician;
  auto order = w.orders->request(
      OrderRequest{t.id, "say-hello", nlohmann::json::object(), "", "", ""}, tom, w.now);
  REQUIRE(order);
  CHECK(order->definition_sha256 == v1->sha256);

  auto same_version = w.update("say-hello", definition(1) + "# edited\n");
  REQUIRE_FALSE(same_version);
  CHECK(same_version.error().code == ErrorCode::kInvalid);
  CHECK_THAT(same_version.error().message, Catch::Contains("`version`"));
  auto other_id = w.update("say-hello", definition(2, "say-bye"));
  REQUIRE_FALSE(other_id);
  CHECK_THAT(other_id.error().message, Catch::Contains("`id`"));
  auto unknown = w.update("nope", definition(2, "nope"));
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == ErrorCode::kNotFound);

  auto v2 = w.update("say-hello", definition(2));
  REQUIRE(v2);
  CHECK(v2->version == 2);
  CHECK(v2->sha256 != v1->sha256);
  CHECK(w.orders->catalog()->find("say-hello")->sha256 == v2->sha256);
  auto records = w.catalog_records();
  REQUIRE(records.size() == 4);  // proposed, created, proposed, updated
  CHECK(records[3].type == "catalog.action_updated");
  auto d2 = details_of(records[3]);
  CHECK(d2["old_sha256"] == v1->sha256);
  CHECK(d2["new_sha256"] == v2->sha256);
  CHECK(d2["old_version"] == 1);
  CHECK(d2["version"] == 2);

  // The queued order was signed with version 1's hash and keeps it: the signed catalog now
  // lists only version 2, so the agent refuses it (docs/actions.md).
  auto pending = w.store->read().orders().find_order(order->id);
  REQUIRE(pending);
  CHECK((*pending)->definition_sha256 == v1->sha256);
  v1::CatalogManifest manifest;
  REQUIRE(manifest.ParseFromString(w.orders->signed_catalog().payload()));
  bool listed_v2 = false;
  for (const auto& e : manifest.entries()) {
    if (e.action_id() != "say-hello") continue;
    CHECK(e.definition_sha256() == v2->sha256_raw);
    CHECK(e.action_version() == 2);
    listed_v2 = true;
  }
  CHECK(listed_v2);
}

TEST_CASE("a custom action is deleted with an audit record, unknown ids are 404") {
  World w;
  auto created = w.create(definition(1));
  REQUIRE(created);
  REQUIRE(w.remove("say-hello"));
  CHECK(w.orders->catalog()->find("say-hello") == nullptr);
  CHECK(w.store->read().catalog().list_custom_actions()->empty());
  auto records = w.catalog_records();
  REQUIRE(records.size() == 4);  // proposed, created, proposed, deleted
  CHECK(records[3].type == "catalog.action_deleted");
  CHECK(details_of(records[3])["old_sha256"] == created->sha256);
  auto again = w.remove("say-hello");
  REQUIRE_FALSE(again);
  CHECK(again.error().code == ErrorCode::kNotFound);
}

TEST_CASE("catalog.loaded is recorded at start only when the catalog changed") {
  World w;
  auto catalog = build_catalog(*w.base, *w.store->read().catalog().list_custom_actions());
  REQUIRE(record_catalog_loaded(*w.store, *w.audit, catalog, w.now));
  auto records = w.catalog_records();
  REQUIRE(records.size() == 1);
  CHECK(records[0].type == "catalog.loaded");
  CHECK(records[0].actor_kind == "system");
  CHECK(details_of(records[0])["catalog_sha256"] == catalog_sha256(catalog));
  // The same catalog at the next start: nothing new.
  REQUIRE(record_catalog_loaded(*w.store, *w.audit, catalog, w.now));
  CHECK(w.catalog_records().size() == 1);
  // Changed over the API: that record names the new hash, so the next start adds nothing.
  REQUIRE(w.create(definition(1)));
  auto after = build_catalog(*w.base, *w.store->read().catalog().list_custom_actions());
  REQUIRE(record_catalog_loaded(*w.store, *w.audit, after, w.now));
  CHECK(w.catalog_records().size() == 3);  // loaded, proposed, created
  // A pending proposal changes nothing in force, so it adds nothing at the next start either.
  REQUIRE(w.custom->propose_update("say-hello", definition(2), w.admin, w.now));
  REQUIRE(record_catalog_loaded(*w.store, *w.audit, after, w.now));
  CHECK(w.catalog_records().size() == 4);
  // Changed behind its back (a definition file edited): recorded with the previous hash.
  REQUIRE(record_catalog_loaded(*w.store, *w.audit, *w.base, w.now));
  records = w.catalog_records();
  REQUIRE(records.size() == 5);
  CHECK(records[4].type == "catalog.loaded");
  CHECK(details_of(records[4])["previous_catalog_sha256"] == catalog_sha256(after));
}

TEST_CASE("a stored custom action that now clashes with a built-in is left out at start") {
  World w;
  CustomAction clash;
  clash.id = "flush-dns";
  clash.version = 1;
  clash.definition = definition(1, "flush-dns");
  clash.sha256 = pki::sha256_hex(clash.definition);
  clash.created_at = clash.updated_at = w.now;
  std::vector<std::string> skipped;
  auto catalog = build_catalog(*w.base, {clash}, &skipped);
  REQUIRE(skipped.size() == 1);
  CHECK_THAT(skipped[0], Catch::Contains("flush-dns"));
  CHECK(catalog.find("flush-dns")->source == "builtin");
}
