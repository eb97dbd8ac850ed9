#include "collector/triagectl/ctl_catalog.hpp"

#include "collector/triagectl/ctl_client.hpp"
#include "collector/triagectl/ctl_output.hpp"
#include "shared/util/files.hpp"

namespace triage::ctl {

namespace http = transport::http;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxDefinitionBytes = 64 * 1024;

std::string proposal_line(const json& p) {
  const auto& proposed = p.is_object() && p.contains("proposed") ? p["proposed"] : json();
  return "proposal " + field(p, "id") + ": " + field(p, "change") + " " + field(p, "action_id") +
         " v" + field(p, "version") + ", " + field(p, "status") + " (proposed by " +
         field(proposed, "user") + ")";
}

Result<std::string> id_path(const std::string& id, const std::string& rest) {
  if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos) {
    return fail(ErrorCode::kInvalid, "proposal id must be a number, not `" + sanitize(id) + "`");
  }
  return "/api/v1/actions/proposals/" + id + rest;
}

void print_one(const json& p, const Output& o) {
  if (o.json) {
    o.out << p.dump(2) << "\n";
  } else {
    o.out << proposal_line(p) << "\n";
  }
}

}  // namespace

Result<void> propose_action(const ApiCall& api, const std::string& file,
                            const std::string& replaces, const Output& o) {
  auto text = read_file(file, kMaxDefinitionBytes);
  if (!text) return fail(ErrorCode::kInvalid, "reading " + file + ": " + text.error().message);
  const json body = {{"definition", *text}};
  auto p = replaces.empty() ? api(http::verb::post, "/api/v1/actions", body)
                            : api(http::verb::put, "/api/v1/actions/" + url_encode(replaces), body);
  if (!p) return tl::unexpected(p.error());
  print_one(*p, o);
  if (!o.json) o.err << "in force once a second admin or senior approves it\n";
  return {};
}

Result<void> list_proposals(const ApiCall& api, const std::string& status, const Output& o) {
  auto body =
      api(http::verb::get,
          "/api/v1/actions/proposals" + (status.empty() ? "" : "?status=" + url_encode(status)),
          std::nullopt);
  if (!body) return tl::unexpected(body.error());
  if (o.json) {
    o.out << body->dump(2) << "\n";
    return {};
  }
  std::vector<std::vector<std::string>> rows;
  if (body->contains("items") && (*body)["items"].is_array()) {
    for (const auto& p : (*body)["items"]) {
      const auto& proposed = p.contains("proposed") ? p["proposed"] : json();
      rows.push_back({field(p, "id"), field(p, "status"), field(p, "change"),
                      truncate(field(p, "action_id"), 40), field(p, "version"), field(p, "risk"),
                      truncate(field(proposed, "user"), 24), truncate(field(p, "argv"), 60)});
    }
  }
  print_table(o.out, {"ID", "STATUS", "CHANGE", "ACTION", "VER", "RISK", "PROPOSED BY", "ARGV"},
              rows);
  return {};
}

Result<void> decide_proposal(const ApiCall& api, const std::string& id, const std::string& decision,
                             const std::string& reason, const Output& o) {
  auto path = id_path(id, "/" + decision);
  if (!path) return tl::unexpected(path.error());
  std::optional<json> body = json::object();
  if (!reason.empty()) body = json{{"reason", reason}};
  auto p = api(http::verb::post, *path, body);
  if (!p) return tl::unexpected(p.error());
  print_one(*p, o);
  return {};
}

}  // namespace triage::ctl
