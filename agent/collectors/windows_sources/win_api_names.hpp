#pragma once
// The names WinHost::api() answers, and the shape of each answer. The live answers come from
// the gatherers of agent/collectors/windows/ (win_api_table.cpp lists them); a recorded machine
// keeps each as api/<name>.json. A source reads an answer with the json_* helpers of
// win_values.hpp: every field may be missing or of another type, and the source copes.

#include <string_view>

namespace triage::agent::win_api {

// ---------------------------------------------------------------- system and hardware
// (names, each with its JSON shape in a comment)

// ---------------------------------------------------------------- software, services, processes

// ---------------------------------------------------------------- network

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

}  // namespace triage::agent::win_api
