#pragma once
// Windows time zone names ("W. Europe Standard Time", the registry's TimeZoneKeyName) as the
// IANA names the snapshot carries ("Europe/Berlin"). Pure; portable.

#include <string>
#include <string_view>

namespace triage::agent {

/// The IANA zone of a Windows zone name (any case); "" when the table does not know it.
std::string iana_time_zone(std::string_view windows_name);

}  // namespace triage::agent
