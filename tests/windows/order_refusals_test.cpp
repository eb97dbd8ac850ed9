// What the Windows agent refuses before anything runs, in its own build: an order for a
// Windows action signed by the pinned key passes; forged, expired, another device's and a
// replayed one are refused; the history that records them is hash-chained in the Windows
// build's SQLite. (Under Wine the end-to-end tests add a forged and another platform's order
// through a real collector: tests/wine.)
#include "shared/util/windows/windows_api.hpp"

#include <catch2/catch.hpp>

#include "agent/actions/action_journal.hpp"
#include "agent/actions/order_verifier.hpp"
#include "shared/actions/action_definition.hpp"
#include "shared/actions/action_params.hpp"
#include "shared/actions/builtin_actions.hpp"
#include "shared/pki/keys.hpp"
#include "shared/pki/secrets.hpp"
#include "shared/protocol/signed_messages.hpp"
#include "shared/sqlite/database.hpp"
#include "tests/windows/windows_test_support.hpp"

namespace ta = triage::agent;
namespace v1 = triage::v1;
namespace pki = triage::pki;

namespace {

constexpr std::int64_t kNow = 1'800'000'000'000;

const char* kIpconfig = R"toml(id = "windows-flush-dns"
version = 1
title = "Flush the DNS cache (Windows)"
platform = "windows"
argv = ['C:\Windows\System32\ipconfig.exe', "/flushdns"]
risk = "low"
)toml";

struct WindowsOrders {
  pki::PKeyPtr key = std::move(*pki::generate_ed25519_key());
  pki::PKeyPtr other_key = std::move(*pki::generate_ed25519_key());
  triage::actions::ActionDefinition def = *triage::actions::parse_action_definition(kIpconfig, "t");
  ta::AcceptedCatalog catalog;
  ta::ActionPolicy policy;

  WindowsOrders() {
    catalog.issued_at_unix_ms = kNow - 1000;
    catalog.entries[def.id] = ta::CatalogEntryInfo{def.version, def.sha256_raw, v1::RISK_LOW};
    policy.allow_custom.push_back("sha256:" + def.sha256);
  }

  v1::OrderPayload payload() const {
    v1::OrderPayload p;
    p.set_order_id("order-1");
    p.set_device_id("dev-1");
    p.set_action_id(def.id);
    p.set_action_version(def.version);
    p.set_definition_sha256(def.sha256_raw);
    p.set_definition(def.text);
    for (const auto& a : def.argv) p.add_argv(a);
    p.set_issued_at_unix_ms(kNow - 1000);
    p.set_expires_at_unix_ms(kNow + 600'000);
    p.set_nonce(pki::random_bytes(32));
    p.set_risk(v1::RISK_LOW);
    p.set_timeout_s(def.timeout_s);
    p.set_output_cap_bytes(def.output_cap_bytes);
    p.set_platform("windows");
    return p;
  }

  v1::SignedOrder sign(const v1::OrderPayload& p, EVP_PKEY* with = nullptr) const {
    return *triage::protocol::sign_order(with ? with : key.get(), "kid", p);
  }

  ta::OrderChecks checks() const {
    ta::OrderChecks c;
    c.pinned_key = key.get();
    c.device_id = "dev-1";
    c.now_unix_ms = kNow;
    c.catalog = &catalog;
    c.policy = &policy;
    c.platform = "windows";
    return c;
  }
};

std::string refusal(const triage::Result<v1::OrderPayload>& r) {
  REQUIRE_FALSE(r);
  CHECK(r.error().code == triage::ErrorCode::kDenied);
  return r.error().message;
}

}  // namespace

TEST_CASE("Windows orders: a Windows action signed by the pinned key and allowed passes") {
  WindowsOrders o;
  auto verified = ta::verify_order(o.sign(o.payload()), o.checks());
  INFO((verified ? std::string() : verified.error().message));
  REQUIRE(verified);
  CHECK(verified->argv(0) == "C:\\Windows\\System32\\ipconfig.exe");
}

