// Win32 gatherers for the health sources. Windows only.
//
// Blocking: GetVolumeInformationW can wait on a slow removable device, and EnumJobsW on a
// printer connection waits on its print server. Those gatherers run on a worker thread and
// give up after a deadline; a worker that never returns is left behind (detached, owning
// everything it touches), which costs a thread but never the agent.
#include "shared/util/windows/windows_api.hpp"
// After windows.h: these need its types.
#include <psapi.h>
#include <winioctl.h>
#include <winspool.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/collectors/windows/gather_health.hpp"
#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {
namespace {

constexpr auto kVolumesDeadline = std::chrono::seconds(5);
constexpr auto kPrintersDeadline = std::chrono::seconds(10);
constexpr DWORD kMaxJobsPerPrinter = 100;

/// Runs `gather` on its own thread; an error when it has not answered by `deadline`.
template <class Gather>
Result<nlohmann::json> with_deadline(Gather gather, std::chrono::seconds deadline,
                                     const char* what) {
  auto task = std::make_shared<std::packaged_task<Result<nlohmann::json>()>>(std::move(gather));
  auto answer = task->get_future();
  try {
    std::thread([task] { (*task)(); }).detach();
  } catch (const std::exception& e) {
    return fail(std::string(what) + ": no thread: " + e.what());
  }
  if (answer.wait_for(deadline) != std::future_status::ready) {
    return fail(ErrorCode::kUnavailable, std::string(what) + ": no answer within " +
                                             std::to_string(deadline.count()) + " s");
  }
  try {
    return answer.get();
  } catch (const std::exception& e) {
    return fail(std::string(what) + ": " + e.what());
  }
}

std::string text_of(const wchar_t* s) { return s ? narrow(s) : std::string(); }

/// SYSTEMTIME (UTC) as "yyyy-mm-ddThh:mm:ss.mmmZ".
std::string utc_text(const SYSTEMTIME& t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", t.wYear, t.wMonth, t.wDay,
                t.wHour, t.wMinute, t.wSecond, t.wMilliseconds);
  return buf;
}

/// Closes a handle when it leaves scope.
struct HandleCloser {
  HANDLE h;
  ~HandleCloser() {
    if (h != INVALID_HANDLE_VALUE && h != nullptr) ::CloseHandle(h);
  }
};

std::optional<bool> volume_dirty(wchar_t letter) {
  wchar_t device[] = L"\\\\.\\?:";
  device[4] = letter;
  // No access rights asked: the dirty bit query needs none, and an open for reading would
  // need an administrator.
  HANDLE h = ::CreateFileW(device, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr, OPEN_EXISTING, 0,
                           nullptr);
  if (h == INVALID_HANDLE_VALUE) return std::nullopt;
  HandleCloser closer{h};
  ULONG flags = 0;
  DWORD bytes = 0;
  if (!::DeviceIoControl(h, FSCTL_IS_VOLUME_DIRTY, nullptr, 0, &flags, sizeof flags, &bytes,
                         nullptr)) {
    return std::nullopt;
  }
  return (flags & VOLUME_IS_DIRTY) != 0;
}

/// No "insert a disk" dialog for an empty card reader while it lives: the calls fail instead.
struct NoCriticalErrorDialogs {
  DWORD previous = 0;
  NoCriticalErrorDialogs() {
    ::SetThreadErrorMode(SEM_FAILCRITICALERRORS | SEM_NOOPENFILEERRORBOX, &previous);
  }
  ~NoCriticalErrorDialogs() { ::SetThreadErrorMode(previous, nullptr); }
};

