#include "collector/triagectl/ctl_audit.hpp"

#include <vector>

#include "collector/triagectl/ctl_client.hpp"
#include "collector/triagectl/ctl_output.hpp"

namespace triage::ctl {

std::string audit_target(const AuditQuery& q) {
  std::string query = "limit=" + std::to_string(q.limit);
  auto add = [&](const char* name, const std::string& value) {
    if (!value.empty()) query += std::string("&") + name + "=" + url_encode(value);
  };
  add("type", q.type);
  add("actor", q.actor);
  add("target", q.target);
  add("since", q.since);
  add("until", q.until);
  if (q.before > 0) query += "&before=" + std::to_string(q.before);
  return "/api/v1/audit?" + query;
}

void print_audit(std::ostream& out, const nlohmann::json& body) {
  std::vector<std::vector<std::string>> rows;
  const auto events =
      body.is_object() ? body.value("events", nlohmann::json::array()) : nlohmann::json::array();
  for (const auto& e : events) {
    rows.push_back({field(e, "seq"), field(e, "at"), truncate(field(e, "actor"), 40),
                    truncate(field(e, "source"), 40), truncate(field(e, "type"), 40),
                    truncate(field(e, "target"), 50), field(e, "outcome"),
                    truncate(field(e, "details"), 80)});
  }
  print_table(out, {"SEQ", "TIME", "ACTOR", "SOURCE", "TYPE", "TARGET", "OUTCOME", "DETAILS"},
              rows);
  const auto next = body.is_object() ? body.value("next_before", nlohmann::json()) : nullptr;
  if (next.is_number_unsigned()) {
    out << rows.size() << " events; older ones: triagectl audit --before "
        << next.get<std::uint64_t>() << "\n";
  } else {
    out << rows.size() << " events\n";
  }
}

Result<void> show_audit(const ApiCall& api, const AuditQuery& query, const Output& o) {
  auto body = api(transport::http::verb::get, audit_target(query), std::nullopt);
  if (!body) return tl::unexpected(body.error());
  if (o.json) {
    o.out << body->dump(2) << "\n";
  } else {
    print_audit(o.out, *body);
  }
  return {};
}

}  // namespace triage::ctl
