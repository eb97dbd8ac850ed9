// Writes the seed inputs of the protobuf fuzz targets (agent_message, delta_apply,
// collector_message, order_payload) into `<corpus dir>/<target>/`, from the realistic
// snapshots in tests/fixtures/snapshots and the built-in action definitions. Run by hand when
// the schema changes; its output is committed.

#include <google/protobuf/text_format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "shared/actions/action_params.hpp"
#include "shared/actions/builtin_actions.hpp"
#include "shared/pki/keys.hpp"
#include "shared/pki/secrets.hpp"
#include "shared/protocol/codec.hpp"
#include "shared/protocol/delta.hpp"
#include "shared/protocol/signed_messages.hpp"

using namespace triage;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kNow = 1'800'000'000'000;

void write(const fs::path& dir, const std::string& name, const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
}

std::string be32(std::size_t n) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i)
    out[static_cast<std::size_t>(i)] = static_cast<char>(n >> (24 - 8 * i));
  return out;
}

v1::Snapshot read_snapshot(const fs::path& file) {
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  v1::Snapshot snapshot;
  if (!google::protobuf::TextFormat::ParseFromString(text, &snapshot)) {
    std::fprintf(stderr, "cannot parse %s\n", file.c_str());
    std::exit(1);
  }
  return snapshot;
}

