#pragma once
// The Win32 gatherers behind WinHost::api(): each asks the system one thing the registry, WMI
// and the Event Log do not carry, and answers as JSON in the shape win_api_names.hpp gives its
// name. Windows only. Each must return an error (never throw, never hang) when the call fails
// or the system lacks it (Wine lacks many: that is an answer too).

#include <span>
#include <string_view>

#include <nlohmann/json.hpp>

#include "shared/util/result.hpp"

namespace triage::agent {

using ApiGatherer = Result<nlohmann::json> (*)();

struct NamedGatherer {
  std::string_view name;
  ApiGatherer gather = nullptr;
};

/// Every gatherer, by name (win_api_table.cpp).
std::span<const NamedGatherer> api_gatherers();

}  // namespace triage::agent
