#include "collector/triagectl/ctl_tickets.hpp"

#include "collector/triagectl/ctl_client.hpp"
#include "collector/triagectl/ctl_output.hpp"

namespace triage::ctl {

namespace http = transport::http;
using nlohmann::json;

namespace {

Result<std::string> ticket_path(const std::string& id, const std::string& rest = "") {
  if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos) {
    return fail(ErrorCode::kInvalid, "ticket id must be a number, not `" + sanitize(id) + "`");
  }
  return "/api/v1/tickets/" + id + rest;
}

/// The worse of the response and resolution SLA states.
std::string sla_state(const json& ticket) {
  const auto& sla = member(ticket, "sla");
  auto rank = [](const std::string& s) {
    return s == "breached" ? 3 : s == "at_risk" ? 2 : s == "ok" ? 1 : 0;
  };
  std::string worst = "-";
  for (const char* key : {"response", "resolution"}) {
    const auto& v = member(sla, key);
    if (!v.is_string()) continue;
    auto s = v.get<std::string>();
    if (worst == "-" || rank(s) > rank(worst)) worst = s;
  }
  return sanitize(worst);
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

/// The readable part of a timeline event's data.
std::string event_text(const json& event) {
  const auto& data = member(event, "data");
  std::string text;
  if (data.is_object()) {
    if (const auto& t = member(data, "text"); t.is_string()) return sanitize(t.get<std::string>());
    for (const auto& [key, value] : data.items()) {
      if (value.is_object() || value.is_array()) continue;
      text += (text.empty() ? "" : ", ") + sanitize(key) + ": " + text_of(value);
    }
  } else if (!data.is_null()) {
    text = text_of(data);
  }
  return text;
}

/// Prints the one-line state of a ticket returned by a change.
void print_ticket_line(const Output& o, const json& t, const std::string& what) {
  if (o.json) {
    o.out << t.dump(2) << "\n";
    return;
  }
  o.out << "ticket #" << text_of(member(t, "id")) << " " << what << ": status "
        << text_of(member(t, "status")) << ", priority " << text_of(member(t, "priority"))
        << ", tier " << text_of(member(t, "tier")) << ", assignee "
        << text_of(member(t, "assignee")) << "\n";
}

void print_done(const Output& o, const json& body, const std::string& message) {
  if (o.json) {
    o.out << body.dump(2) << "\n";
  } else {
    o.out << message << "\n";
  }
}

Result<void> post_to_ticket(const ApiCall& api, const std::string& id, const std::string& rest,
                            const json& body, const std::string& done, const Output& o) {
  auto path = ticket_path(id, rest);
  if (!path) return tl::unexpected(path.error());
  auto reply = api(http::verb::post, *path, body);
  if (!reply) return tl::unexpected(reply.error());
  print_done(o, *reply, done);
  return {};
}

Result<void> patch_ticket(const ApiCall& api, const std::string& id, const json& body,
                          const std::string& what, const Output& o) {
  auto path = ticket_path(id);
  if (!path) return tl::unexpected(path.error());
  auto t = api(http::verb::patch, *path, body);
  if (!t) return tl::unexpected(t.error());
  print_ticket_line(o, *t, what);
  return {};
}

}  // namespace

Result<void> list_tickets(const ApiCall& api, const TicketFilter& f, const Output& o) {
  std::string query;
  auto add = [&](const char* key, const std::string& value) {
    if (value.empty()) return;
    query += (query.empty() ? "?" : "&") + std::string(key) + "=" + url_encode(value);
  };
  add("status", join(f.status));
  add("priority", join(f.priority));
  add("assignee", f.assignee);
  add("device_id", f.device);
  if (f.limit > 0) add("limit", std::to_string(f.limit));
  auto body = api(http::verb::get, "/api/v1/tickets" + query, std::nullopt);
  if (!body) return tl::unexpected(body.error());
  if (o.json) {
    o.out << body->dump(2) << "\n";
    return {};
  }
  std::vector<std::vector<std::string>> rows;
  const auto& tickets = member(*body, "tickets");
  if (tickets.is_array()) {
    for (const auto& t : tickets) {
      rows.push_back({text_of(member(t, "id")), text_of(member(t, "priority")),
                      text_of(member(t, "status")), text_of(member(t, "tier")), sla_state(t),
                      text_of(member(t, "assignee")), truncate(text_of(member(t, "title")), 60)});
    }
  }
  print_table(o.out, {"ID", "PRI", "STATUS", "TIER", "SLA", "ASSIGNEE", "TITLE"}, rows);
  o.out << rows.size() << " of " << text_of(member(*body, "total")) << " tickets\n";
  return {};
}

Result<void> show_ticket(const ApiCall& api, const std::string& id, const Output& o) {
  auto path = ticket_path(id);
  if (!path) return tl::unexpected(path.error());
  auto body = api(http::verb::get, *path, std::nullopt);
  if (!body) return tl::unexpected(body.error());
  if (o.json) {
    o.out << body->dump(2) << "\n";
    return {};
  }
  const auto& t = *body;
  auto& out = o.out;
  out << "#" << text_of(member(t, "id")) << "  " << text_of(member(t, "title")) << "\n";
  out << "status: " << text_of(member(t, "status"))
      << "   priority: " << text_of(member(t, "priority"))
      << "   tier: " << text_of(member(t, "tier")) << "   queue: " << text_of(member(t, "queue"))
      << "   assignee: " << text_of(member(t, "assignee")) << "\n";
  out << "requester: " << text_of(member(t, "requester"))
      << "   devices: " << text_of(member(t, "devices")) << "\n";
  out << "created: " << text_of(member(t, "created_at"))
      << "   due: " << text_of(member(t, "due_at")) << "   sla: " << sla_state(t)
      << "   time spent: " << text_of(member(t, "time_spent_minutes")) << " min\n";
  if (const auto& d = member(t, "description"); d.is_string() && !d.get<std::string>().empty()) {
    out << "\n" << sanitize(d.get<std::string>(), true) << "\n";
  }
  if (const auto& findings = member(t, "findings"); findings.is_array() && !findings.empty()) {
    out << "\nFindings (reported by the endpoint):\n";
    for (const auto& f : findings) {
      out << "  [" << text_of(member(f, "severity")) << "] " << text_of(member(f, "title")) << "  ("
          << text_of(member(f, "rule")) << ", device " << text_of(member(f, "device_id")) << ")\n";
      if (const auto& ev = member(f, "evidence"); !ev.is_null()) {
        out << "      evidence: " << truncate(text_of(ev), 200) << "\n";
      }
    }
  }
  if (const auto& timeline = member(t, "timeline"); timeline.is_array()) {
    out << "\nTimeline:\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : timeline) {
      std::string kind = text_of(member(e, "kind"));
      if (member(e, "visibility") == "public") kind += " (public)";
      rows.push_back({"  " + text_of(member(e, "at")), text_of(member(e, "actor")), kind,
                      truncate(event_text(e), 200)});
    }
    print_table(out, {"  TIME", "ACTOR", "KIND", "TEXT"}, rows);
  }
  return {};
}

