#pragma once
// The Win32 gatherers of the system and hardware sources (win_api_names.hpp gives each answer's
// shape): boot instant, domain and Entra join, Remote Desktop sessions, the SMBIOS table,
// the processor topology and the power source. Windows only; each returns an error when its call
// fails.

#include <nlohmann/json.hpp>

#include "shared/util/result.hpp"

namespace triage::agent {

/// "boot": the kernel's boot instant, else now minus GetTickCount64.
Result<nlohmann::json> gather_boot();
/// "join_state": NetGetJoinInformation, the DNS domain, NetGetAadJoinInformation.
Result<nlohmann::json> gather_join_state();
/// "sessions": WTSEnumerateSessionsW and each session's user, station, client and logon time.
Result<nlohmann::json> gather_sessions();
/// "smbios": GetSystemFirmwareTable('RSMB').
Result<nlohmann::json> gather_smbios();
/// "processors": GetLogicalProcessorInformationEx and CPUID's hypervisor leaves.
Result<nlohmann::json> gather_processors();
/// "power_status": GetSystemPowerStatus.
Result<nlohmann::json> gather_power_status();

}  // namespace triage::agent
