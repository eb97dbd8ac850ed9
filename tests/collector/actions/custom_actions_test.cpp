// Custom actions managed over the API, against a real SQLite store: validated by the file
// parser, never shadowing a built-in, versioned, audited with old and new hash, published to
// the order service (and its connected agents) at once; catalog.loaded only when it changed.

#include <catch2/catch.hpp>

#include "collector/actions/custom_actions.hpp"
#include "collector/audit/audit_log.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "shared/pki/keys.hpp"
#include "shared/pki/secrets.hpp"
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
  AgentRegistry registry;
  pki::PKeyPtr key;
  std::optional<OrderSigner> signer;
  std::optional<ActionCatalog> base;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<OrderService> orders;
  std::unique_ptr<CustomActions> custom;
  TimePoint now = std::chrono::system_clock::now();
  const CatalogActor admin{"ada", "10.0.0.1:4"};

  World() {
    store = std::move(*SqliteStore::open((dir.path() / "c.db").string()));
    key = std::move(*pki::generate_ed25519_key());
    signer.emplace(std::move(*OrderSigner::create(key.get())));
    base.emplace(std::move(*ActionCatalog::load()));
    audit = std::make_unique<AuditLog>(*store);
    orders = std::make_unique<OrderService>(*store, registry, *base, *signer, OrderSettings{},
                                            audit.get());
    custom = std::make_unique<CustomActions>(*store, *orders, *audit, *base);
  }

  std::vector<AuditRecord> catalog_records() {
    AuditFilter filter;
    filter.type_prefix = "catalog.";
    auto page = store->list_audit(filter);
    REQUIRE(page);
    return {page->items.rbegin(), page->items.rend()};
  }
};

nlohmann::json details_of(const AuditRecord& r) { return nlohmann::json::parse(r.details); }

}  // namespace

TEST_CASE("a custom action is validated, stored, audited and in the catalog at once") {
  World w;
  const auto text = definition(1);
  auto created = w.custom->create(text, w.admin, w.now);
  REQUIRE(created);
  CHECK(created->source == "api");
  CHECK(created->sha256 == pki::sha256_hex(text));
  const auto* live = w.orders->catalog()->find("say-hello");
  REQUIRE(live != nullptr);
  CHECK(live->sha256 == created->sha256);
  auto stored = w.store->find_custom_action("say-hello");
  REQUIRE(stored);
  REQUIRE(*stored);
  CHECK((*stored)->definition == text);

  auto records = w.catalog_records();
  REQUIRE(records.size() == 1);
  CHECK(records[0].type == "catalog.action_created");
  CHECK(records[0].actor == "ada");
  CHECK(records[0].source == "10.0.0.1:4");
  CHECK(records[0].target == "action:say-hello");
  auto d = details_of(records[0]);
  CHECK(d["new_sha256"] == created->sha256);
  CHECK(d["old_sha256"].is_null());
  CHECK(d["catalog_sha256"] == catalog_sha256(*w.orders->catalog()));

  auto twice = w.custom->create(text, w.admin, w.now);
  REQUIRE_FALSE(twice);
  CHECK(twice.error().code == ErrorCode::kConflict);
}

TEST_CASE("an invalid definition is refused naming the key, and nothing changes") {
  World w;
  auto bad_risk = w.custom->create(definition(1, "say-hello", "extreme"), w.admin, w.now);
  REQUIRE_FALSE(bad_risk);
  CHECK(bad_risk.error().code == ErrorCode::kInvalid);
  CHECK_THAT(bad_risk.error().message, Catch::Contains("`risk`"));
  auto shell = w.custom->create(
      "id = \"sh\"\nversion = 1\ntitle = \"t\"\nargv = [\"sh\", \"-c\", \"id\"]\nrisk = \"low\"\n",
      w.admin, w.now);
  REQUIRE_FALSE(shell);
  CHECK_THAT(shell.error().message, Catch::Contains("`argv`"));
  auto glued = w.custom->create(
      "id = \"g\"\nversion = 1\ntitle = \"t\"\nargv = [\"/bin/echo\", \"--x={v}\"]\nrisk = "
      "\"low\"\n[params.v]\ntype = \"integer\"\nmin = 1\nmax = 2\n",
      w.admin, w.now);
  REQUIRE_FALSE(glued);
  CHECK(glued.error().code == ErrorCode::kInvalid);
  auto not_toml = w.custom->create("id = [", w.admin, w.now);
  REQUIRE_FALSE(not_toml);
  CHECK(not_toml.error().code == ErrorCode::kInvalid);
  CHECK(w.store->list_custom_actions()->empty());
  CHECK(w.catalog_records().empty());
  CHECK(w.orders->catalog()->all().size() == w.base->all().size());
}

