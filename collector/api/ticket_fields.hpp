#pragma once
// Ticket fields as clients write them: priority 1-4 or "P1".."P4", tier 1-3 or "L1".."L3".

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "shared/util/result.hpp"

namespace triage::collector {

/// `priority` of `body`: absent or null → nullopt; kInvalid naming the field otherwise.
Result<std::optional<int>> priority_field(const nlohmann::json& body);

/// A tier field (`tier`, `to_tier`) of `body`.
Result<std::optional<int>> tier_field(const nlohmann::json& body, std::string_view key);

}  // namespace triage::collector
