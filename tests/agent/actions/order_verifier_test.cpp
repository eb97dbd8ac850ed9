// What the agent refuses before anything runs: each check on its own, with the reason the
// collector will show.

#include <limits>

#include <catch2/catch.hpp>

#include "agent/actions/action_journal.hpp"
#include "agent/actions/order_verifier.hpp"
#include "shared/actions/action_definition.hpp"
#include "shared/actions/builtin_actions.hpp"
#include "shared/pki/keys.hpp"
#include "shared/pki/secrets.hpp"
#include "shared/protocol/signed_messages.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::agent;

namespace {

constexpr std::int64_t kNow = 1'800'000'000'000;
const std::string kHash(32, '\x42');

struct Fixture {
  pki::PKeyPtr key = std::move(*pki::generate_ed25519_key());
  pki::PKeyPtr other_key = std::move(*pki::generate_ed25519_key());
  AcceptedCatalog catalog;
  ActionPolicy policy;  // default: low risk only

  Fixture() {
    catalog.issued_at_unix_ms = kNow - 1000;
    catalog.entries["flush-dns"] = CatalogEntryInfo{1, kHash, v1::RISK_LOW};
    catalog.entries["restart-service"] = CatalogEntryInfo{1, kHash, v1::RISK_MEDIUM};
  }

  v1::OrderPayload payload() const {
    v1::OrderPayload p;
    p.set_order_id("order-1");
    p.set_device_id("dev-1");
    p.set_action_id("flush-dns");
    p.set_action_version(1);
    p.set_definition_sha256(kHash);
    p.add_argv("/usr/bin/resolvectl");
    p.add_argv("flush-caches");
    p.set_issued_at_unix_ms(kNow - 1000);
    p.set_expires_at_unix_ms(kNow + 600'000);
    p.set_nonce(pki::random_bytes(32));
    p.set_risk(v1::RISK_LOW);
    p.set_timeout_s(30);
    p.set_output_cap_bytes(16384);
    p.set_platform("linux");
    return p;
  }

  /// An order for restart-service of `unit`, as the collector renders it.
  v1::OrderPayload restart(const std::string& unit) const {
    auto p = payload();
    p.set_action_id("restart-service");
    p.set_risk(v1::RISK_MEDIUM);
    p.clear_argv();
    for (const char* a : {"/usr/bin/systemctl", "try-restart", "--"}) p.add_argv(a);
    p.add_argv(unit);
    auto* param = p.add_params();
    param->set_name("unit");
    param->set_value(unit);
    p.set_timeout_s(120);
    p.set_output_cap_bytes(65536);
    auto* check = p.mutable_post_check();
    for (const char* a : {"/usr/bin/systemctl", "is-active", "--quiet", "--"}) check->add_argv(a);
    check->add_argv(unit);
    check->set_expect_exit_code(0);
    check->set_timeout_s(15);
    return p;
  }

  v1::SignedOrder sign(const v1::OrderPayload& p, EVP_PKEY* with = nullptr) const {
    return *protocol::sign_order(with ? with : key.get(), "kid", p);
  }

  OrderChecks checks() const {
    OrderChecks c;
    c.pinned_key = key.get();
    c.device_id = "dev-1";
    c.now_unix_ms = kNow;
    c.catalog = &catalog;
    c.policy = &policy;
    c.platform = "linux";
    return c;
  }
};

// A custom Windows action, pinned by the endpoint's policy.
const std::string kWindowsFlushDns = R"toml(id = "windows-flush-dns"
version = 1
title = "Flush the DNS cache (Windows)"
platform = "windows"
argv = ['C:\Windows\System32\ipconfig.exe', "/flushdns"]
risk = "low"
)toml";

/// A Windows agent's checks with `definition` in its catalog and pinned by its policy.
struct WindowsFixture : Fixture {
  actions::ActionDefinition def = *actions::parse_action_definition(kWindowsFlushDns, "test");

