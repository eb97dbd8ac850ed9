#include "collector/storage/order_records.hpp"

#include <array>
#include <utility>

namespace triage::collector {

namespace {

constexpr std::array<std::pair<OrderState, const char*>, 9> kNames = {{
    {OrderState::kAwaitingApproval, "awaiting_approval"},
    {OrderState::kQueued, "queued"},
    {OrderState::kSent, "sent"},
    {OrderState::kRunning, "running"},
    {OrderState::kSucceeded, "succeeded"},
    {OrderState::kFailed, "failed"},
    {OrderState::kRefused, "refused"},
    {OrderState::kExpired, "expired"},
    {OrderState::kCancelled, "cancelled"},
}};

}  // namespace

const char* order_state_name(OrderState state) {
  for (const auto& [s, name] : kNames) {
    if (s == state) return name;
  }
  return "unknown";
}

std::optional<OrderState> parse_order_state(std::string_view text) {
  for (const auto& [s, name] : kNames) {
    if (text == name) return s;
  }
  return std::nullopt;
}

bool order_state_final(OrderState state) {
  switch (state) {
    case OrderState::kSucceeded:
    case OrderState::kFailed:
    case OrderState::kRefused:
    case OrderState::kExpired:
    case OrderState::kCancelled:
      return true;
    default:
      return false;
  }
}

}  // namespace triage::collector
