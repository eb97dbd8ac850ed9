#pragma once
// A probe's parameters as the REST API takes them (a JSON object per probe, e.g. reach:
// {"host", "port", "tls", "server_name"}) turned into the typed request the collector signs,
// and checked with the rules the agent applies again (shared/probes/probe_params.hpp).
// Unknown fields, wrong types and values out of range are kInvalid naming the field.

#include <nlohmann/json.hpp>

#include "shared/util/result.hpp"
#include "triage/v1/probe.pb.h"

namespace triage::collector {

/// Sets `probe` and its parameters on `out`.
Result<void> probe_params_from_json(const std::string& probe, const nlohmann::json& params,
                                    v1::ProbePayload& out);

/// The typed parameters of `payload` as JSON (what the API shows and the audit keeps).
nlohmann::json probe_params_to_json(const v1::ProbePayload& payload);

}  // namespace triage::collector
