#pragma once
// What the Windows platform tests share: the helper program beside the test executable, a
// private temporary folder, and polling with a deadline.

#include "shared/util/windows/windows_api.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

namespace triage::testing {

/// The folder of the running test executable.
inline std::filesystem::path executable_dir() {
  wchar_t self[MAX_PATH];
  const DWORD n = ::GetModuleFileNameW(nullptr, self, MAX_PATH);
  return std::filesystem::path(std::wstring(self, n)).parent_path();
}

/// tests/windows/test_child.cpp, built beside the tests.
inline std::filesystem::path test_child() {
  return executable_dir() / L"triage_windows_test_child.exe";
}

/// A fresh folder under %TEMP%, removed with its content when this goes away.
class WindowsTempDir {
 public:
  WindowsTempDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            (L"triage-wintest-" + std::to_wstring(::GetCurrentProcessId()) + L"-" +
             std::to_wstring(++counter));
    std::filesystem::create_directories(path_);
  }
  ~WindowsTempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// Waits for the overlapped operation `overlapped` on `handle` until `limit` passes, then
/// cancels it; true when it completed successfully (`done` bytes).
inline bool wait_overlapped(HANDLE handle, OVERLAPPED& overlapped, DWORD& done,
                            std::chrono::milliseconds limit) {
  if (::WaitForSingleObject(overlapped.hEvent, static_cast<DWORD>(limit.count())) !=
      WAIT_OBJECT_0) {
    ::CancelIoEx(handle, &overlapped);
    ::GetOverlappedResult(handle, &overlapped, &done, TRUE);
    return false;
  }
  return ::GetOverlappedResult(handle, &overlapped, &done, FALSE) != FALSE;
}

/// Everything read from `pipe` (opened with FILE_FLAG_OVERLAPPED) until the other end closes
/// it, or until `limit` passes.
inline std::string read_until_closed(HANDLE pipe,
                                     std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  HANDLE event = ::CreateEventW(nullptr, TRUE, FALSE, nullptr);
  std::string out;
  char buf[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    OVERLAPPED overlapped{};
    overlapped.hEvent = event;
    ::ResetEvent(event);
    DWORD n = 0;
    if (!::ReadFile(pipe, buf, sizeof buf, nullptr, &overlapped) &&
        ::GetLastError() != ERROR_IO_PENDING) {
      break;
    }
    if (!wait_overlapped(pipe, overlapped, n, left) || n == 0) break;
    out.append(buf, n);
  }
  ::CloseHandle(event);
  return out;
}

/// Calls `done` until it is true or `limit` passes; true when it became true.
inline bool poll_until(const std::function<bool()>& done,
                       std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace triage::testing