Result<void> create_ticket(const ApiCall& api, const NewTicket& n, const Output& o) {
  json body = {{"title", n.title}};
  if (!n.description.empty()) body["description"] = n.description;
  if (!n.requester.empty()) body["requester"] = n.requester;
  if (!n.priority.empty()) body["priority"] = n.priority;
  if (!n.device.empty()) body["device_id"] = n.device;
  auto t = api(http::verb::post, "/api/v1/tickets", body);
  if (!t) return tl::unexpected(t.error());
  print_ticket_line(o, *t, "created");
  return {};
}

Result<void> escalate_ticket(const ApiCall& api, const std::string& id, const std::string& reason,
                             const std::string& to, const Output& o) {
  auto path = ticket_path(id, "/escalate");
  if (!path) return tl::unexpected(path.error());
  json body = {{"reason", reason}};
  if (!to.empty()) body["to_tier"] = to;
  auto t = api(http::verb::post, *path, body);
  if (!t) return tl::unexpected(t.error());
  print_ticket_line(o, *t, "escalated");
  return {};
}

Result<void> add_note(const ApiCall& api, const std::string& id, const std::string& text,
                      bool public_note, const Output& o) {
  return post_to_ticket(
      api, id, "/notes", {{"text", text}, {"visibility", public_note ? "public" : "internal"}},
      std::string(public_note ? "public" : "internal") + " note added to ticket #" + id, o);
}

Result<void> assign_ticket(const ApiCall& api, const std::string& id, const std::string& user,
                           const Output& o) {
  return patch_ticket(api, id, {{"assignee", user}}, "assigned", o);
}

Result<void> set_ticket_status(const ApiCall& api, const std::string& id, const std::string& status,
                               const std::string& reason, const Output& o) {
  json body = {{"status", status}};
  if (!reason.empty()) body["reason"] = reason;
  return patch_ticket(api, id, body, "updated", o);
}

Result<void> record_time(const ApiCall& api, const std::string& id, int minutes,
                         const std::string& note, const Output& o) {
  json body = {{"minutes", minutes}};
  if (!note.empty()) body["note"] = note;
  return post_to_ticket(api, id, "/time", body,
                        std::to_string(minutes) + " min recorded on ticket #" + id, o);
}

}  // namespace triage::ctl
