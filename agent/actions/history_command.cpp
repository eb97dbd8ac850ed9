#include "agent/actions/history_command.hpp"

#include <iomanip>

#include "agent/actions/action_journal.hpp"
#include "shared/util/time_format.hpp"

namespace triage::agent {

namespace {

std::string text(const nlohmann::json& data, const char* key) {
  auto it = data.find(key);
  if (it == data.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string argv_line(const nlohmann::json& data) {
  std::string out;
  auto it = data.find("argv");
  if (it == data.end() || !it->is_array()) return out;
  for (const auto& a : *it) {
    if (!out.empty()) out += ' ';
    out += a.is_string() ? a.get<std::string>() : a.dump();
  }
  return out;
}

}  // namespace

int run_history(const StateDir& state, bool json, std::ostream& out, std::ostream& err) {
  std::error_code ec;
  if (!std::filesystem::exists(state.actions_journal(), ec)) {
    if (json) {
      out << nlohmann::json{{"entries", nlohmann::json::array()}, {"chain", "intact"}}.dump(2)
          << "\n";
    } else {
      out << "No orders or probes have reached this endpoint.\n";
    }
    return 0;
  }
  auto journal = ActionJournal::open(state.actions_journal());
  if (!journal) {
    err << "triage-agent: " << journal.error().message << "\n";
    return 1;
  }
  auto entries = (*journal)->entries();
  auto broken = (*journal)->verify();
  if (!entries || !broken) {
    err << "triage-agent: " << (!entries ? entries.error().message : broken.error().message)
        << "\n";
    return 1;
  }
  if (json) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& e : *entries) {
      items.push_back({{"id", e.id},
                       {"at", format_rfc3339(std::chrono::system_clock::time_point(
                                  std::chrono::milliseconds(e.at_unix_ms)))},
                       {"entry", e.data},
                       {"prev_hash", e.prev_hash},
                       {"hash", e.hash}});
    }
    nlohmann::json doc = {{"entries", items}, {"chain", *broken ? "broken" : "intact"}};
    if (*broken) doc["broken_at"] = {{"id", (*broken)->entry_id}, {"why", (*broken)->why}};
    out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    out << std::left << std::setw(5) << "#" << std::setw(22) << "WHEN" << std::setw(11) << "OUTCOME"
        << std::setw(24) << "ACTION" << std::setw(14) << "REQUESTED BY"
        << "COMMAND / REASON\n";
    for (const auto& e : *entries) {
      const auto outcome = text(e.data, "outcome");
      // An order shows its command; a probe what it looked at; a refusal why.
      std::string detail = argv_line(e.data);
      if (detail.empty()) detail = text(e.data, "target");
      if (outcome == "refused" || detail.empty()) {
        const auto reason = text(e.data, "reason");
        detail =
            text(e.data, "kind") == "probe" && !detail.empty() ? detail + ": " + reason : reason;
      }
      out << std::left << std::setw(5) << e.id << std::setw(22)
          << format_rfc3339(
                 std::chrono::system_clock::time_point(std::chrono::milliseconds(e.at_unix_ms)))
          << std::setw(11) << outcome << std::setw(24) << text(e.data, "action_id") << std::setw(14)
          << text(e.data, "requested_by") << detail << "\n";
    }
    if (entries->empty()) out << "(none)\n";
    if (*broken) {
      out << "history chain: BROKEN at entry " << (*broken)->entry_id << ": " << (*broken)->why
          << "\n";
    } else {
      out << "history chain: intact (" << entries->size() << " entries)\n";
    }
  }
  if (*broken) {
    err << "triage-agent: the history was tampered with: entry " << (*broken)->entry_id << " "
        << (*broken)->why << "\n";
    return 1;
  }
  return 0;
}

}  // namespace triage::agent
