// Host firewall. Sources: ufw (/etc/ufw/ufw.conf ENABLED=), firewalld (/run/firewalld), and the
// kernel ruleset via `nft -j list ruleset` (or `iptables-save` on legacy systems) when root.
// Linux; rules need root; one short command.
#include <nlohmann/json.hpp>

#include "agent/collectors/linux/firewall.hpp"
#include "agent/collectors/text.hpp"
#include "shared/util/json_fields.hpp"

namespace triage::agent {

NftSummary parse_nft_json(std::string_view text) {
  NftSummary s;
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("nftables") || !j["nftables"].is_array()) return s;
  s.valid = true;
  for (const auto& item : j["nftables"]) {
    if (!item.is_object()) continue;
    if (item.contains("rule")) ++s.rules;
    if (auto c = item.find("chain"); c != item.end() && c->is_object()) {
      if (string_field(*c, "hook") == "input" && string_field(*c, "type", "filter") == "filter") {
        auto policy = string_field(*c, "policy", "accept");
        // Any dropping input chain makes the effective policy "drop".
        if (s.input_policy.empty() || policy == "drop") s.input_policy = policy;
      }
    }
  }
  return s;
}

NftSummary parse_iptables_save(std::string_view text) {
  NftSummary s;
  for (auto line : split_lines(text)) {
    if (line.starts_with("-A ")) ++s.rules, s.valid = true;
    if (line.starts_with(":INPUT ")) {
      auto f = split_ws(line);
      if (f.size() >= 2) s.input_policy = to_lower(f[1]);
      s.valid = true;
    }
  }
  return s;
}

Result<void> collect_firewall(CollectContext& ctx, v1::Snapshot& out) {
  const auto& fs = ctx.fs();
  auto* fw = out.mutable_security()->mutable_firewall();
  bool ufw_enabled = false;
  if (auto conf = fs.read("/etc/ufw/ufw.conf", 64 * 1024)) {
    fw->add_frontends("ufw");
    for (auto line : split_lines(*conf)) {
      auto kv = key_value(line, '=');
      if (kv && kv->first == "ENABLED") ufw_enabled = to_lower(unquote(kv->second)) == "yes";
    }
  }
  if (fs.is_directory("/run/firewalld") || fs.exists("/var/run/firewalld.pid"))
    fw->add_frontends("firewalld");

  NftSummary rules;
  std::string message;
  if (!ctx.host().is_root()) {
    message = "reading the ruleset needs root";
  } else if (ctx.host().has_program("nft")) {
    auto run = ctx.run({"nft", "-j", "list", "ruleset"}, std::chrono::seconds(5), 4 * 1024 * 1024);
    if (run && run->succeeded()) {
      rules = parse_nft_json(run->stdout_text);
      fw->add_frontends("nftables");
    } else {
      message = "nft: " +
                (run ? run->describe() + " " + std::string(trim(run->stderr_text)).substr(0, 160)
                     : run.error().message);
    }
  } else if (ctx.host().has_program("iptables-save")) {
    auto run = ctx.run({"iptables-save"}, std::chrono::seconds(5), 4 * 1024 * 1024);
    if (run && run->succeeded()) {
      rules = parse_iptables_save(run->stdout_text);
      fw->add_frontends("iptables");
    } else {
      message = "iptables-save: " + (run ? run->describe() : run.error().message);
    }
  } else {
    message = "neither nft nor iptables-save installed";
  }
  fw->set_rule_count(rules.rules);
  fw->set_input_policy(rules.input_policy);
  if (rules.valid || ufw_enabled) {
    fw->set_active(ufw_enabled || rules.rules > 0 || rules.input_policy == "drop" ||
                   rules.input_policy == "reject");
  }
  fw->set_message(message);
  if (!message.empty()) ctx.note(message);
  return {};
}

}  // namespace triage::agent
