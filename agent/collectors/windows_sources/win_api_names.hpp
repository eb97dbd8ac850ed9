#pragma once
// The names WinHost::api() answers, and the shape of each answer. The live answers come from
// the gatherers of agent/collectors/windows/ (win_api_table.cpp lists them); a recorded machine
// keeps each as api/<name>.json. A source reads an answer with the json_* helpers of
// win_values.hpp: every field may be missing or of another type, and the source copes.

#include <string_view>

namespace triage::agent::win_api {

// ---------------------------------------------------------------- system and hardware
// (names, each with its JSON shape in a comment)

/// When Windows started: {"boot_time_unix_ms": 1795600000000, "method": "NtQuerySystemInformation"
/// | "GetTickCount64"}. The kernel's boot instant (SystemTimeOfDayInformation) where ntdll
/// gives it, else now minus the tick count.
inline constexpr std::string_view kBoot = "boot";

/// Domain and Entra ID membership: {"status": "domain" | "workgroup" | "unjoined" | "unknown",
/// "netbios_name": "CORP" (the domain's or workgroup's; NetGetJoinInformation), "dns_domain":
/// "corp.example.com" (GetComputerNameExW ComputerNameDnsDomain; "" outside a domain), "entra":
/// {"join_type": "device" | "workplace" | "none", "tenant_id": "...", "tenant_display_name":
/// "...", "idp_domain": "login.windows.net", "device_id": "..."} (NetGetAadJoinInformation;
/// absent where the system lacks it)}.
inline constexpr std::string_view kJoinState = "join_state";

/// Remote Desktop Services sessions: {"sessions": [{"session_id": 1, "state": "active" |
/// "connected" | "disconnected" | "listen" | ..., "station": "Console" | "RDP-Tcp#3" | "",
/// "user": "maria.keller", "domain": "AzureAD", "client_name": "" (the RDP client's computer),
/// "logon_time_unix_ms": 1796100000000 (absent when unknown)}]}, every session, session 0 and
/// user-less ones included (WTSEnumerateSessionsW, WTSQuerySessionInformationW).
inline constexpr std::string_view kSessions = "sessions";

/// The SMBIOS table: {"table_base64": "...", "major": 3, "minor": 4}: the structure table as
/// GetSystemFirmwareTable('RSMB', 0) returns it after its 8-byte RawSMBIOSData header, base64,
/// and the SMBIOS version of that header.
inline constexpr std::string_view kSmbios = "smbios";

/// Processor topology: {"sockets": 1, "cores": 10, "logical_processors": 12, "hypervisor_present":
/// true (CPUID.1:ECX[31]), "hypervisor_vendor": "Microsoft Hv" (CPUID 0x40000000),
/// "root_partition": true (Hyper-V's CPUID 0x40000003 EBX bit 0, CreatePartitions: the
/// partition that runs Windows on the hardware, with virtualization-based security)}
/// (GetLogicalProcessorInformationEx RelationAll).
inline constexpr std::string_view kProcessors = "processors";

/// AC power: {"ac_line_status": 0 (offline) | 1 (online) | 255 (unknown), "battery_flag": 128
/// (no system battery) | ..., "battery_life_percent": 0..100 | 255} (GetSystemPowerStatus).
inline constexpr std::string_view kPowerStatus = "power_status";

// ---------------------------------------------------------------- software, services, processes

/// The Windows Update Agent's view (IUpdateSearcher): updates neither installed nor hidden, and
/// the newest successful installation of its history. Slow (an online search):
///   {"searched_unix_ms": 1796126100000,
///    "online": true,                    // false: the online search failed, so the search
///    "online_error": "",                //   read the results of Windows' last scan
///    "updates": [{"title": "2026-11 Cumulative Update for ...", "kb": ["5070883"],
///                 "severity": "Critical",          // MsrcSeverity, "" unless a security fix
///                 "categories": ["Security Updates", "Windows 11"],
///                 "size_bytes": 817889280}],
///    "last_install_unix_ms": 1792584000000,   // absent when the history has none
///    "history_error": ""}                     // why the history was not read, if it was not
inline constexpr std::string_view kWindowsUpdate = "windows_update";

/// The Win32 services (EnumServicesStatusExW(SERVICE_WIN32) with QueryServiceConfigW and
/// QueryServiceConfig2W), the Win32 constants as numbers:
///   {"services": [{"name": "Spooler", "display_name": "Print Spooler",
///                  "service_type": 272,           // SERVICE_WIN32_OWN_PROCESS | INTERACTIVE
///                  "current_state": 1,            // SERVICE_STOPPED 1 .. SERVICE_PAUSED 7
///                  "start_type": 2,               // BOOT 0, SYSTEM 1, AUTO 2, DEMAND 3,
///                                                 //   DISABLED 4; absent when not readable
///                  "delayed_auto_start": false,   // SERVICE_CONFIG_DELAYED_AUTO_START_INFO
///                  "trigger_start": false,        // SERVICE_CONFIG_TRIGGER_INFO has triggers
///                  "win32_exit_code": 1067,
///                  "service_specific_exit_code": 0,   // meant when win32_exit_code is 1066
///                  "process_id": 0}],
///    "truncated": false}
inline constexpr std::string_view kServices = "services";

/// The running processes, sampled twice sample_ms apart (Toolhelp32 with GetProcessTimes,
/// GetProcessMemoryInfo, the token's user and the command line, each best effort):
///   {"sample_ms": 250, "memory_total_bytes": 34359738368,
///    "processes": [{"pid": 1234, "ppid": 880, "name": "chrome.exe", "threads": 31,
///                   "cpu_time_ms": 81230,          // user + kernel, at the second sample
///                   "cpu_window_us": 12500,        // used between the samples; absent for a
///                                                  //   process not seen twice
///                   "working_set_bytes": 412000256, "start_unix_ms": 1796120000000,
///                   "user": "CORP\\maria.keller",    // "" when the token is not readable
///                   "command_line": "\"C:\\...\\chrome.exe\" --type=renderer"}],  // unredacted
///    "truncated": false}
inline constexpr std::string_view kProcesses = "processes";

// ---------------------------------------------------------------- network

/// GetAdaptersAddresses (AF_UNSPEC, GAA_FLAG_INCLUDE_GATEWAYS | GAA_FLAG_INCLUDE_PREFIX): every
/// adapter that is not disabled, in the system's order.
/// {"adapters": [{"guid": "{9A1E...}" (AdapterName), "friendly_name": "Wi-Fi",
///   "description": "Intel(R) Wi-Fi 6E AX211 160MHz", "if_index": 18, "ipv6_if_index": 18,
///   "if_type": 71 (IANA ifType), "oper_status": 1 (IF_OPER_STATUS: 1 up, 2 down, 3 testing,
///   4 unknown, 5 dormant, 6 not present, 7 lower layer down), "mac": "a4:c3:f0:12:34:56",
///   "transmit_link_speed": 866700000 (bits/s; 18446744073709551615 unknown),
///   "receive_link_speed": ..., "mtu": 1500, "dhcpv4_enabled": true, "ipv4_metric": 25,
///   "ipv6_metric": 25, "unicast": [{"address": "172.20.14.57", "prefix_length": 23}],
///   "gateways": ["172.20.14.1"], "dns_servers": ["172.20.0.53"],
///   "dns_suffix": "wlan.corp.example.com"}]}
/// Addresses as text without a zone ("fe80::1", not "fe80::1%18").
inline constexpr std::string_view kAdapters = "adapters";

/// GetIpForwardTable2(AF_UNSPEC): every route of both families, as the system keeps them
/// (host routes of its own addresses, multicast and broadcast included).
/// {"routes": [{"destination": "0.0.0.0", "prefix_length": 0, "next_hop": "172.20.14.1",
///   "if_index": 18, "metric": 0 (the route's own metric, without the interface's),
///   "protocol": 3 (MIB_IPFORWARD_PROTO: 3 netmgmt/static, 2 local, ...)}]}
inline constexpr std::string_view kRoutes = "routes";

/// The WLAN API (wlanapi.dll, loaded when present): WlanEnumInterfaces, then per interface
/// WlanQueryInterface(current_connection, channel_number) and WlanGetNetworkBssList for the
/// connected BSS. Without the WLAN AutoConfig service (servers, Wine):
/// {"available": false, "reason": "wlanapi.dll not present"}. Otherwise
/// {"available": true, "interfaces": [{"guid": "{9A1E...}", "description": "...",
///   "state": "connected" | "disconnected" | "associating" | ..., "ssid": "CORP-WLAN",
///   "bssid": "f4:92:bf:1a:2b:3c", "phy_type": "802.11ac" (DOT11_PHY_TYPE as its standard),
///   "signal_quality": 78 (0-100), "rssi_dbm": -60 (the connected BSS's lRssi, when listed),
///   "channel": 44, "frequency_khz": 5220000 (the BSS's centre frequency, when listed),
///   "rx_rate_kbps": 866700, "tx_rate_kbps": 866700, "auth": "WPA2-Enterprise"}]}
inline constexpr std::string_view kWlan = "wlan";

/// WinHttpGetDefaultProxyConfiguration: the machine's WinHTTP proxy (`netsh winhttp show proxy`).
/// {"access_type": "no_proxy" | "named_proxy" | "default_proxy", "proxy": "host:port" or "",
///  "bypass": "<local>;*.corp.example.com" or ""}
inline constexpr std::string_view kWinhttpProxy = "winhttp_proxy";

// ---------------------------------------------------------------- health and security

/// GlobalMemoryStatusEx and GetPerformanceInfo, each object absent when its call failed, with
/// the structures' own member names (sizes of PERFORMANCE_INFORMATION in pages):
/// {"memory_status_ex": {"dwMemoryLoad": 41, "ullTotalPhys": 17179869184, "ullAvailPhys": …,
///   "ullTotalPageFile": …, "ullAvailPageFile": …, "ullTotalVirtual": …, "ullAvailVirtual": …},
///  "performance_information": {"CommitTotal": 2911233, "CommitLimit": 4718592,
///   "CommitPeak": …, "PhysicalTotal": …, "PhysicalAvailable": …, "SystemCache": …,
///   "KernelTotal": …, "KernelPaged": …, "KernelNonpaged": …, "PageSize": 4096,
///   "HandleCount": …, "ProcessCount": …, "ThreadCount": …},
///  "errors": ["GetPerformanceInfo: …"]}
inline constexpr std::string_view kMemoryStatus = "memory_status";

/// Drive letters (GetLogicalDriveStringsW) with GetDriveTypeW; local volumes also with
/// GetVolumeInformationW, GetDiskFreeSpaceExW and FSCTL_IS_VOLUME_DIRTY. Network drives are
/// never queried further (a dead server would hang the call), so they carry no sizes. A failed
/// call leaves its fields out and says why in "error" (a card reader without a card):
/// {"volumes": [{"root": "C:\\", "drive_type": 3 (DRIVE_REMOVABLE 2, DRIVE_FIXED 3,
///   DRIVE_REMOTE 4, DRIVE_CDROM 5, DRIVE_RAMDISK 6), "volume_name": "\\\\?\\Volume{…}\\",
///   "label": "Windows", "file_system": "NTFS", "serial_number": 2882400018,
///   "file_system_flags": 65482495, "total_bytes": …, "free_bytes": …,
///   "available_bytes": … (free to the caller, after quotas), "dirty": false,
///   "error": "GetVolumeInformationW: The device is not ready. (21)"}]}
inline constexpr std::string_view kVolumes = "volumes";

/// The print spooler service (QueryServiceStatusEx, QueryServiceConfigW) and, when it runs,
/// EnumPrintersW level 2 (local and connected printers) with EnumJobsW level 2 per printer
/// (at most 100 jobs each). Status and Attributes are the PRINTER_INFO_2/JOB_INFO_2 bit sets;
/// times are UTC "yyyy-mm-ddThh:mm:ss.mmmZ" (from SYSTEMTIME). "error" says why printers are
/// absent (the spooler is stopped: EnumPrintersW fails with RPC_S_SERVER_UNAVAILABLE):
/// {"spooler": {"state": "running" | "stopped" | "start_pending" | …, "start_type":
///   "auto" | "demand" | "disabled", "pid": 2316},
///  "printers": [{"name": "HP-LJ-3OG", "port": "IP_10.20.3.41", "driver": "…",
///   "share_name": "…", "location": "…", "comment": "…", "status": 2 (PRINTER_STATUS_*),
///   "attributes": 4 (PRINTER_ATTRIBUTE_*), "jobs": 1, "default": true,
///   "job_list": [{"id": 14, "user": "mkrause", "document": "…", "machine": "\\\\PC",
///     "status": 2 (JOB_STATUS_*), "size_bytes": 482312, "pages": 3, "pages_printed": 0,
///     "submitted": "2026-12-01T09:00:12.000Z"}]}],
///  "error": "EnumPrintersW: The RPC server is unavailable. (1722)"}
inline constexpr std::string_view kPrinters = "printers";
/// Windows Defender Firewall's profiles that apply to the networks the machine is on now
/// (INetFwPolicy2::get_CurrentProfileTypes), as NET_FW_PROFILE2_* bits: 1 domain, 2 private,
/// 4 public; 0 when on no network. {"current_profile_types": 2}
inline constexpr std::string_view kFirewall = "firewall";

}  // namespace triage::agent::win_api