TEST_CASE("built-in actions can be neither shadowed, changed nor deleted") {
  World w;
  auto shadow = w.custom->create(definition(9, "restart-service"), w.admin, w.now);
  REQUIRE_FALSE(shadow);
  CHECK(shadow.error().code == ErrorCode::kConflict);
  CHECK_THAT(shadow.error().message, Catch::Contains("built in"));
  auto change = w.custom->update("flush-dns", definition(9, "flush-dns"), w.admin, w.now);
  REQUIRE_FALSE(change);
  CHECK(change.error().code == ErrorCode::kConflict);
  auto removed = w.custom->remove("reboot", w.admin, w.now);
  REQUIRE_FALSE(removed);
  CHECK(removed.error().code == ErrorCode::kConflict);
  CHECK(w.orders->catalog()->find("reboot")->source == "builtin");
  CHECK(w.catalog_records().empty());
}

TEST_CASE("an update is a new version with a new hash, a pending order keeps its old hash") {
  World w;
  auto v1 = w.custom->create(definition(1), w.admin, w.now);
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
  REQUIRE(w.store->insert_enrollment_token(token));
  REQUIRE(w.store->enroll_device("h", d, w.now));
  Ticket t;
  t.title = "x";
  t.created_at = t.updated_at = t.response_due_at = t.due_at = w.now;
  t.device_ids = {"dev-1"};
  REQUIRE(w.store->create_ticket(t, {}));
  User tom;
  tom.name = "tom";
  tom.role = Role::kTechnician;
  auto order = w.orders->request(OrderRequest{t.id, "say-hello", nlohmann::json::object(), "", ""},
                                 tom, w.now);
  REQUIRE(order);
  CHECK(order->definition_sha256 == v1->sha256);

  auto same_version = w.custom->update("say-hello", definition(1) + "# edited\n", w.admin, w.now);
  REQUIRE_FALSE(same_version);
  CHECK(same_version.error().code == ErrorCode::kInvalid);
  CHECK_THAT(same_version.error().message, Catch::Contains("`version`"));
  auto other_id = w.custom->update("say-hello", definition(2, "say-bye"), w.admin, w.now);
  REQUIRE_FALSE(other_id);
  CHECK_THAT(other_id.error().message, Catch::Contains("`id`"));
  auto unknown = w.custom->update("nope", definition(2, "nope"), w.admin, w.now);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == ErrorCode::kNotFound);

  auto v2 = w.custom->update("say-hello", definition(2), w.admin, w.now);
  REQUIRE(v2);
  CHECK(v2->version == 2);
  CHECK(v2->sha256 != v1->sha256);
  CHECK(w.orders->catalog()->find("say-hello")->sha256 == v2->sha256);
  auto records = w.catalog_records();
  REQUIRE(records.size() == 2);
  CHECK(records[1].type == "catalog.action_updated");
  auto d2 = details_of(records[1]);
  CHECK(d2["old_sha256"] == v1->sha256);
  CHECK(d2["new_sha256"] == v2->sha256);
  CHECK(d2["old_version"] == 1);
  CHECK(d2["version"] == 2);

  // The queued order was signed with version 1's hash and keeps it: the signed catalog now
  // lists only version 2, so the agent refuses it (docs/actions.md).
  auto pending = w.store->find_order(order->id);
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
  auto created = w.custom->create(definition(1), w.admin, w.now);
  REQUIRE(created);
  REQUIRE(w.custom->remove("say-hello", w.admin, w.now));
  CHECK(w.orders->catalog()->find("say-hello") == nullptr);
  CHECK(w.store->list_custom_actions()->empty());
  auto records = w.catalog_records();
  REQUIRE(records.size() == 2);
  CHECK(records[1].type == "catalog.action_deleted");
  CHECK(details_of(records[1])["old_sha256"] == created->sha256);
  auto again = w.custom->remove("say-hello", w.admin, w.now);
  REQUIRE_FALSE(again);
  CHECK(again.error().code == ErrorCode::kNotFound);
}

TEST_CASE("catalog.loaded is recorded at start only when the catalog changed") {
  World w;
  auto catalog = build_catalog(*w.base, *w.store->list_custom_actions());
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
  REQUIRE(w.custom->create(definition(1), w.admin, w.now));
  auto after = build_catalog(*w.base, *w.store->list_custom_actions());
  REQUIRE(record_catalog_loaded(*w.store, *w.audit, after, w.now));
  CHECK(w.catalog_records().size() == 2);
  // Changed behind its back (a definition file edited): recorded with the previous hash.
  REQUIRE(record_catalog_loaded(*w.store, *w.audit, *w.base, w.now));
  records = w.catalog_records();
  REQUIRE(records.size() == 3);
  CHECK(records[2].type == "catalog.loaded");
  CHECK(details_of(records[2])["previous_catalog_sha256"] == catalog_sha256(after));
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
