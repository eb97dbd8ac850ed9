#include "collector/tickets/ticket_views.hpp"

#include <map>

#include "shared/util/time_format.hpp"

namespace triage::collector {

namespace {

nlohmann::json optional_time(const std::optional<TimePoint>& t) {
  return t ? nlohmann::json(format_rfc3339(*t)) : nlohmann::json(nullptr);
}

/// "met" / "breached" once answered or resolved; else "ok", "at_risk" (under a quarter of
/// the time left) or "breached".
nlohmann::json sla_json(const Ticket& t, TimePoint now) {
  auto state = [&](TimePoint start, TimePoint due, const std::optional<TimePoint>& done) {
    if (done) return *done <= due ? "met" : "breached";
    if (now > due) return "breached";
    return (due - now) * 4 < (due - start) ? "at_risk" : "ok";
  };
  const bool finished = t.status == TicketStatus::kResolved || t.status == TicketStatus::kClosed;
  auto minutes_left = std::chrono::duration_cast<std::chrono::minutes>(t.due_at - now).count();
  return {{"response", state(t.created_at, t.response_due_at, t.first_response_at)},
          {"resolution", state(t.created_at, t.due_at, t.resolved_at)},
          {"minutes_left", finished ? nlohmann::json(nullptr) : nlohmann::json(minutes_left)}};
}

}  // namespace

nlohmann::json ticket_requester_json(const Ticket& ticket) {
  return {{"id", ticket.id},
          {"title", ticket.title},
          {"description", ticket.description},
          {"requester", ticket.requester},
          {"status", status_name(ticket.status)},
          {"priority", "P" + std::to_string(ticket.priority)},
          {"created_at", format_rfc3339(ticket.created_at)},
          {"updated_at", format_rfc3339(ticket.updated_at)}};
}

nlohmann::json ticket_summary_json(const Ticket& t, TimePoint now) {
  nlohmann::json j = {
      {"id", t.id},
      {"title", t.title},
      {"status", status_name(t.status)},
      {"priority", "P" + std::to_string(t.priority)},
      {"tier", "L" + std::to_string(t.tier)},
      {"queue", t.queue},
      {"assignee", t.assignee.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.assignee)},
      {"requester", t.requester},
      {"source", t.source},
      {"devices", t.device_ids},
      {"created_by", t.created_by},
      {"created_at", format_rfc3339(t.created_at)},
      {"updated_at", format_rfc3339(t.updated_at)},
      {"response_due_at", format_rfc3339(t.response_due_at)},
      {"due_at", format_rfc3339(t.due_at)},
      {"first_response_at", optional_time(t.first_response_at)},
      {"resolved_at", optional_time(t.resolved_at)},
      {"closed_at", optional_time(t.closed_at)},
      {"sla", sla_json(t, now)}};
  if (!t.external_system.empty()) {
    j["external"] = {{"system", t.external_system}, {"id", t.external_id}};
  }
  return j;
}

nlohmann::json event_json(const TicketEvent& e) {
  return {{"id", e.id},
          {"at", format_rfc3339(e.at)},
          {"actor", e.actor},
          {"kind", e.kind},
          {"visibility", visibility_name(e.visibility)},
          {"data", e.data}};
}

nlohmann::json attachment_json(const Attachment& a) {
  return {{"id", a.id},
          {"name", a.name},
          {"content_type", a.content_type},
          {"kind", a.kind},
          {"visibility", visibility_name(a.visibility)},
          {"sha256", a.sha256},
          {"size", a.size},
          {"created_at", format_rfc3339(a.created_at)},
          {"created_by", a.created_by},
          {"url", "/api/v1/tickets/" + std::to_string(a.ticket_id) + "/attachments/" +
                      std::to_string(a.id)}};
}

nlohmann::json enrichment_json(const Enrichment& e) {
  nlohmann::json j = {{"id", e.id},
                      {"device_id", e.device_id},
                      {"purpose", e.purpose},
                      {"source", e.source},
                      {"note", e.note},
                      {"reported_by", "endpoint"},
                      {"snapshot_at", optional_time(e.snapshot_at)},
                      {"report_seq", e.report_seq},
                      {"attachment_id",
                       e.attachment_id ? nlohmann::json(e.attachment_id) : nlohmann::json(nullptr)},
                      {"findings", e.findings},
                      {"changes", e.changes},
                      {"created_at", format_rfc3339(e.created_at)}};
  if (e.snapshot_at) {
    j["age_seconds"] =
        std::chrono::duration_cast<std::chrono::seconds>(e.created_at - *e.snapshot_at).count();
  }
  if (!e.comparison.empty()) j["comparison"] = e.comparison;
  return j;
}

nlohmann::json ticket_detail_json(const Ticket& ticket, const std::vector<TicketEvent>& events,
                                  const std::vector<Attachment>& attachments,
                                  const std::vector<Enrichment>& enrichments, TicketView view,
                                  TimePoint now) {
  if (view == TicketView::kRequester) {
    nlohmann::json timeline = nlohmann::json::array();
    for (const auto& e : events) {
      if (e.visibility == Visibility::kPublic) timeline.push_back(event_json(e));
    }
    nlohmann::json files = nlohmann::json::array();
    for (const auto& a : attachments) {
      if (a.visibility == Visibility::kPublic) files.push_back(attachment_json(a));
    }
    nlohmann::json j = ticket_requester_json(ticket);
    j["timeline"] = std::move(timeline);
    j["attachments"] = std::move(files);
    return j;
  }
  nlohmann::json j = ticket_summary_json(ticket, now);
  j["description"] = ticket.description;
  nlohmann::json timeline = nlohmann::json::array();
  long minutes = 0;
  for (const auto& e : events) {
    timeline.push_back(event_json(e));
    if (e.kind == "time_entry") minutes += e.data.value("minutes", 0L);
  }
  j["timeline"] = std::move(timeline);
  j["time_spent_minutes"] = minutes;
  nlohmann::json files = nlohmann::json::array();
  for (const auto& a : attachments) files.push_back(attachment_json(a));
  j["attachments"] = std::move(files);
  nlohmann::json diagnostics = nlohmann::json::array();
  // Current findings: from the newest non-verification diagnostics of each device.
  std::map<std::string, const Enrichment*> newest;
  const Enrichment* verification = nullptr;
  for (const auto& e : enrichments) {
    diagnostics.push_back(enrichment_json(e));
    if (e.purpose == "verification") {
      verification = &e;
    } else {
      newest[e.device_id] = &e;
    }
  }
  j["diagnostics"] = std::move(diagnostics);
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& [device, e] : newest) {
    for (auto f : e->findings) {
      f["device_id"] = device;
      f["reported_by"] = "endpoint";
      findings.push_back(std::move(f));
    }
  }
  j["findings"] = std::move(findings);
  j["verification"] = verification ? enrichment_json(*verification) : nlohmann::json(nullptr);
  return j;
}

}  // namespace triage::collector
