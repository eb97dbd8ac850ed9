#pragma once
// What an integration event becomes in Request Tracker: an internal comment with a short
// readable summary and, for diagnostics, the snapshot and its findings as attachments. Pure:
// the connector loads the enrichment and the attachment and sends the result.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "collector/integrations/rt/rt_client.hpp"
#include "collector/storage/ticket_records.hpp"

namespace triage::collector {

struct RtComment {
  /// Carries the delivery id: the marker by which a retried delivery finds a comment that
  /// was posted although its answer was lost.
  std::string subject;
  std::string text;
  std::vector<RtFile> files;
};

/// The comment's subject for one delivery ("[triage #42] diagnostics (delivery <uuid>)").
std::string rt_comment_subject(std::int64_t ticket_id, std::string_view event_type,
                               std::string_view delivery_id);

/// The comment for `event` (the internal event body as enqueued). `enrichment` and `snapshot`
/// are the stored diagnostics the event refers to, when it is a diagnostics or verification
/// event. nullopt for event types that are not sent to RT.
std::optional<RtComment> render_rt_comment(const nlohmann::json& event,
                                           std::string_view delivery_id,
                                           const Enrichment* enrichment,
                                           const Attachment* snapshot);

/// The findings of an enrichment as plain text, one block per finding (the readable
/// attachment next to the snapshot JSON).
std::string render_findings_text(const Enrichment& enrichment);

}  // namespace triage::collector
