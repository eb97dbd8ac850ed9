#pragma once
// Wording shared by the network probe rules.

#include <string>

#include "triage/v1/snapshot.pb.h"

namespace triage::collector::rules {

/// True for a probe that ran and did not get an answer (FAILED or TIMEOUT). Skipped and
/// unspecified probes are no evidence either way.
bool probe_failed(const v1::Probe& probe);

/// "timeout", "failed", "ok".
std::string probe_result_name(v1::Probe::Result result);

/// "wlan0: up, carrier yes, Wi-Fi signal -78 dBm" for the default interface, "" when unknown.
std::string describe_default_interface(const v1::NetworkInfo& network);

}  // namespace triage::collector::rules
