#pragma once
// How w32time is set to get its time (Services\W32Time\Parameters: Type and NtpServer): the
// words the boot source reports, and the NTP servers the probes ask for the clock's offset.

#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/windows_sources/win_host.hpp"

namespace triage::agent {

inline constexpr std::string_view kW32TimeParameters =
    "HKLM\\SYSTEM\\CurrentControlSet\\Services\\W32Time\\Parameters";

/// "w32time (NTP time.windows.com)", "w32time (domain hierarchy)", "w32time (not
/// synchronising: Type NoSync)".
std::string w32time_description(const RegistryKey& parameters);

/// The NTP servers w32time asks ("time.windows.com,0x9 pool.ntp.org,0x8" without the mode
/// flags), when its Type makes it use them (NTP, AllSync); empty for the domain hierarchy,
/// NoSync or no server.
std::vector<std::string> w32time_ntp_servers(const RegistryKey& parameters);

/// False when w32time is set not to synchronise at all (Type NoSync); true otherwise.
bool w32time_synchronises(const RegistryKey& parameters);

}  // namespace triage::agent
