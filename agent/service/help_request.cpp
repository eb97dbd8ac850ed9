#include "agent/service/help_request.hpp"

#include <chrono>
#include <regex>

#include "agent/collectors/text.hpp"
#include "shared/pki/secrets.hpp"

namespace triage::agent {

namespace {

constexpr std::pair<HelpState, std::string_view> kStateNames[] = {
    {HelpState::kQueued, "queued"},       {HelpState::kSent, "sent"},
    {HelpState::kDelivered, "delivered"}, {HelpState::kTicket, "ticket"},
    {HelpState::kRejected, "rejected"},   {HelpState::kError, "error"}};

// A string member's value, "" when absent or of another type. nlohmann's value() throws on
// a type mismatch, and these objects come from any local user.
std::string string_member(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string_view state_name(HelpState state) {
  for (const auto& [s, name] : kStateNames) {
    if (s == state) return name;
  }
  return "error";
}

}  // namespace

std::string new_help_request_id() { return pki::to_hex(pki::random_bytes(16)); }

Result<HelpSubmission> parse_help_submission(const nlohmann::json& request, std::uint32_t uid,
                                             const std::string& user) {
  if (string_member(request, "type") != "help") {
    return fail(ErrorCode::kInvalid, "unknown request type");
  }
  const auto* text = request.contains("text") && request["text"].is_string()
                         ? request["text"].get_ptr<const std::string*>()
                         : nullptr;
  if (text == nullptr) return fail(ErrorCode::kInvalid, "the request has no text");
  if (text->size() > kMaxHelpTextBytes) {
    return fail(ErrorCode::kInvalid,
                "the text is longer than " + std::to_string(kMaxHelpTextBytes) + " bytes");
  }
  HelpSubmission help;
  help.text = clean_text(*text, kMaxHelpTextBytes);
  if (trim(help.text).empty()) return fail(ErrorCode::kInvalid, "say what is wrong");
  static const std::regex kRequestId("[A-Za-z0-9-]{8,64}");
  if (request.contains("request_id")) {
    const auto& id = request["request_id"];
    if (!id.is_string() || !std::regex_match(id.get<std::string>(), kRequestId)) {
      return fail(ErrorCode::kInvalid, "malformed request_id");
    }
    help.request_id = id.get<std::string>();
  } else {
    help.request_id = new_help_request_id();
  }
  help.uid = uid;
  help.user = clean_text(user, 64);
  return help;
}

v1::AgentMessage help_report(const HelpSubmission& help, v1::Snapshot snapshot) {
  v1::AgentMessage message;
  auto* body = message.mutable_help_request();
  body->set_text(help.text);
  body->set_local_user(help.user);
  body->set_local_uid(help.uid);
  body->set_created_at_unix_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
  *body->mutable_snapshot() = std::move(snapshot);
  body->set_request_id(help.request_id);
  return message;
}

nlohmann::json progress_to_json(const HelpProgress& p) {
  nlohmann::json j = {{"state", state_name(p.state)}, {"seq", p.seq}};
  if (!p.ticket_id.empty()) j["ticket_id"] = p.ticket_id;
  if (!p.message.empty()) j["message"] = p.message;
  return j;
}

HelpProgress progress_from_json(const nlohmann::json& j) {
  HelpProgress p;
  p.state = HelpState::kError;
  const std::string state = string_member(j, "state");
  for (const auto& [s, name] : kStateNames) {
    if (name == state) p.state = s;
  }
  if (j.contains("seq") && j["seq"].is_number_unsigned()) p.seq = j["seq"].get<std::uint64_t>();
  if (j.contains("ticket_id") && j["ticket_id"].is_string()) {
    p.ticket_id = clean_text(j["ticket_id"].get<std::string>(), 128);
  }
  if (j.contains("message") && j["message"].is_string()) {
    p.message = clean_text(j["message"].get<std::string>(), 512);
  }
  if (p.state == HelpState::kError && p.message.empty()) p.message = "unexpected reply";
  return p;
}

std::string describe_progress(const HelpProgress& p) {
  switch (p.state) {
    case HelpState::kQueued:
      return "Your request is queued and will be sent to the helpdesk as soon as it can be "
             "reached.";
    case HelpState::kSent:
      return "Your request was sent to the helpdesk; waiting for a ticket number.";
    case HelpState::kDelivered:
      return "Your request reached the helpdesk. A ticket number is not available yet; the "
             "helpdesk will contact you.";
    case HelpState::kTicket:
      return "Your request is ticket " + p.ticket_id + ". Quote it when you contact the helpdesk.";
    case HelpState::kRejected:
      return "The helpdesk could not accept your request (" + p.message +
             "); please contact it directly.";
    case HelpState::kError:
      return "Your request could not be filed: " + p.message;
  }
  return "";
}

}  // namespace triage::agent