Result<nlohmann::json> volumes_now() {
  NoCriticalErrorDialogs quiet;
  DWORD length = ::GetLogicalDriveStringsW(0, nullptr);
  if (length == 0) return fail(last_error_text("GetLogicalDriveStringsW"));
  std::vector<wchar_t> roots(length + 1, L'\0');
  if (::GetLogicalDriveStringsW(length, roots.data()) == 0)
    return fail(last_error_text("GetLogicalDriveStringsW"));
  nlohmann::json volumes = nlohmann::json::array();
  for (const wchar_t* root = roots.data(); *root != L'\0'; root += wcslen(root) + 1) {
    nlohmann::json v;
    v["root"] = narrow(root);
    const UINT type = ::GetDriveTypeW(root);
    v["drive_type"] = type;
    // A network drive is not asked anything more: a dead server blocks these calls for
    // minutes in the redirector.
    if (type == DRIVE_REMOTE || type == DRIVE_NO_ROOT_DIR || type == DRIVE_UNKNOWN) {
      volumes.push_back(std::move(v));
      continue;
    }
    wchar_t volume_name[64] = {};
    if (::GetVolumeNameForVolumeMountPointW(root, volume_name, 64)) {
      v["volume_name"] = narrow(volume_name);
    }
    wchar_t label[MAX_PATH + 1] = {}, file_system[MAX_PATH + 1] = {};
    DWORD serial = 0, max_component = 0, flags = 0;
    if (::GetVolumeInformationW(root, label, MAX_PATH + 1, &serial, &max_component, &flags,
                                file_system, MAX_PATH + 1)) {
      v["label"] = narrow(label);
      v["file_system"] = narrow(file_system);
      v["serial_number"] = serial;
      v["file_system_flags"] = flags;
    } else {
      v["error"] = last_error_text("GetVolumeInformationW");
      volumes.push_back(std::move(v));
      continue;
    }
    ULARGE_INTEGER available{}, total{}, free{};
    if (::GetDiskFreeSpaceExW(root, &available, &total, &free)) {
      v["total_bytes"] = total.QuadPart;
      v["free_bytes"] = free.QuadPart;
      v["available_bytes"] = available.QuadPart;
    } else {
      v["error"] = last_error_text("GetDiskFreeSpaceExW");
    }
    if (type == DRIVE_FIXED || type == DRIVE_REMOVABLE) {
      if (auto dirty = volume_dirty(root[0])) v["dirty"] = *dirty;
    }
    volumes.push_back(std::move(v));
  }
  return nlohmann::json{{"volumes", std::move(volumes)}};
}

const char* service_state(DWORD state) {
  switch (state) {
    case SERVICE_RUNNING:
      return "running";
    case SERVICE_STOPPED:
      return "stopped";
    case SERVICE_START_PENDING:
      return "start_pending";
    case SERVICE_STOP_PENDING:
      return "stop_pending";
    case SERVICE_PAUSED:
      return "paused";
    case SERVICE_PAUSE_PENDING:
      return "pause_pending";
    case SERVICE_CONTINUE_PENDING:
      return "continue_pending";
    default:
      return "unknown";
  }
}

const char* start_type(DWORD type) {
  switch (type) {
    case SERVICE_AUTO_START:
      return "auto";
    case SERVICE_DEMAND_START:
      return "demand";
    case SERVICE_DISABLED:
      return "disabled";
    case SERVICE_BOOT_START:
      return "boot";
    case SERVICE_SYSTEM_START:
      return "system";
    default:
      return "unknown";
  }
}

/// The Spooler service's state and start type; an "error" member when the manager refuses.
nlohmann::json spooler_service() {
  nlohmann::json s = nlohmann::json::object();
  SC_HANDLE manager = ::OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT);
  if (!manager) {
    s["error"] = last_error_text("OpenSCManagerW");
    return s;
  }
  SC_HANDLE service =
      ::OpenServiceW(manager, L"Spooler", SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG);
  if (!service) {
    s["error"] = last_error_text("OpenServiceW Spooler");
    ::CloseServiceHandle(manager);
    return s;
  }
  SERVICE_STATUS_PROCESS status{};
  DWORD needed = 0;
  if (::QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO, reinterpret_cast<BYTE*>(&status),
                             sizeof status, &needed)) {
    s["state"] = service_state(status.dwCurrentState);
    s["pid"] = status.dwProcessId;
  } else {
    s["error"] = last_error_text("QueryServiceStatusEx");
  }
  ::QueryServiceConfigW(service, nullptr, 0, &needed);
  if (needed > 0 && needed < 64 * 1024) {
    std::vector<BYTE> config(needed);
    auto* c = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(config.data());
    if (::QueryServiceConfigW(service, c, needed, &needed))
      s["start_type"] = start_type(c->dwStartType);
  }
  ::CloseServiceHandle(service);
  ::CloseServiceHandle(manager);
  return s;
}