/// The order the collector would sign for a built-in action with these parameters.
v1::OrderPayload order_for(const std::string& id,
                           const std::vector<std::pair<std::string, std::string>>& params) {
  const auto* def = actions::find_builtin_action(id);
  auto values = actions::validate_param_texts(*def, params);
  if (!values) {
    std::fprintf(stderr, "%s: %s\n", id.c_str(), values.error().message.c_str());
    std::exit(1);
  }
  v1::OrderPayload p;
  p.set_order_id("order-" + id);
  p.set_device_id("0b7c2a52-4d1e-4b5e-9d43-7d0c7a1f7e21");
  p.set_action_id(id);
  p.set_action_version(def->version);
  p.set_definition_sha256(def->sha256_raw);
  for (const auto& a : actions::resolve_argv(def->argv, *values)) p.add_argv(a);
  for (const auto& [name, value] : params) {
    auto* param = p.add_params();
    param->set_name(name);
    param->set_value(value);
  }
  p.set_ticket_id("T-1042");
  p.set_requested_by("alice");
  p.set_issued_at_unix_ms(kNow);
  p.set_expires_at_unix_ms(kNow + 900'000);
  p.set_nonce(std::string(32, '\x5a'));
  p.set_risk(static_cast<v1::Risk>(static_cast<int>(def->risk) + 1));
  p.set_timeout_s(def->timeout_s);
  p.set_output_cap_bytes(def->output_cap_bytes);
  p.set_platform(def->platform);
  if (def->post_check) {
    auto* check = p.mutable_post_check();
    for (const auto& a : actions::resolve_argv(def->post_check->argv, *values)) check->add_argv(a);
    check->set_expect_exit_code(def->post_check->expect_exit_code);
    check->set_timeout_s(def->post_check->timeout_s);
  }
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_seed_generator CORPUS_DIR\n");
    return 2;
  }
  const fs::path out(argv[1]);
  const fs::path fixtures = fs::path(TRIAGE_FIXTURES_DIR) / "snapshots";
  std::vector<std::pair<std::string, v1::Snapshot>> snapshots;
  for (const char* name : {"container_minimal", "healthy_desktop", "broken_laptop"}) {
    snapshots.emplace_back(name, read_snapshot(fixtures / (std::string(name) + ".textproto")));
  }

  // agent_message: each kind of frame an agent sends.
  v1::AgentMessage hello;
  hello.mutable_hello()->set_protocol_min(1);
  hello.mutable_hello()->set_protocol_max(1);
  hello.mutable_hello()->set_agent_version("0.1.0");
  hello.mutable_hello()->mutable_facts()->set_hostname("laptop-17");
  hello.mutable_hello()->add_capabilities("snapshot");
  hello.mutable_hello()->add_capabilities("delta");
  write(out / "agent_message", "hello", protocol::encode(hello));
  v1::AgentMessage heartbeat;
  heartbeat.mutable_heartbeat()->set_agent_time_unix_ms(kNow);
  heartbeat.mutable_heartbeat()->set_spool_depth(3);
  write(out / "agent_message", "heartbeat", protocol::encode(heartbeat));
  v1::AgentMessage help;
  help.set_seq(7);
  help.mutable_help_request()->set_text("my laptop is slow since this morning");
  help.mutable_help_request()->set_local_user("alice");
  help.mutable_help_request()->set_local_uid(1000);
  help.mutable_help_request()->set_request_id("5f0c3c3e9a4b4d8e8f1a2b3c4d5e6f70");
  *help.mutable_help_request()->mutable_snapshot() = snapshots[0].second;
  write(out / "agent_message", "help_request", protocol::encode(help));
  v1::AgentMessage result;
  result.set_seq(9);
  result.mutable_order_result()->set_order_id("order-flush-dns");
  result.mutable_order_result()->set_state(v1::SUCCEEDED);
  result.mutable_order_result()->set_duration_ms(120);
  write(out / "agent_message", "order_result", protocol::encode(result));

  for (std::size_t i = 0; i < snapshots.size(); ++i) {
    v1::AgentMessage snap;
    snap.set_seq(1);
    *snap.mutable_snapshot()->mutable_snapshot() = snapshots[i].second;
    write(out / "agent_message", "snapshot_" + snapshots[i].first, protocol::encode(snap));
    for (std::size_t j = 0; j < snapshots.size(); ++j) {
      if (i == j) continue;
      v1::AgentMessage delta;
      delta.set_seq(2);
      *delta.mutable_delta()->mutable_delta() =
          protocol::diff_snapshots(snapshots[i].second, snapshots[j].second);
      const auto name = snapshots[i].first + "_to_" + snapshots[j].first;
      write(out / "agent_message", "delta_" + name, protocol::encode(delta));
      const auto base = protocol::encode(snap);
      write(out / "delta_apply", name, be32(base.size()) + base + protocol::encode(delta));
    }
  }

  // order_payload: orders for built-ins as the collector renders them, and a custom one.
  const std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>>
      orders = {{"flush-dns", {}},
                {"restart-service", {{"unit", "cups.service"}}},
                {"kill-process", {{"pid", "4242"}, {"name", "chrome"}}},
                {"vacuum-journal", {{"size", "500M"}}},
                {"clear-print-queue", {{"printer", "Office_HP"}}}};
  std::vector<v1::OrderPayload> payloads;
  for (const auto& [id, params] : orders) {
    if (!actions::find_builtin_action(id)) continue;
    payloads.push_back(order_for(id, params));
    write(out / "order_payload", id, payloads.back().SerializeAsString());
  }
  auto custom = payloads.front();
  custom.set_action_id("restart-printer-spooler");
  custom.set_definition(
      "id = \"restart-printer-spooler\"\nversion = 2\ntitle = \"Restart the printer spooler\"\n"
      "description = \"Restarts CUPS.\"\nplatform = \"linux\"\n"
      "argv = [\"/usr/bin/systemctl\", \"try-restart\", \"--\", \"{unit}\"]\ntimeout_s = 60\n"
      "output_cap_bytes = 16384\nrisk = \"medium\"\nmin_role = \"technician\"\n"
      "approval = \"none\"\n\n[params.unit]\ntype = \"enum\"\ndescription = \"unit\"\n"
      "values = [\"cups.service\"]\n");
  custom.set_definition_sha256(pki::sha256_raw(custom.definition()));
  custom.set_action_version(2);
  custom.clear_argv();
  for (const char* a : {"/usr/bin/systemctl", "try-restart", "--", "cups.service"}) {
    custom.add_argv(a);
  }
  custom.clear_params();
  auto* unit = custom.add_params();
  unit->set_name("unit");
  unit->set_value("cups.service");
  custom.set_risk(v1::RISK_MEDIUM);
  custom.set_timeout_s(60);
  custom.set_output_cap_bytes(16384);
  write(out / "order_payload", "custom_action", custom.SerializeAsString());

  // collector_message: each kind of frame a collector sends, orders and catalogs signed by a
  // key of their own (the target's pinned key is another).
  auto key = std::move(*pki::generate_ed25519_key());
  v1::CatalogManifest manifest;
  manifest.set_issued_at_unix_ms(kNow);
  for (const auto& p : payloads) {
    auto* entry = manifest.add_entries();
    entry->set_action_id(p.action_id());
    entry->set_action_version(p.action_version());
    entry->set_definition_sha256(p.definition_sha256());
    entry->set_risk(p.risk());
  }
  v1::CollectorMessage ack_hello;
  auto* hello_ack = ack_hello.mutable_hello_ack();
  hello_ack->set_protocol_version(1);
  hello_ack->set_device_id("0b7c2a52-4d1e-4b5e-9d43-7d0c7a1f7e21");
  hello_ack->set_last_committed_seq(41);
  hello_ack->set_heartbeat_interval_s(60);
  hello_ack->set_server_time_unix_ms(kNow);
  *hello_ack->mutable_action_catalog() = *protocol::sign_catalog(key.get(), "kid", manifest);
  write(out / "collector_message", "hello_ack", protocol::encode(ack_hello));
  v1::CollectorMessage catalog;
  *catalog.mutable_catalog_update() = *protocol::sign_catalog(key.get(), "kid", manifest);
  write(out / "collector_message", "catalog_update", protocol::encode(catalog));
  v1::CollectorMessage order;
  *order.mutable_order() = *protocol::sign_order(key.get(), "kid", payloads[1]);
  write(out / "collector_message", "order", protocol::encode(order));
  v1::CollectorMessage ack;
  auto* entry = ack.mutable_ack()->add_entries();
  entry->set_seq(7);
  entry->set_status(v1::Ack::STORED);
  entry->set_ticket_id("T-1042");
  write(out / "collector_message", "ack", protocol::encode(ack));
  v1::CollectorMessage refusal;
  refusal.mutable_refusal()->set_reason(v1::Refusal::RATE_LIMITED);
  refusal.mutable_refusal()->set_message("slow down");
  write(out / "collector_message", "refusal", protocol::encode(refusal));
  v1::CollectorMessage request;
  request.mutable_snapshot_request()->set_request_id("req-1");
  request.mutable_snapshot_request()->add_categories("hardware");
  write(out / "collector_message", "snapshot_request", protocol::encode(request));
  v1::CollectorMessage cancel;
  cancel.mutable_order_cancel()->set_order_id("order-flush-dns");
  cancel.mutable_order_cancel()->set_reason("requested by alice");
  write(out / "collector_message", "order_cancel", protocol::encode(cancel));
  std::printf("seeds written to %s\n", out.c_str());
  return 0;
}
