#include "collector/storage/integration_records.hpp"

namespace triage::collector {

const char* outbox_status_name(OutboxStatus status) {
  switch (status) {
    case OutboxStatus::kPending:
      return "pending";
    case OutboxStatus::kDelivered:
      return "delivered";
    case OutboxStatus::kFailed:
      return "failed";
  }
  return "pending";
}

std::optional<OutboxStatus> parse_outbox_status(std::string_view text) {
  if (text == "pending") return OutboxStatus::kPending;
  if (text == "delivered") return OutboxStatus::kDelivered;
  if (text == "failed") return OutboxStatus::kFailed;
  return std::nullopt;
}

}  // namespace triage::collector
