#include "collector/triagectl/ctl_devices.hpp"

#include "collector/triagectl/ctl_client.hpp"
#include "collector/triagectl/ctl_output.hpp"

namespace triage::ctl {

namespace http = transport::http;
using nlohmann::json;

Result<void> list_devices(const ApiCall& api, bool online, const std::string& q, const Output& o) {
  std::string query;
  if (online) query += "?online=true";
  if (!q.empty()) query += (query.empty() ? "?q=" : "&q=") + url_encode(q);
  auto body = api(http::verb::get, "/api/v1/devices" + query, std::nullopt);
  if (!body) return tl::unexpected(body.error());
  if (o.json) {
    o.out << body->dump(2) << "\n";
    return {};
  }
  std::vector<std::vector<std::string>> rows;
  if (const auto& devices = member(*body, "devices"); devices.is_array()) {
    for (const auto& d : devices) {
      const auto& on = member(d, "online");
      rows.push_back({text_of(member(d, "id")), truncate(text_of(member(d, "hostname")), 40),
                      on.is_boolean() ? (on.get<bool>() ? "yes" : "no") : "-",
                      truncate(text_of(member(d, "os")), 40), text_of(member(d, "last_seen"))});
    }
  }
  print_table(o.out, {"ID", "HOSTNAME", "ONLINE", "OS", "LAST SEEN"}, rows);
  o.out << rows.size() << " of " << text_of(member(*body, "total")) << " devices\n";
  return {};
}

Result<void> show_device(const ApiCall& api, const std::string& id, const Output& o) {
  auto body = api(http::verb::get, "/api/v1/devices/" + url_encode(id), std::nullopt);
  if (!body) return tl::unexpected(body.error());
  if (o.json) {
    o.out << body->dump(2) << "\n";
    return {};
  }
  std::vector<std::vector<std::string>> rows;
  if (body->is_object()) {
    for (const auto& [key, value] : body->items()) {
      rows.push_back({sanitize(key), truncate(text_of(value), 200)});
    }
  }
  print_table(o.out, {"FIELD", "VALUE"}, rows);
  return {};
}

Result<void> list_findings(const ApiCall& api, const std::string& since, const Output& o) {
  auto body =
      api(http::verb::get,
          "/api/v1/findings" + (since.empty() ? "" : "?since=" + url_encode(since)), std::nullopt);
  if (!body) return tl::unexpected(body.error());
  if (o.json) {
    o.out << body->dump(2) << "\n";
    return {};
  }
  std::vector<std::vector<std::string>> rows;
  if (const auto& findings = member(*body, "findings"); findings.is_array()) {
    for (const auto& f : findings) {
      rows.push_back({text_of(member(f, "rule")), text_of(member(f, "severity")),
                      text_of(member(f, "devices")), text_of(member(f, "first_seen"))});
    }
  }
  print_table(o.out, {"RULE", "SEVERITY", "DEVICES", "SINCE"}, rows);
  o.out << "findings are reported by the endpoints: leads, not verdicts\n";
  return {};
}

}  // namespace triage::ctl
