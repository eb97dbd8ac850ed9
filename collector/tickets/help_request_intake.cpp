#include "collector/tickets/help_request_intake.hpp"

#include <spdlog/spdlog.h>

namespace triage::collector {

namespace {

/// The first line of what the user wrote, shortened on a UTF-8 boundary.
std::string title_from(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > 120) {
    std::size_t cut = 117;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    line = line.substr(0, cut) + "...";
  }
  return line;
}

}  // namespace

Result<void> HelpRequestIntake::admit(const std::string& device_id) {
  auto admitted = limiter_.admit(device_id);
  if (!admitted && on_refused_) on_refused_(device_id, admitted.error().message);
  return admitted;
}

Result<std::int64_t> HelpRequestIntake::open_ticket(const std::string& device_id, std::uint64_t seq,
                                                    const v1::HelpRequest& request) {
  // The agent's request id when it sent one, else the report's own identity.
  const std::string key = device_id + "/" +
                          (request.request_id().empty() ? "seq-" + std::to_string(seq)
                                                        : request.request_id().substr(0, 64));
  if (auto existing = store_.read().tickets().find_ticket_by_external(kEndpointOrigin, key);
      !existing) {
    return tl::unexpected(existing.error());
  } else if (*existing) {
    return (*existing)->id;
  }
  auto device = store_.read().devices().find_device(device_id);
  if (!device) return tl::unexpected(device.error());
  const std::string hostname = *device ? (*device)->hostname : device_id;

  NewTicket t;
  t.title = title_from(request.text());
  if (t.title.find_first_not_of(" \t\r") == std::string::npos) {
    t.title = "Help requested from " + hostname;
  }
  t.description = request.text().substr(0, kMaxTextBytes);
  const std::string user = request.local_user().empty()
                               ? "uid " + std::to_string(request.local_uid())
                               : request.local_user().substr(0, 64);
  t.requester = user + "@" + hostname.substr(0, 60);
  t.device_ids = {device_id};
  t.source = "endpoint";
  t.external_system = std::string(kEndpointOrigin);
  t.external_id = key;
  t.enrich = !request.has_snapshot();
  auto created =
      tickets_.create(std::move(t), "device:" + device_id, std::chrono::system_clock::now());
  if (!created) {
    if (created.error().code == ErrorCode::kConflict) {
      auto again = store_.read().tickets().find_ticket_by_external(kEndpointOrigin, key);
      if (again && *again) return (*again)->id;
    }
    return tl::unexpected(created.error());
  }
  if (request.has_snapshot())
    enrichment_.enrich_from_report(created->id, device_id, seq, "creation");
  spdlog::info("device {}: help request became ticket {}", device_id, created->id);
  return created->id;
}

}  // namespace triage::collector
