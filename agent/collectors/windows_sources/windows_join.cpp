// Source: api "join_state" (win_api_names.hpp). Only an Entra *device* join counts as joined: a
// "workplace" join is a work account a user added to a personal device (registered, not joined).
#include "agent/collectors/windows_sources/windows_join.hpp"

#include "agent/collectors/text.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"

namespace triage::agent {
namespace {

constexpr std::size_t kMaxText = 256;

}  // namespace

Result<void> collect_windows_join(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  auto answer = win->api("join_state");
  if (!answer) {
    if (answer.error().code == ErrorCode::kNotFound) {
      ctx.unavailable("join state: " + answer.error().message);
      return {};
    }
    return fail("reading the join state", answer.error());
  }
  if (!answer->is_object()) return fail("the join_state answer is not an object");

  auto status = json_text(*answer, "status");
  auto netbios = clean_text(json_text(*answer, "netbios_name"), kMaxText);
  auto dns_domain = clean_text(json_text(*answer, "dns_domain"), kMaxText);
  bool domain = status == "domain";

  bool entra = false;
  std::string tenant;
  if (auto it = answer->find("entra"); it != answer->end() && it->is_object()) {
    entra = json_text(*it, "join_type") == "device";
    tenant = json_text(*it, "tenant_display_name");
    if (tenant.empty()) tenant = json_text(*it, "tenant_id");
    if (json_text(*it, "join_type") == "workplace") {
      ctx.note("a work account is registered (workplace join), the device is not Entra joined");
    }
  } else {
    ctx.note("Entra ID join state not reported");
  }

  auto* windows = out.mutable_system()->mutable_windows();
  if (domain && entra) {
    windows->set_join_state(v1::WindowsSystem::HYBRID);
  } else if (domain) {
    windows->set_join_state(v1::WindowsSystem::DOMAIN);
  } else if (entra) {
    windows->set_join_state(v1::WindowsSystem::ENTRA);
  } else if (status == "workgroup") {
    windows->set_join_state(v1::WindowsSystem::WORKGROUP);
  } else {
    windows->set_join_state(v1::WindowsSystem::JOIN_UNKNOWN);
  }
  // The AD domain by its DNS name when the machine knows it, else its NetBIOS name; for a
  // workgroup, the workgroup's name.
  if (domain) {
    windows->set_domain(dns_domain.empty() ? netbios : dns_domain);
  } else if (status == "workgroup") {
    windows->set_domain(netbios);
  }
  if (entra) windows->set_entra_tenant(clean_text(tenant, kMaxText));
  return {};
}

}  // namespace triage::agent