/// winspool.drv's entry points, loaded when needed: a system without the print spooler's
/// client (Server Core without printing, Wine without it) is an answer, not a load failure.
struct Winspool {
  HMODULE module = nullptr;
  decltype(&::EnumPrintersW) enum_printers = nullptr;
  decltype(&::EnumJobsW) enum_jobs = nullptr;
  decltype(&::OpenPrinterW) open_printer = nullptr;
  decltype(&::ClosePrinter) close_printer = nullptr;
  decltype(&::GetDefaultPrinterW) default_printer = nullptr;

  bool load() {
    module = ::LoadLibraryW(L"winspool.drv");
    if (!module) return false;
    enum_printers = reinterpret_cast<decltype(enum_printers)>(
        reinterpret_cast<void*>(::GetProcAddress(module, "EnumPrintersW")));
    enum_jobs = reinterpret_cast<decltype(enum_jobs)>(
        reinterpret_cast<void*>(::GetProcAddress(module, "EnumJobsW")));
    open_printer = reinterpret_cast<decltype(open_printer)>(
        reinterpret_cast<void*>(::GetProcAddress(module, "OpenPrinterW")));
    close_printer = reinterpret_cast<decltype(close_printer)>(
        reinterpret_cast<void*>(::GetProcAddress(module, "ClosePrinter")));
    default_printer = reinterpret_cast<decltype(default_printer)>(
        reinterpret_cast<void*>(::GetProcAddress(module, "GetDefaultPrinterW")));
    return enum_printers && enum_jobs && open_printer && close_printer;
  }
  ~Winspool() {
    if (module) ::FreeLibrary(module);
  }
};

nlohmann::json jobs_of(Winspool& spool, const wchar_t* printer_name, std::string& error) {
  nlohmann::json jobs = nlohmann::json::array();
  HANDLE printer = nullptr;
  if (!spool.open_printer(const_cast<wchar_t*>(printer_name), &printer, nullptr)) {
    error = last_error_text("OpenPrinterW");
    return jobs;
  }
  DWORD needed = 0, returned = 0;
  spool.enum_jobs(printer, 0, kMaxJobsPerPrinter, 2, nullptr, 0, &needed, &returned);
  std::vector<BYTE> buf(needed);
  if (needed > 0 &&
      spool.enum_jobs(printer, 0, kMaxJobsPerPrinter, 2, buf.data(), needed, &needed, &returned)) {
    const auto* info = reinterpret_cast<const JOB_INFO_2W*>(buf.data());
    for (DWORD i = 0; i < returned; ++i) {
      const auto& j = info[i];
      jobs.push_back({{"id", j.JobId},
                      {"user", text_of(j.pUserName)},
                      {"document", text_of(j.pDocument)},
                      {"machine", text_of(j.pMachineName)},
                      {"status", j.Status},
                      {"size_bytes", j.Size},
                      {"pages", j.TotalPages},
                      {"pages_printed", j.PagesPrinted},
                      {"submitted", utc_text(j.Submitted)}});
    }
  } else if (needed > 0) {
    error = last_error_text("EnumJobsW");
  }
  spool.close_printer(printer);
  return jobs;
}

