#pragma once
// The running Windows machine as WinHost: the registry (RegOpenKeyExW/RegQueryValueExW in the
// asked view), WMI (COM, IWbemLocator, semisynchronous queries with a timeout), the Event Log
// (wevtapi EvtQuery with an XPath built from EventQuery), files, and the gatherers of
// win_api_gatherers.hpp. Windows only.

#include "agent/collectors/windows_sources/win_host.hpp"

namespace triage::agent {

/// The running machine. With `start_com`, COM starts on the calling thread and WMI's client is
/// loaded now (no call to the WMI service, so nothing here can wait on it): that costs CPU and
/// MiB of DLL pages once per process, and it belongs to the snapshot, not to whichever source
/// happens to ask WMI first. A failure then is not kept: each query tries again.
WinHostPtr make_live_win_host(bool start_com = false);

}  // namespace triage::agent
