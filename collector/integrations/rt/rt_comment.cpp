#include "collector/integrations/rt/rt_comment.hpp"

#include "collector/integrations/event_types.hpp"
#include "shared/util/time_format.hpp"

namespace triage::collector {

namespace {

constexpr std::size_t kMaxFindingsInSummary = 20;

std::string text_of(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  return it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string finding_line(const nlohmann::json& f) {
  std::string line = "- [" + text_of(f, "severity") + "] " + text_of(f, "title");
  if (auto subject = text_of(f, "subject"); !subject.empty()) line += " (" + subject + ")";
  return line + "\n";
}

std::string findings_list(const nlohmann::json& findings) {
  std::string out;
  std::size_t n = 0;
  for (const auto& f : findings) {
    if (++n > kMaxFindingsInSummary) {
      out += "- ... and " + std::to_string(findings.size() - kMaxFindingsInSummary) +
             " more (see the attachment)\n";
      break;
    }
    out += finding_line(f);
  }
  return out;
}

std::string file_stem(std::int64_t ticket_id, std::string_view delivery_id) {
  return "triage-" + std::to_string(ticket_id) + "-" + std::string(delivery_id.substr(0, 8));
}

std::string diagnostics_text(const nlohmann::json& data, const Enrichment* e, bool verification) {
  std::string text =
      verification ? "Verification diagnostics after resolve" : "Diagnostics collected by triage";
  text += " from device " + text_of(data, "device_id");
  if (auto at = text_of(data, "snapshot_at"); !at.empty()) text += ", snapshot taken " + at;
  text += " (" + text_of(data, "source") + ").\n";
  if (auto note = text_of(data, "note"); !note.empty()) text += note + "\n";
  if (!e) return text + "Findings: " + text_of(data, "findings") + "\n";
  text += "\nFindings: " + std::to_string(e->findings.size());
  if (!e->findings.empty()) text += ", worst " + text_of(data, "worst_severity");
  text += "\n" + findings_list(e->findings);
  if (verification && e->comparison.is_object() && !e->comparison.empty()) {
    auto section = [&](const char* key, const char* title) {
      auto it = e->comparison.find(key);
      if (it == e->comparison.end() || !it->is_array()) return;
      text += "\n" + std::string(title) + ": " + std::to_string(it->size()) + "\n";
      text += findings_list(*it);
    };
    section("cleared", "Cleared since the ticket was opened");
    section("remaining", "Still present");
    section("new", "New since the ticket was opened");
  }
  return text;
}

std::string action_text(const nlohmann::json& data) {
  std::string text = "Action " + text_of(data, "action");
  text += text_of(data, "kind") == "action_refused" ? " was refused" : " finished";
  text += " on device " + text_of(data, "device_id") + ".\n";
  for (const char* key : {"state", "exit_code", "term_signal", "timed_out", "duration_ms", "reason",
                          "order_id", "requested_by"}) {
    if (auto value = text_of(data, key); !value.empty()) {
      text += std::string(key) + ": " + value + "\n";
    }
  }
  if (auto pc = data.find("post_check"); pc != data.end() && pc->is_object()) {
    text += "post_check: " + std::string(pc->value("passed", false) ? "passed" : "failed") + "\n";
  }
  if (auto out = text_of(data, "output_excerpt"); !out.empty()) {
    text += "\nOutput (excerpt):\n" + out + "\n";
  }
  return text;
}

}  // namespace

std::string rt_comment_subject(std::int64_t ticket_id, std::string_view event_type,
                               std::string_view delivery_id) {
  std::string what(event_type);
  if (what.starts_with("ticket.")) what = what.substr(7);
  return "[triage #" + std::to_string(ticket_id) + "] " + what + " (delivery " +
         std::string(delivery_id) + ")";
}

std::string render_findings_text(const Enrichment& e) {
  std::string out = "Findings for device " + e.device_id;
  if (e.snapshot_at) out += " (snapshot " + format_rfc3339(*e.snapshot_at) + ")";
  out += "\n\n";
  if (e.findings.empty()) out += "No findings.\n";
  for (const auto& f : e.findings) {
    out += finding_line(f);
    if (auto evidence = text_of(f, "evidence"); !evidence.empty()) {
      out += "  evidence: " + evidence + "\n";
    }
    if (auto it = f.find("suggested_actions"); it != f.end() && it->is_array()) {
      for (const auto& a : *it) out += "  suggested: " + text_of({{"a", a}}, "a") + "\n";
    }
    if (auto kb = text_of(f, "kb"); !kb.empty()) out += "  kb: " + kb + "\n";
  }
  if (e.changes.is_object() && !e.changes.empty()) {
    out += "\nChanges since the baseline:\n" +
           e.changes.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  return out;
}

std::optional<RtComment> render_rt_comment(const nlohmann::json& event,
                                           std::string_view delivery_id,
                                           const Enrichment* enrichment,
                                           const Attachment* snapshot) {
  const std::string type = text_of(event, "type");
  const auto ticket = event.value("ticket", nlohmann::json::object());
  const std::int64_t ticket_id =
      ticket.is_object() ? ticket.value("id", std::int64_t{0}) : std::int64_t{0};
  const auto data = event.value("data", nlohmann::json::object());
  RtComment c;
  c.subject = rt_comment_subject(ticket_id, type, delivery_id);
  const std::string header = "triage ticket #" + std::to_string(ticket_id) + "\n\n";
  if (type == kTicketDiagnostics || type == kTicketVerification) {
    c.text = header + diagnostics_text(data, enrichment, type == kTicketVerification);
    const auto stem = file_stem(ticket_id, delivery_id);
    if (snapshot && !snapshot->content.empty()) {
      c.text += "\nAttached: the snapshot (" + snapshot->name + ") and the findings as text.\n";
      c.files.push_back({snapshot->name, "application/json", snapshot->content});
    }
    if (enrichment) {
      c.files.push_back({stem + "-findings.txt", "text/plain", render_findings_text(*enrichment)});
    }
    return c;
  }
  if (type == kTicketActionResult) {
    c.text = header + action_text(data);
    return c;
  }
  if (type == kTicketEscalated) {
    c.text = header + "Escalated to " + text_of(data, "to") + ": " + text_of(data, "reason") + "\n";
    return c;
  }
  if (type == kTicketNoteAdded) {
    const auto note = data.value("note", nlohmann::json::object());
    // A note that came from this RT already is there.
    if (text_of(note, "external_system").size()) return std::nullopt;
    c.text = header + "Note (" + text_of(note, "visibility") + ") by " + text_of(event, "actor") +
             ":\n" + text_of(note, "text") + "\n";
    return c;
  }
  if (type == kTicketStatusChanged) {
    c.text = header + "Status " + text_of(data, "from") + " -> " + text_of(data, "to");
    if (auto reason = text_of(data, "reason"); !reason.empty()) c.text += ": " + reason;
    c.text += "\n";
    return c;
  }
  return std::nullopt;
}

}  // namespace triage::collector
