// The endpoint's veto on content: an order runs only what this agent's own copy of the
// action's definition renders from parameters that validate here, a custom action only when
// the local policy pins its definition, and restart-service never touches a unit whose
// restart is a shell, a power-state change or the end of users' sessions.

#include <catch2/catch.hpp>

#include "agent/actions/order_content.hpp"
#include "agent/actions/unit_guard.hpp"
#include "shared/actions/action_params.hpp"
#include "shared/actions/builtin_actions.hpp"
#include "shared/pki/secrets.hpp"

using namespace triage;
using namespace triage::agent;

namespace {

v1::Risk proto_risk(actions::ActionRisk risk) {
  return risk == actions::ActionRisk::kLow      ? v1::RISK_LOW
         : risk == actions::ActionRisk::kMedium ? v1::RISK_MEDIUM
                                                : v1::RISK_HIGH;
}

/// The order the collector signs for `def` with `params` (values as the order carries them).
v1::OrderPayload rendered(const actions::ActionDefinition& def,
                          const std::vector<std::pair<std::string, std::string>>& params) {
  v1::OrderPayload p;
  p.set_order_id("o-1");
  p.set_action_id(def.id);
  p.set_action_version(def.version);
  p.set_definition_sha256(def.sha256_raw);
  actions::ParamValues values;
  for (const auto& [name, value] : params) {
    auto* param = p.add_params();
    param->set_name(name);
    param->set_value(value);
    values[name] = value;
  }
  for (const auto& a : actions::resolve_argv(def.argv, values)) p.add_argv(a);
  if (def.post_check) {
    for (const auto& a : actions::resolve_argv(def.post_check->argv, values)) {
      p.mutable_post_check()->add_argv(a);
    }
    p.mutable_post_check()->set_expect_exit_code(def.post_check->expect_exit_code);
    p.mutable_post_check()->set_timeout_s(def.post_check->timeout_s);
  }
  p.set_risk(proto_risk(def.risk));
  p.set_timeout_s(def.timeout_s);
  p.set_output_cap_bytes(def.output_cap_bytes);
  p.set_platform(def.platform);
  return p;
}

v1::OrderPayload builtin_order(const std::string& id,
                               const std::vector<std::pair<std::string, std::string>>& params) {
  const auto* def = actions::find_builtin_action(id);
  REQUIRE(def);
  return rendered(*def, params);
}

std::string refusal(const Result<void>& r) {
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kDenied);
  return r.error().message;
}

const std::string kEcho = R"toml(id = "echo-test"
version = 1
title = "Echo (test)"
argv = ["/bin/echo", "{text}"]
risk = "low"
[params.text]
type = "regex"
pattern = '^[a-z]{1,10}$'
max_length = 10
)toml";

}  // namespace

TEST_CASE("every built-in action is embedded in the agent and renders as the collector's") {
  for (const auto& file : actions::builtin_definitions()) {
    INFO(file.name);
    auto def = actions::parse_action_definition(file.text, std::string(file.name));
    REQUIRE(def);
    const auto* embedded = actions::find_builtin_action(def->id);
    REQUIRE(embedded);
    CHECK(embedded->sha256 == def->sha256);
  }
  const ActionPolicy policy;
  CHECK(check_order_content(builtin_order("flush-dns", {}), policy));
  CHECK(check_order_content(builtin_order("kill-process", {{"pid", "4242"}, {"name", "firefox"}}),
                            policy));
  CHECK(check_order_content(builtin_order("reboot", {{"delay", "+5"}}), policy));
}

TEST_CASE("restart-service refuses units whose restart is a shell, a power change or a logout") {
  const ActionPolicy policy;
  const std::string unit = GENERATE(
      "debug-shell.service", "emergency.service", "rescue.service", "getty@tty1.service",
      "serial-getty@ttyS0.service", "autovt@tty2.service", "console-getty.service",
      "container-getty@1.service", "systemd-reboot.service", "systemd-poweroff.service",
      "systemd-halt.service", "systemd-kexec.service", "systemd-soft-reboot.service",
      "systemd-suspend.service", "systemd-hibernate.service", "kexec.service",
      "initrd-switch-root.service", "plymouth-reboot.service", "display-manager.service",
      "gdm3.service", "user@1000.service", "user-runtime-dir@1000.service", "dbus.service",
      "systemd-cryptsetup@root.service", "triage-agent.service", "systemd-firstboot.service");
  INFO(unit);
  CHECK_THAT(
      refusal(check_order_content(builtin_order("restart-service", {{"unit", unit}}), policy)),
      Catch::Contains("restart-service refuses " + unit));
}

