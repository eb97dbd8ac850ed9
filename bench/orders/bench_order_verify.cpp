// Benchmark of what the agent spends on each order before it runs it: the full verification
// (Ed25519 signature with the pinned key, payload decoding, device, validity, shape, signed
// catalog, local policy), the bare signature check inside it, and recording the nonce in the
// agent's SQLite journal (synchronous = FULL, so one fsync per order). Not a test: it prints
// numbers for docs/PERFORMANCE.md.
//
//   triage-bench-order-verify [--orders N] [--journal-dir DIR]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "agent/actions/action_journal.hpp"
#include "agent/actions/order_verifier.hpp"
#include "shared/pki/keys.hpp"
#include "shared/pki/secrets.hpp"
#include "shared/protocol/signed_messages.hpp"

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Microseconds per call: median, p99, mean.
void report(const char* what, std::vector<double> us) {
  std::sort(us.begin(), us.end());
  double sum = 0;
  for (double v : us) sum += v;
  std::printf("%-34s median %8.1f us   p99 %8.1f us   mean %8.1f us   (%zu calls)\n", what,
              us[us.size() / 2], us[std::min(us.size() - 1, us.size() * 99 / 100)],
              sum / static_cast<double>(us.size()), us.size());
}

template <class F>
double time_us(F&& f) {
  const auto start = Clock::now();
  f();
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  int orders = 5000;
  std::filesystem::path journal_dir = std::filesystem::temp_directory_path();
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--orders" && i + 1 < argc) {
      orders = std::max(10, std::atoi(argv[++i]));
    } else if (a == "--journal-dir" && i + 1 < argc) {
      journal_dir = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--orders N] [--journal-dir DIR]\n", argv[0]);
      return 2;
    }
  }
  using namespace triage;
  auto key = pki::generate_ed25519_key();
  if (!key) return 1;
  // The agent holds the pinned key parsed once, from its PEM.
  auto pinned = pki::public_key_from_pem(*pki::public_key_to_pem(key->get()));
  if (!pinned) return 1;
  const std::string hash = pki::sha256_raw("definition");

  // A catalog the size of the built-ins plus a few custom actions.
  v1::CatalogManifest manifest;
  manifest.set_issued_at_unix_ms(now_ms());
  for (int i = 0; i < 20; ++i) {
    auto* e = manifest.add_entries();
    e->set_action_id(i == 0 ? std::string("restart-service") : "action-" + std::to_string(i));
    e->set_action_version(1);
    e->set_definition_sha256(hash);
    e->set_risk(i == 0 ? v1::RISK_MEDIUM : v1::RISK_LOW);
  }
  auto catalog =
      agent::verify_catalog(*protocol::sign_catalog(key->get(), "kid", manifest), pinned->get(), 0);
  if (!catalog) return 1;
  agent::ActionPolicy policy;
  policy.max_risk = agent::ActionRisk::kMedium;

  // restart-service orders: argv, a parameter, a post-check, all checked against the agent's
  // own definition.
  std::vector<v1::SignedOrder> signed_orders;
  for (int i = 0; i < orders; ++i) {
    v1::OrderPayload p;
    p.set_order_id(pki::random_uuid());
    p.set_device_id("3f1c9a7e-5b2d-4e8f-9a61-2c7d8e9f0a1b");
    p.set_action_id("restart-service");
    p.set_action_version(1);
    p.set_definition_sha256(hash);
    for (const char* a : {"/usr/bin/systemctl", "restart", "--", "cups.service"}) p.add_argv(a);
    auto* param = p.add_params();
    param->set_name("unit");
    param->set_value("cups.service");
    p.set_ticket_id(std::to_string(1000 + i));
    p.set_requested_by("tom");
    p.set_issued_at_unix_ms(now_ms());
    p.set_expires_at_unix_ms(now_ms() + 900'000);
    p.set_nonce(pki::random_bytes(32));
    p.set_risk(v1::RISK_MEDIUM);
    p.set_timeout_s(120);
    p.set_output_cap_bytes(65536);
    p.set_platform("linux");
    for (const char* a : {"/usr/bin/systemctl", "is-active", "--quiet", "--", "cups.service"}) {
      p.mutable_post_check()->add_argv(a);
    }
    p.mutable_post_check()->set_timeout_s(15);
    signed_orders.push_back(*protocol::sign_order(key->get(), "kid", p));
  }
  std::printf("signed order size: %zu bytes\n", signed_orders.front().ByteSizeLong());

  agent::OrderChecks checks;
  checks.pinned_key = pinned->get();
  checks.device_id = "3f1c9a7e-5b2d-4e8f-9a61-2c7d8e9f0a1b";
  checks.catalog = &*catalog;
  checks.policy = &policy;

  std::vector<double> full, signature, nonce;
  std::vector<v1::OrderPayload> payloads;
  for (const auto& o : signed_orders) {
    checks.now_unix_ms = now_ms();
    bool ok = false;
    full.push_back(time_us([&] {
      auto p = agent::verify_order(o, checks);
      ok = p.has_value();
      if (ok) payloads.push_back(std::move(*p));
    }));
    if (!ok) {
      std::fprintf(stderr, "an order did not verify\n");
      return 1;
    }
    signature.push_back(time_us([&] {
      (void)protocol::verify_payload(pinned->get(), protocol::kOrderContext, o.payload(),
                                     o.signature());
    }));
  }
  const auto db = journal_dir / ("bench-actions-" + std::to_string(::getpid()) + ".db");
  {
    auto journal = agent::ActionJournal::open(db);
    if (!journal) {
      std::fprintf(stderr, "%s\n", journal.error().message.c_str());
      return 1;
    }
    for (const auto& p : payloads) {
      nonce.push_back(time_us([&] {
        (void)(*journal)->remember_nonce(p.nonce(), p.order_id(), p.expires_at_unix_ms(), now_ms());
      }));
    }
  }
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::remove(db.string() + suffix);
  }
  report("verify_order (everything)", full);
  report("  of which Ed25519 verify", signature);
  report("remember_nonce (SQLite, FULL sync)", nonce);
  return 0;
}