  WindowsFixture() {
    catalog.entries[def.id] = CatalogEntryInfo{def.version, def.sha256_raw, v1::RISK_LOW};
    policy.allow_custom.push_back("sha256:" + def.sha256);
  }

  v1::OrderPayload windows_payload() const {
    auto p = payload();
    p.set_action_id(def.id);
    p.set_definition_sha256(def.sha256_raw);
    p.set_definition(def.text);
    p.clear_argv();
    for (const auto& a : def.argv) p.add_argv(a);
    p.set_timeout_s(def.timeout_s);
    p.set_output_cap_bytes(def.output_cap_bytes);
    p.set_platform("windows");
    return p;
  }

  OrderChecks windows_checks() const {
    auto c = checks();
    c.platform = "windows";
    return c;
  }
};

std::string refusal(const Result<v1::OrderPayload>& r) {
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kDenied);
  return r.error().message;
}

}  // namespace

TEST_CASE("a well-formed order signed by the pinned key passes") {
  Fixture f;
  auto r = verify_order(f.sign(f.payload()), f.checks());
  REQUIRE(r);
  CHECK(r->order_id() == "order-1");
}

TEST_CASE("forged, tampered or unsigned orders are refused") {
  Fixture f;
  CHECK_THAT(refusal(verify_order(f.sign(f.payload(), f.other_key.get()), f.checks())),
             Catch::Contains("signature"));
  auto tampered = f.sign(f.payload());
  auto p = f.payload();
  p.set_argv(0, "/bin/sh");
  tampered.set_payload(p.SerializeAsString());
  CHECK_THAT(refusal(verify_order(tampered, f.checks())), Catch::Contains("signature"));
  auto unsigned_order = f.sign(f.payload());
  unsigned_order.clear_signature();
  CHECK_THAT(refusal(verify_order(unsigned_order, f.checks())), Catch::Contains("signature"));
  // A catalog signature cannot pass for an order signature (different context).
  v1::CatalogManifest manifest;
  auto catalog = *protocol::sign_catalog(f.key.get(), "kid", manifest);
  v1::SignedOrder confused;
  confused.set_payload(catalog.payload());
  confused.set_signature(catalog.signature());
  CHECK_THAT(refusal(verify_order(confused, f.checks())), Catch::Contains("signature"));
  auto checks = f.checks();
  checks.pinned_key = nullptr;
  CHECK_THAT(refusal(verify_order(f.sign(f.payload()), checks)), Catch::Contains("pinned"));
}