TEST_CASE("restart-service still restarts ordinary services") {
  const ActionPolicy policy;
  for (const char* unit : {"cups.service", "NetworkManager.service", "ssh.service",
                           "getty-static.service", "openvpn@office.service"}) {
    INFO(unit);
    CHECK(check_order_content(builtin_order("restart-service", {{"unit", unit}}), policy));
  }
  // Only .service units, whatever a pattern would let through.
  CHECK_FALSE(check_restartable_unit("reboot.target"));
  CHECK_FALSE(check_restartable_unit("ctrl-alt-del.target"));
  CHECK_FALSE(check_restartable_unit("tmp.mount"));
}

TEST_CASE("the Windows built-ins render here, and the endpoint refuses their deny lists") {
  const ActionPolicy policy;
  CHECK(check_order_content(builtin_order("restart-windows-service", {{"service", "Spooler"}}),
                            policy));
  CHECK(check_order_content(builtin_order("clear-windows-print-queue", {}), policy));
  CHECK(check_order_content(builtin_order("flush-dns-windows", {}), policy));
  CHECK(check_order_content(
      builtin_order("kill-process-windows", {{"pid", "4242"}, {"name", "chrome.exe"}}), policy));
  for (const char* service : {"EventLog", "rpcss", "triage-agent", "MpsSvc", "WinDefend"}) {
    INFO(service);
    CHECK_THAT(refusal(check_order_content(
                   builtin_order("restart-windows-service", {{"service", service}}), policy)),
               Catch::Contains("restart-windows-service refuses"));
  }
  for (const char* name : {"lsass.exe", "CSRSS.exe", "winlogon.exe", "triage-agent.exe"}) {
    INFO(name);
    CHECK_THAT(
        refusal(check_order_content(
            builtin_order("kill-process-windows", {{"pid", "4242"}, {"name", name}}), policy)),
        Catch::Contains("kill-process refuses to end"));
  }
  // The definitions' patterns stop what is not a key name or an .exe before the deny lists.
  CHECK_THAT(refusal(check_order_content(
                 builtin_order("restart-windows-service", {{"service", "Print Spooler"}}), policy)),
             Catch::Contains("do not validate"));
  CHECK_THAT(
      refusal(check_order_content(
          builtin_order("kill-process-windows", {{"pid", "4242"}, {"name", "notepad"}}), policy)),
      Catch::Contains("do not validate"));
}

TEST_CASE(
    "restart-explorer-windows takes bare or domain-qualified user names but no system account") {
  const ActionPolicy policy;
  for (const char* user : {"alice", "CONTOSO\\alice", "PC-01\\John Smith", "AzureAD\\JohnSmith",
                           "j.doe", "_svc-helpdesk"}) {
    INFO(user);
    CHECK(check_order_content(builtin_order("restart-explorer-windows", {{"user", user}}), policy));
  }
  // The pattern lets these through; the endpoint knows they have no desktop of their own.
  for (const char* user : {"SYSTEM", "system", "LocalService", "NetworkService", "DWM-1", "UMFD-0",
                           "CONTOSO\\LocalSystem"}) {
    INFO(user);
    CHECK_THAT(refusal(check_order_content(
                   builtin_order("restart-explorer-windows", {{"user", user}}), policy)),
               Catch::Contains("restart-explorer refuses"));
  }
  for (const char* user :
       {"NT AUTHORITY\\SYSTEM", "alice@contoso.com", "..\\alice", "a\\b\\c", "alice ", "PC01$",
        "\\alice", "alice\\", "x\"y", "a;b", "abcdefghijklmnopqrstu", "ABCDEFGHIJKLMNOP\\alice",
        "%USERNAME%", "alice\t"}) {
    INFO(user);
    CHECK_THAT(refusal(check_order_content(
                   builtin_order("restart-explorer-windows", {{"user", user}}), policy)),
               Catch::Contains("do not validate"));
  }
}

