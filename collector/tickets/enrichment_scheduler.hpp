#pragma once
// What ticket operations need from enrichment: "attach diagnostics of this device", without
// waiting for them. Kept apart so the ticket logic is testable without agents.

#include <cstdint>
#include <string>

namespace triage::collector {

class EnrichmentScheduler {
 public:
  virtual ~EnrichmentScheduler() = default;
  /// `purpose`: "creation", "link" or "verification". Returns at once; the enrichment lands
  /// on the ticket's timeline when done.
  virtual void enrich(std::int64_t ticket_id, const std::string& device_id,
                      const std::string& purpose) = 0;
};

}  // namespace triage::collector