TEST_CASE("orders for another device, outside their validity or misshaped are refused") {
  Fixture f;
  struct Case {
    const char* what;
    std::function<void(v1::OrderPayload&)> change;
    const char* reason;
  };
  std::vector<Case> cases = {
      {"other device", [](auto& p) { p.set_device_id("dev-2"); }, "not this one"},
      {"expired",
       [](auto& p) {
         p.set_issued_at_unix_ms(kNow - 900'000);
         p.set_expires_at_unix_ms(kNow - 61'000);
       },
       "order expired"},
      {"expiring before issued", [](auto& p) { p.set_expires_at_unix_ms(kNow - 2000); },
       "before it was issued"},
      {"issued in the future", [](auto& p) { p.set_issued_at_unix_ms(kNow + 120'000); }, "future"},
      {"short nonce", [](auto& p) { p.set_nonce("0123456789"); }, "nonce"},
      {"relative argv[0]", [](auto& p) { p.set_argv(0, "resolvectl"); }, "absolute"},
      {"a shell, even signed", [](auto& p) { p.set_argv(0, "/bin/bash"); }, "interpreter"},
      {"an interpreter", [](auto& p) { p.set_argv(0, "/usr/bin/python3.11"); }, "interpreter"},
      {"a link to a shell", [](auto& p) { p.set_argv(0, "/bin/sh"); }, "interpreter"},
      {"empty argv", [](auto& p) { p.clear_argv(); }, "argv"},
      {"unknown action", [](auto& p) { p.set_action_id("format-disk"); },
       "not in the signed catalog"},
      {"other definition hash", [](auto& p) { p.set_definition_sha256(std::string(32, 'x')); },
       "definition hash"},
      {"risk lowered below the catalog's",
       [](auto& p) {
         p.set_action_id("restart-service");
         p.set_risk(v1::RISK_LOW);
       },
       "risk"},
      {"disallowed risk",
       [](auto& p) {
         p.set_action_id("restart-service");
         p.set_risk(v1::RISK_MEDIUM);
       },
       "local policy"},
      {"no timeout", [](auto& p) { p.set_timeout_s(0); }, "timeout"},
      {"post-check timeout unbounded",
       [](auto& p) {
         p.mutable_post_check()->add_argv("/usr/bin/true");
         p.mutable_post_check()->set_timeout_s(1'000'000);
       },
       "post-check timeout must be 1 to 600 seconds"},
      {"huge output cap", [](auto& p) { p.set_output_cap_bytes(1ull << 40); }, "output cap"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    auto p = f.payload();
    c.change(p);
    CHECK_THAT(refusal(verify_order(f.sign(p), f.checks())), Catch::Contains(c.reason));
  }
  // Within the clock-skew allowance an order just past its expiry still passes.
  auto p = f.payload();
  p.set_issued_at_unix_ms(kNow - 900'000);
  p.set_expires_at_unix_ms(kNow - 30'000);
  CHECK(verify_order(f.sign(p), f.checks()));
}

TEST_CASE(
    "platform field: an order for a linux action is refused by a Windows agent, and a windows "
    "order by a Linux agent") {
  WindowsFixture f;
  CHECK_THAT(refusal(verify_order(f.sign(f.payload()), f.windows_checks())),
             Catch::Contains("order is for platform linux; this agent runs on windows"));
  CHECK_THAT(refusal(verify_order(f.sign(f.windows_payload()), f.checks())),
             Catch::Contains("order is for platform windows; this agent runs on linux"));
  // Each passes on its own platform.
  CHECK(verify_order(f.sign(f.payload()), f.checks()));
  auto windows = verify_order(f.sign(f.windows_payload()), f.windows_checks());
  INFO((windows ? "" : windows.error().message));
  CHECK(windows);
}

TEST_CASE(
    "platform field: a Windows agent takes a drive-absolute argv[0] and refuses one without a "
    "drive") {
  WindowsFixture f;
  REQUIRE(f.def.argv.front() == "C:\\Windows\\System32\\ipconfig.exe");
  for (const char* program :
       {"/usr/bin/ipconfig.exe", "\\Windows\\System32\\ipconfig.exe", "C:ipconfig.exe",
        "\\\\server\\share\\ipconfig.exe", "ipconfig.exe"}) {
    INFO(program);
    auto p = f.windows_payload();
    p.set_argv(0, program);
    CHECK_THAT(refusal(verify_order(f.sign(p), f.windows_checks())),
               Catch::Contains("argv[0] is not an absolute path"));
  }
  // The interpreter refusal holds for Windows paths too, by the file's name.
  auto p = f.windows_payload();
  p.set_argv(0, "C:\\Windows\\System32\\cmd.exe");
  CHECK_THAT(refusal(verify_order(f.sign(p), f.windows_checks())), Catch::Contains("interpreter"));
}

// Found while writing tests/fuzz/order_payload_fuzz.cpp (UBSan: expires_at + skew overflowed):
// an expiry near the end of int64 wrapped around and the order read as long expired.
TEST_CASE("an order's expiry far in the future is compared without overflow") {
  Fixture f;
  auto p = f.payload();
  p.set_expires_at_unix_ms(std::numeric_limits<std::int64_t>::max());
  CHECK(verify_order(f.sign(p), f.checks()));
  p.set_expires_at_unix_ms(std::numeric_limits<std::int64_t>::max() - 30'000);
  CHECK(verify_order(f.sign(p), f.checks()));
}

TEST_CASE("the local policy decides by id and risk") {
  Fixture f;
  auto p = f.restart("cups.service");
  f.policy.max_risk = ActionRisk::kMedium;
  CHECK(verify_order(f.sign(p), f.checks()));
  f.policy.deny = {"restart-service"};
  CHECK_THAT(refusal(verify_order(f.sign(p), f.checks())), Catch::Contains("local policy"));
  f.policy.deny.clear();
  f.policy.allow = {"flush-dns"};
  CHECK_THAT(refusal(verify_order(f.sign(p), f.checks())), Catch::Contains("listed ids only"));
  f.policy.max_risk.reset();
  CHECK_FALSE(verify_order(f.sign(f.payload()), f.checks()));
}

TEST_CASE("a forged order that keeps an allowed id but changes argv is refused") {
  Fixture f;
  f.policy.max_risk = ActionRisk::kHigh;
  REQUIRE(verify_order(f.sign(f.payload()), f.checks()));
  REQUIRE(verify_order(f.sign(f.restart("cups.service")), f.checks()));
  // Signed with the real key, listed in the signed catalog, allowed by the policy: only the
  // argv (or what runs after it) differs from what the id means on this endpoint.
  struct Case {
    const char* what;
    v1::OrderPayload order;
  };
  auto other_program = f.payload();
  other_program.set_argv(0, "/usr/bin/curl");
  auto extra_argument = f.payload();
  extra_argument.add_argv("--extra");
  auto unit_swapped = f.restart("cups.service");
  unit_swapped.set_argv(3, "ssh.service");
  auto old_restart = f.restart("cups.service");
  old_restart.set_argv(1, "restart");
  auto check_swapped = f.restart("cups.service");
  check_swapped.mutable_post_check()->set_argv(0, "/usr/bin/touch");
  auto check_dropped = f.restart("cups.service");
  check_dropped.clear_post_check();
  for (const auto& c :
       {Case{"another program", other_program}, Case{"an extra argument", extra_argument},
        Case{"argv names another unit than the parameter", unit_swapped},
        Case{"systemctl restart instead of try-restart", old_restart},
        Case{"another post-check", check_swapped}, Case{"the post-check dropped", check_dropped}}) {
    INFO(c.what);
    CHECK_THAT(refusal(verify_order(f.sign(c.order), f.checks())),
               Catch::Contains("refused as forged"));
  }
}

TEST_CASE("restart-service refuses debug-shell.service") {
  Fixture f;
  f.policy.max_risk = ActionRisk::kMedium;
  // Exactly what the collector renders, signed and allowed: the endpoint still says no.
  CHECK_THAT(refusal(verify_order(f.sign(f.restart("debug-shell.service")), f.checks())),
             Catch::Contains("restart-service refuses debug-shell.service: restarting it opens a "
                             "root shell"));
  CHECK_THAT(refusal(verify_order(f.sign(f.restart("systemd-reboot.service")), f.checks())),
             Catch::Contains("power state"));
}

TEST_CASE("restart-service refuses units that are not loaded and active (try-restart)") {
  Fixture f;
  f.policy.max_risk = ActionRisk::kMedium;
  // The agent's own definition is what runs: systemctl try-restart, which leaves a unit that
  // is not loaded and active alone (a stopped debug-shell or systemd-reboot is never started).
  const auto* def = actions::find_builtin_action("restart-service");
  REQUIRE(def);
  CHECK(def->argv == std::vector<std::string>{"/usr/bin/systemctl", "try-restart", "--", "{unit}"});
  auto accepted = verify_order(f.sign(f.restart("cups.service")), f.checks());
  REQUIRE(accepted);
  CHECK(accepted->argv(1) == "try-restart");
  // An order that would `restart` (and so start a stopped unit) is refused.
  auto start = f.restart("cups.service");
  start.set_argv(1, "restart");
  CHECK_THAT(refusal(verify_order(f.sign(start), f.checks())), Catch::Contains("forged"));
}

TEST_CASE("no catalog, or a catalog not signed by the pinned key, means no orders") {
  Fixture f;
  auto checks = f.checks();
  checks.catalog = nullptr;
  CHECK_THAT(refusal(verify_order(f.sign(f.payload()), checks)), Catch::Contains("catalog"));

  v1::CatalogManifest manifest;
  manifest.set_issued_at_unix_ms(kNow);
  auto* e = manifest.add_entries();
  e->set_action_id("flush-dns");
  e->set_definition_sha256(kHash);
  e->set_risk(v1::RISK_LOW);
  auto good = verify_catalog(*protocol::sign_catalog(f.key.get(), "kid", manifest), f.key.get(), 0);
  REQUIRE(good);
  CHECK(good->entries.count("flush-dns") == 1);
  CHECK_FALSE(
      verify_catalog(*protocol::sign_catalog(f.other_key.get(), "kid", manifest), f.key.get(), 0));
  // An older catalog than the one accepted is a replay.
  CHECK_FALSE(
      verify_catalog(*protocol::sign_catalog(f.key.get(), "kid", manifest), f.key.get(), kNow + 1));
}

TEST_CASE("a nonce is accepted once, also across a restart") {
  testing::TempDir dir;
  const auto path = dir.path() / "actions.db";
  const std::string nonce = pki::random_bytes(32);
  {
    auto journal = ActionJournal::open(path);
    REQUIRE(journal);
    CHECK(*(*journal)->remember_nonce(nonce, "o1", kNow + 1000, kNow) == true);
    CHECK(*(*journal)->remember_nonce(nonce, "o1", kNow + 1000, kNow) == false);
  }
  auto reopened = ActionJournal::open(path);
  REQUIRE(reopened);
  CHECK(*(*reopened)->remember_nonce(nonce, "o1", kNow + 1000, kNow) == false);
  CHECK(*(*reopened)->remember_nonce(pki::random_bytes(32), "o2", kNow + 1000, kNow) == true);
}

TEST_CASE("the history is hash-chained: edits, deletions and reordering are found") {
  testing::TempDir dir;
  const auto path = dir.path() / "actions.db";
  {
    auto journal = ActionJournal::open(path);
    REQUIRE(journal);
    for (int i = 1; i <= 3; ++i) {
      auto head = (*journal)->append(
          kNow + i, {{"order_id", "o" + std::to_string(i)}, {"outcome", "succeeded"}});
      REQUIRE(head);
      CHECK(head->size() == 32);
    }
    auto ok = (*journal)->verify();
    REQUIRE(ok);
    CHECK_FALSE(*ok);
  }
  auto tamper = [&](const char* sql) {
    auto db = sqlite::Database::open(path);
    REQUIRE(db);
    REQUIRE((*db)->exec(sql));
  };
  auto broken_at = [&]() -> std::int64_t {
    auto journal = ActionJournal::open(path);
    REQUIRE(journal);
    auto r = (*journal)->verify();
    REQUIRE(r);
    return *r ? (*r)->entry_id : 0;
  };
  SECTION("edited") {
    tamper("UPDATE history SET data = replace(data, 'succeeded', 'refused') WHERE id = 2");
    CHECK(broken_at() == 2);
  }
  SECTION("deleted") {
    tamper("DELETE FROM history WHERE id = 2");
    CHECK(broken_at() == 3);
  }
  SECTION("reordered") {
    tamper(
        "UPDATE history SET id = 10 WHERE id = 1; UPDATE history SET id = 1 WHERE id = 3; "
        "UPDATE history SET id = 3 WHERE id = 10;");
    CHECK(broken_at() == 1);
  }
}
