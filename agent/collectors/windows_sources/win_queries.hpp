#pragma once
// The query texts the live WinHost sends, built from what a source asks: the WQL of a WMI read
// and the XPath of an Event Log read. Pure, so they are tested natively; names that would change
// the query's meaning (quotes, spaces, operators) are refused rather than escaped.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/windows_sources/win_host.hpp"
#include "shared/util/result.hpp"

namespace triage::agent {

/// "SELECT Caption,BuildNumber FROM Win32_OperatingSystem" ("SELECT *" when `properties` is
/// empty). kInvalid when the class or a property is not a WMI identifier (letters, digits, '_').
Result<std::string> wql_select(std::string_view wmi_class,
                               const std::vector<std::string>& properties);

/// The Event Log XPath of `query`'s filters: providers, event ids, levels 0..max_level (level 0
/// is "log always" and passes, as in the Event Viewer) and TimeCreated at or after since; "*"
/// when it filters nothing. kInvalid when a provider name holds a quote or a control character.
Result<std::string> event_xpath(const EventQuery& query);

/// Unix milliseconds as the Event Log's SystemTime text, "2024-01-15T09:30:00.000Z".
std::string event_system_time(std::int64_t unix_ms);

}  // namespace triage::agent
