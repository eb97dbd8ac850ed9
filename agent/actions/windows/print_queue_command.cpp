// `triage-agent.exe clear-print-queue` and `print-queue-empty`: the clear-windows-print-queue
// action and its post-check. The spooler is stopped (so no file is in use and no new job
// arrives), the jobs' .SHD/.SPL files of the spool folder are deleted, and the spooler is
// started again whatever the deletion did: a PC must never be left without printing.
// Each file is opened without following a reparse point and deleted through that handle after
// checking what it is, so a name swapped for a link between the listing and the deletion
// cannot redirect it.
#include "agent/actions/windows_action_commands.hpp"

#include <vector>

#include "agent/actions/spool_job_files.hpp"
#include "agent/actions/windows/service_manager.hpp"
#include "shared/util/windows/unique_handle.hpp"
#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {

namespace {

// A spool folder holds two files per job; far more means something else is wrong, and the
// action must end within its timeout.
constexpr std::size_t kMaxFiles = 20'000;

std::filesystem::path system_spool_dir() {
  wchar_t buf[MAX_PATH];
  const UINT n = ::GetSystemDirectoryW(buf, MAX_PATH);
  const std::filesystem::path system = n > 0 && n < MAX_PATH
                                           ? std::filesystem::path(std::wstring(buf, n))
                                           : std::filesystem::path(L"C:\\Windows\\System32");
  return system / L"spool" / L"PRINTERS";
}

std::filesystem::path spool_dir_of(const PrintQueueTarget& target) {
  return target.spool_dir.empty() ? system_spool_dir() : target.spool_dir;
}

/// Opens `path` itself (never what a reparse point names) with `access`.
UniqueHandle open_no_follow(const std::filesystem::path& path, DWORD access, bool directory) {
  return UniqueHandle(::CreateFileW(
      path.c_str(), access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
      OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT | (directory ? FILE_FLAG_BACKUP_SEMANTICS : 0),
      nullptr));
}

/// The folder is a real folder, not a link or junction to another one.
Result<void> check_spool_folder(const std::filesystem::path& dir) {
  auto handle = open_no_follow(dir, FILE_READ_ATTRIBUTES, true);
  if (!handle.valid()) return fail(last_error_text("spool folder " + narrow(dir.wstring())));
  BY_HANDLE_FILE_INFORMATION info{};
  if (!::GetFileInformationByHandle(handle.get(), &info)) {
    return fail(last_error_text("GetFileInformationByHandle"));
  }
  if ((info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0 ||
      (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) == 0) {
    return fail(ErrorCode::kDenied, "the spool folder " + narrow(dir.wstring()) +
                                        " is a link or not a folder; nothing is deleted");
  }
  return {};
}

/// The job files the listing shows (names only), at most kMaxFiles.
Result<std::vector<std::wstring>> list_job_files(const std::filesystem::path& dir) {
  std::vector<std::wstring> names;
  WIN32_FIND_DATAW found{};
  const std::wstring pattern = (dir / L"*").wstring();
  HANDLE find = ::FindFirstFileExW(pattern.c_str(), FindExInfoBasic, &found, FindExSearchNameMatch,
                                   nullptr, 0);
  if (find == INVALID_HANDLE_VALUE) {
    if (::GetLastError() == ERROR_FILE_NOT_FOUND) return names;
    return fail(last_error_text("FindFirstFileExW"));
  }
  do {
    const std::string name = narrow(found.cFileName);
    const SpoolEntry entry{name, (found.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0,
                           (found.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0};
    if (is_spool_job_file(entry)) names.emplace_back(found.cFileName);
  } while (names.size() < kMaxFiles && ::FindNextFileW(find, &found));
  ::FindClose(find);
  return names;
}

/// Deletes one job file through a handle that was checked to be a plain file.
Result<void> delete_job_file(const std::filesystem::path& path) {
  auto handle = open_no_follow(path, DELETE | FILE_READ_ATTRIBUTES, false);
  if (!handle.valid()) return fail(last_error_text("open"));
  BY_HANDLE_FILE_INFORMATION info{};
  if (!::GetFileInformationByHandle(handle.get(), &info)) {
    return fail(last_error_text("GetFileInformationByHandle"));
  }
  if ((info.dwFileAttributes & (FILE_ATTRIBUTE_REPARSE_POINT | FILE_ATTRIBUTE_DIRECTORY)) != 0) {
    return fail(ErrorCode::kDenied, "not a plain file any more; left alone");
  }
  FILE_DISPOSITION_INFO disposition{};
  disposition.DeleteFile = TRUE;
  if (!::SetFileInformationByHandle(handle.get(), FileDispositionInfo, &disposition,
                                    sizeof disposition)) {
    return fail(last_error_text("SetFileInformationByHandle"));
  }
  return {};
}

}  // namespace

int run_clear_windows_print_queue(const PrintQueueTarget& target, std::ostream& out,
                                  std::ostream& err) {
  const auto dir = spool_dir_of(target);
  if (auto folder = check_spool_folder(dir); !folder) {
    err << "clear-print-queue: " << folder.error().message << "\n";
    return 2;
  }
  auto opened = open_windows_service(target.spooler_service, SERVICE_QUERY_CONFIG |
                                                                 SERVICE_ENUMERATE_DEPENDENTS |
                                                                 SERVICE_STOP | SERVICE_START);
  if (!opened) {
    err << "clear-print-queue: " << opened.error().message << "\n";
    return 2;
  }
  auto facts = read_service_facts(*opened);
  if (!facts) {
    err << "clear-print-queue: " << facts.error().message << "\n";
    return 2;
  }
  if (facts->start_type == WinStartType::kDisabled) {
    err << "clear-print-queue: the " << target.spooler_service
        << " service is disabled; printing is switched off on this PC, nothing was done\n";
    return 2;
  }
  SC_HANDLE spooler = opened->service.get();
  if (facts->state != WinServiceState::kStopped) {
    out << "stopping " << target.spooler_service << "\n";
    if (auto stopped = stop_and_wait(spooler, target.wait); !stopped) {
      err << "clear-print-queue: " << target.spooler_service << ": " << stopped.error().message
          << "; nothing was deleted\n";
      // It may have stopped meanwhile: never leave it stopped.
      (void)start_and_wait(spooler, target.wait);
      return 1;
    }
  }
  int code = 0;
  std::size_t deleted = 0;
  auto names = list_job_files(dir);
  if (!names) {
    err << "clear-print-queue: " << names.error().message << "\n";
    code = 1;
  } else {
    for (const auto& name : *names) {
      if (auto gone = delete_job_file(dir / name); gone) {
        ++deleted;
      } else {
        err << "clear-print-queue: " << narrow(name) << ": " << gone.error().message << "\n";
        code = 1;
      }
    }
    if (names->size() >= kMaxFiles) {
      err << "clear-print-queue: stopped after " << kMaxFiles << " files; run it again\n";
      code = 1;
    }
  }
  out << "deleted " << deleted << " job file(s) from " << narrow(dir.wstring()) << "\n";
  if (auto running = start_and_wait(spooler, target.wait); !running) {
    err << "clear-print-queue: " << target.spooler_service << ": " << running.error().message
        << "\n";
    return 1;
  }
  out << target.spooler_service << " is running\n";
  return code;
}

int run_windows_print_queue_empty(const PrintQueueTarget& target, std::ostream& out,
                                  std::ostream& err) {
  auto opened = open_windows_service(target.spooler_service, 0);
  if (!opened) {
    err << "print-queue-empty: " << opened.error().message << "\n";
    return 2;
  }
  auto state = wait_while(opened->service.get(), WinServiceState::kStartPending, target.wait);
  auto names = list_job_files(spool_dir_of(target));
  if (!names) {
    err << "print-queue-empty: " << names.error().message << "\n";
    return 2;
  }
  const bool running = state == WinServiceState::kRunning;
  out << target.spooler_service << " is " << (state ? win_service_state_name(*state) : "unknown")
      << "; " << names->size() << " job file(s) in the spool folder\n";
  return running && names->empty() ? 0 : 1;
}

}  // namespace triage::agent