TEST_CASE("parameters are validated on the endpoint with the collector's rules") {
  const ActionPolicy policy;
  struct Case {
    const char* what;
    std::string action;
    std::vector<std::pair<std::string, std::string>> params;
  };
  const std::vector<Case> cases = {
      {"integer out of range", "kill-process", {{"pid", "1"}, {"name", "x"}}},
      {"integer with a leading zero", "kill-process", {{"pid", "042"}, {"name", "x"}}},
      {"integer with a sign", "kill-process", {{"pid", "+42"}, {"name", "x"}}},
      {"not an integer", "kill-process", {{"pid", "42; rm"}, {"name", "x"}}},
      {"an option for a value", "kill-process", {{"pid", "42"}, {"name", "-9"}}},
      {"a parameter missing", "kill-process", {{"pid", "42"}}},
      {"a parameter given twice", "kill-process", {{"pid", "42"}, {"pid", "43"}, {"name", "x"}}},
      {"an unknown parameter", "flush-dns", {{"server", "1.1.1.1"}}},
      {"not one of the enum", "clear-temp-files", {{"older_than_days", "+0"}}},
      {"not matching the pattern", "restart-service", {{"unit", "../../evil.service"}}},
      {"a target", "restart-service", {{"unit", "reboot.target"}}},
      {"too long", "renew-dhcp", {{"interface", "a234567890123456"}}},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    // The argv is rendered from the same values, so only the validation can refuse.
    const auto* def = actions::find_builtin_action(c.action);
    REQUIRE(def);
    auto order = rendered(*def, c.params);
    CHECK_THAT(refusal(check_order_content(order, policy)),
               Catch::Contains("do not validate on this endpoint"));
  }
}

TEST_CASE("risk, limits and platform come from the endpoint's definition") {
  const ActionPolicy policy;
  auto reboot = builtin_order("reboot", {{"delay", "+1"}});
  reboot.set_risk(v1::RISK_LOW);  // would pass a low-risk-only policy
  CHECK_THAT(refusal(check_order_content(reboot, policy)), Catch::Contains("risk of action"));
  auto longer = builtin_order("flush-dns", {});
  longer.set_timeout_s(3600);
  CHECK_THAT(refusal(check_order_content(longer, policy)), Catch::Contains("timeout"));
  auto more_output = builtin_order("flush-dns", {});
  more_output.set_output_cap_bytes(4 * 1024 * 1024);
  CHECK_THAT(refusal(check_order_content(more_output, policy)), Catch::Contains("output cap"));
}

TEST_CASE("a custom action runs only when its hash is pinned by the local policy") {
  auto def = actions::parse_action_definition(kEcho, "test");
  REQUIRE(def);
  auto order = rendered(*def, {{"text", "hello"}});
  order.set_definition(kEcho);
  ActionPolicy policy;
  CHECK_THAT(
      refusal(check_order_content(order, policy)),
      Catch::Contains("is not pinned by this endpoint's local policy (policy.allow_custom)"));
  policy.allow_custom = {"sha256:" + std::string(64, '0')};
  CHECK_FALSE(check_order_content(order, policy));

  policy.allow_custom.push_back("sha256:" + def->sha256);
  CHECK(check_order_content(order, policy));

  // Pinned, but the argv is not what the pinned file renders.
  auto forged = order;
  forged.set_argv(0, "/usr/bin/touch");
  CHECK_THAT(refusal(check_order_content(forged, policy)), Catch::Contains("refused as forged"));
  // The pinned hash, with another file: the file must be the one hashed.
  auto swapped = order;
  swapped.set_definition(kEcho + "# changed\n");
  CHECK_THAT(refusal(check_order_content(swapped, policy)),
             Catch::Contains("does not have the hash the order names"));
  // The pinned hash without the file: nothing to render from.
  auto bare = order;
  bare.clear_definition();
  CHECK_THAT(refusal(check_order_content(bare, policy)), Catch::Contains("without its definition"));
  // A parameter the pinned file does not allow.
  auto bad_value = rendered(*def, {{"text", "Hello World"}});
  bad_value.set_definition(kEcho);
  CHECK_THAT(refusal(check_order_content(bad_value, policy)),
             Catch::Contains("do not validate on this endpoint"));
}

TEST_CASE("a built-in id is judged by the agent's own definition, whatever the order carries") {
  // A definition sent with a built-in id is ignored: a signing-key holder cannot redefine
  // restart-service by attaching a file (or by pinning nothing).
  auto text = R"toml(id = "flush-dns"
version = 1
title = "Not flush-dns"
argv = ["/usr/bin/touch", "/etc/evil"]
risk = "low"
)toml";
  auto def = actions::parse_action_definition(text, "test");
  REQUIRE(def);
  auto order = rendered(*def, {});
  order.set_definition(text);
  ActionPolicy policy;
  policy.allow_custom = {"sha256:" + def->sha256};
  CHECK_THAT(refusal(check_order_content(order, policy)), Catch::Contains("refused as forged"));
}