Result<nlohmann::json> printers_now() {
  nlohmann::json answer = {{"spooler", spooler_service()}};
  Winspool spool;
  if (!spool.load()) {
    answer["error"] = last_error_text("LoadLibraryW winspool.drv");
    return answer;
  }
  std::wstring default_name;
  if (spool.default_printer) {
    DWORD size = 0;
    spool.default_printer(nullptr, &size);
    if (size > 0 && size < 4096) {
      std::vector<wchar_t> name(size, L'\0');
      if (spool.default_printer(name.data(), &size)) default_name = name.data();
    }
  }
  const DWORD flags = PRINTER_ENUM_LOCAL | PRINTER_ENUM_CONNECTIONS;
  DWORD needed = 0, returned = 0;
  spool.enum_printers(flags, nullptr, 2, nullptr, 0, &needed, &returned);
  if (needed == 0) {
    DWORD code = ::GetLastError();
    // No printers at all is an empty list; anything else (the spooler is stopped: RPC server
    // unavailable) is why there is no list.
    if (code == ERROR_SUCCESS || code == ERROR_INSUFFICIENT_BUFFER) {
      answer["printers"] = nlohmann::json::array();
    } else {
      answer["error"] = "EnumPrintersW: " + windows_error_text(code);
    }
    return answer;
  }
  std::vector<BYTE> buf(needed);
  if (!spool.enum_printers(flags, nullptr, 2, buf.data(), needed, &needed, &returned)) {
    answer["error"] = last_error_text("EnumPrintersW");
    return answer;
  }
  nlohmann::json printers = nlohmann::json::array();
  const auto* info = reinterpret_cast<const PRINTER_INFO_2W*>(buf.data());
  for (DWORD i = 0; i < returned; ++i) {
    const auto& p = info[i];
    std::string error;
    nlohmann::json printer = {
        {"name", text_of(p.pPrinterName)},
        {"port", text_of(p.pPortName)},
        {"driver", text_of(p.pDriverName)},
        {"share_name", text_of(p.pShareName)},
        {"location", text_of(p.pLocation)},
        {"comment", text_of(p.pComment)},
        {"status", p.Status},
        {"attributes", p.Attributes},
        {"jobs", p.cJobs},
        {"default", p.pPrinterName != nullptr && default_name == p.pPrinterName}};
    printer["job_list"] = p.cJobs > 0 && p.pPrinterName ? jobs_of(spool, p.pPrinterName, error)
                                                        : nlohmann::json::array();
    if (!error.empty()) printer["error"] = error;
    printers.push_back(std::move(printer));
  }
  answer["printers"] = std::move(printers);
  return answer;
}

}  // namespace

Result<nlohmann::json> gather_memory_status() {
  nlohmann::json answer = nlohmann::json::object();
  nlohmann::json errors = nlohmann::json::array();
  MEMORYSTATUSEX status{};
  status.dwLength = sizeof status;
  if (::GlobalMemoryStatusEx(&status)) {
    answer["memory_status_ex"] = {{"dwMemoryLoad", status.dwMemoryLoad},
                                  {"ullTotalPhys", status.ullTotalPhys},
                                  {"ullAvailPhys", status.ullAvailPhys},
                                  {"ullTotalPageFile", status.ullTotalPageFile},
                                  {"ullAvailPageFile", status.ullAvailPageFile},
                                  {"ullTotalVirtual", status.ullTotalVirtual},
                                  {"ullAvailVirtual", status.ullAvailVirtual}};
  } else {
    errors.push_back(last_error_text("GlobalMemoryStatusEx"));
  }
  PERFORMANCE_INFORMATION perf{};
  perf.cb = sizeof perf;
  if (::GetPerformanceInfo(&perf, sizeof perf)) {
    answer["performance_information"] = {{"CommitTotal", perf.CommitTotal},
                                         {"CommitLimit", perf.CommitLimit},
                                         {"CommitPeak", perf.CommitPeak},
                                         {"PhysicalTotal", perf.PhysicalTotal},
                                         {"PhysicalAvailable", perf.PhysicalAvailable},
                                         {"SystemCache", perf.SystemCache},
                                         {"KernelTotal", perf.KernelTotal},
                                         {"KernelPaged", perf.KernelPaged},
                                         {"KernelNonpaged", perf.KernelNonpaged},
                                         {"PageSize", perf.PageSize},
                                         {"HandleCount", perf.HandleCount},
                                         {"ProcessCount", perf.ProcessCount},
                                         {"ThreadCount", perf.ThreadCount}};
  } else {
    errors.push_back(last_error_text("GetPerformanceInfo"));
  }
  if (errors.size() == 2)
    return fail(errors[0].get<std::string>() + "; " + errors[1].get<std::string>());
  if (!errors.empty()) answer["errors"] = std::move(errors);
  return answer;
}

Result<nlohmann::json> gather_volumes() {
  return with_deadline(&volumes_now, kVolumesDeadline, "volumes");
}

Result<nlohmann::json> gather_printers() {
  return with_deadline(&printers_now, kPrintersDeadline, "printers");
}

}  // namespace triage::agent