TEST_CASE("Windows orders: forged, expired and another device's orders are refused") {
  WindowsOrders o;
  CHECK_THAT(refusal(ta::verify_order(o.sign(o.payload(), o.other_key.get()), o.checks())),
             Catch::Contains("signature"));
  auto tampered = o.sign(o.payload());
  tampered.mutable_payload()->back() ^= 0x01;
  CHECK_FALSE(ta::verify_order(tampered, o.checks()));
  auto expired = o.payload();
  expired.set_issued_at_unix_ms(kNow - 900'000);
  expired.set_expires_at_unix_ms(kNow - 61'000);
  CHECK_THAT(refusal(ta::verify_order(o.sign(expired), o.checks())),
             Catch::Contains("order expired"));
  auto elsewhere = o.payload();
  elsewhere.set_device_id("dev-2");
  CHECK_THAT(refusal(ta::verify_order(o.sign(elsewhere), o.checks())),
             Catch::Contains("not this one"));
  // The collector refuses to sign another platform's action for a device that said which it
  // runs; an order for one that reaches the agent anyway is refused here.
  auto linux_action = o.payload();
  linux_action.set_platform("linux");
  CHECK_THAT(refusal(ta::verify_order(o.sign(linux_action), o.checks())),
             Catch::Contains("order is for platform linux"));
  auto interpreter = o.payload();
  interpreter.set_argv(0, "C:\\Windows\\System32\\cmd.exe");
  CHECK_FALSE(ta::verify_order(o.sign(interpreter), o.checks()));
}

TEST_CASE("Windows orders: a nonce is accepted once, also after the agent restarts") {
  triage::testing::WindowsTempDir temp;
  const auto path = temp.path() / L"actions.db";
  const std::string nonce = pki::random_bytes(32);
  {
    auto journal = ta::ActionJournal::open(path);
    REQUIRE(journal);
    CHECK(*(*journal)->remember_nonce(nonce, "o1", kNow + 1000, kNow) == true);
    CHECK(*(*journal)->remember_nonce(nonce, "o1", kNow + 1000, kNow) == false);
  }
  auto reopened = ta::ActionJournal::open(path);
  REQUIRE(reopened);
  CHECK(*(*reopened)->remember_nonce(nonce, "o1", kNow + 1000, kNow) == false);
}

TEST_CASE("Windows orders: the history of refusals is hash-chained, an edit is found") {
  triage::testing::WindowsTempDir temp;
  const auto path = temp.path() / L"actions.db";
  {
    auto journal = ta::ActionJournal::open(path);
    REQUIRE(journal);
    for (int i = 1; i <= 3; ++i) {
      REQUIRE((*journal)->append(kNow + i,
                                 {{"order_id", "o" + std::to_string(i)}, {"outcome", "refused"}}));
    }
    auto intact = (*journal)->verify();
    REQUIRE(intact);
    CHECK_FALSE(*intact);
  }
  {
    auto db = triage::sqlite::Database::open(path);
    REQUIRE(db);
    REQUIRE(
        (*db)->exec("UPDATE history SET data = replace(data, 'refused', 'succeeded') "
                    "WHERE id = 2"));
  }
  auto journal = ta::ActionJournal::open(path);
  REQUIRE(journal);
  auto broken = (*journal)->verify();
  REQUIRE(broken);
  REQUIRE(*broken);
  CHECK((*broken)->entry_id == 2);
}

TEST_CASE("Windows orders: a built-in Windows action passes, its deny list is refused here") {
  WindowsOrders o;
  const auto* def = triage::actions::find_builtin_action("restart-windows-service");
  REQUIRE(def != nullptr);
  o.catalog.entries[def->id] = ta::CatalogEntryInfo{def->version, def->sha256_raw, v1::RISK_MEDIUM};
  o.policy.max_risk = triage::actions::ActionRisk::kMedium;
  auto order = [&](const std::string& service) {
    v1::OrderPayload p = o.payload();
    p.set_action_id(def->id);
    p.set_action_version(def->version);
    p.set_definition_sha256(def->sha256_raw);
    p.clear_definition();
    p.clear_argv();
    auto* param = p.add_params();
    param->set_name("service");
    param->set_value(service);
    const triage::actions::ParamValues values{{"service", service}};
    for (const auto& a : triage::actions::resolve_argv(def->argv, values)) p.add_argv(a);
    for (const auto& a : triage::actions::resolve_argv(def->post_check->argv, values)) {
      p.mutable_post_check()->add_argv(a);
    }
    p.mutable_post_check()->set_expect_exit_code(def->post_check->expect_exit_code);
    p.mutable_post_check()->set_timeout_s(def->post_check->timeout_s);
    p.set_risk(v1::RISK_MEDIUM);
    p.set_timeout_s(def->timeout_s);
    p.set_output_cap_bytes(def->output_cap_bytes);
    return p;
  };
  auto verified = ta::verify_order(o.sign(order("Spooler")), o.checks());
  INFO((verified ? std::string() : verified.error().message));
  REQUIRE(verified);
  CHECK(verified->argv(0) == "C:\\Program Files\\triage\\triage-agent.exe");
  CHECK_THAT(refusal(ta::verify_order(o.sign(order("EventLog")), o.checks())),
             Catch::Contains("restart-windows-service refuses EventLog"));
}
