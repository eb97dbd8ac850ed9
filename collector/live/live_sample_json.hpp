#pragma once
// A live sample as the API shows and the store keeps it: the agent's LiveSample with every
// list and text capped again here (the agent's caps are its own promise; the collector does not
// take them on trust), rates as integers, text printable.

#include <nlohmann/json.hpp>

#include "triage/v1/live.pb.h"

namespace triage::collector {

/// Busiest processes and error lines kept per sample, at most.
inline constexpr int kLiveSampleProcesses = 5;
inline constexpr int kLiveSampleErrors = 10;

nlohmann::json live_sample_json(const v1::LiveSample& sample);

}  // namespace triage::collector
