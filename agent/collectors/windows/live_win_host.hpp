#pragma once
// The running Windows machine as WinHost: the registry (RegOpenKeyExW/RegQueryValueExW in the
// asked view), WMI (COM, IWbemLocator, semisynchronous queries with a timeout), the Event Log
// (wevtapi EvtQuery with an XPath built from EventQuery), files, and the gatherers of
// win_api_gatherers.hpp. Windows only.

#include "agent/collectors/windows_sources/win_host.hpp"

namespace triage::agent {

WinHostPtr make_live_win_host();

}  // namespace triage::agent
