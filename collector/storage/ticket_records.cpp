#include "collector/storage/ticket_records.hpp"

#include <array>
#include <utility>

namespace triage::collector {

namespace {
constexpr std::array<std::pair<TicketStatus, const char*>, 5> kStatusNames = {{
    {TicketStatus::kNew, "new"},
    {TicketStatus::kOpen, "open"},
    {TicketStatus::kPending, "pending"},
    {TicketStatus::kResolved, "resolved"},
    {TicketStatus::kClosed, "closed"},
}};
}  // namespace

const char* status_name(TicketStatus status) {
  for (const auto& [value, name] : kStatusNames) {
    if (value == status) return name;
  }
  return "new";
}

std::optional<TicketStatus> parse_status(std::string_view text) {
  for (const auto& [value, name] : kStatusNames) {
    if (text == name) return value;
  }
  return std::nullopt;
}

const char* visibility_name(Visibility visibility) {
  return visibility == Visibility::kPublic ? "public" : "internal";
}

}  // namespace triage::collector
