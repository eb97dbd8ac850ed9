// A program for the Windows platform tests to run: it reports what it was given (its argv as
// the C runtime and CommandLineToArgvW split it, its environment), starts a grandchild, writes
// to a handle value it was told of, or runs as a service; copied as explorer.exe or
// winlogon.exe it stands in for the shell or Winlogon (it sleeps), and it runs restart-explorer
// in its own session so a test can run that under the agent's process runner. Built with
// -municode (wmain).
#include "shared/util/windows/windows_api.hpp"

#include <shellapi.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cwchar>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "agent/actions/windows/restart_explorer.hpp"
#include "agent/service/service_control.hpp"
#include "agent/service/windows/windows_service.hpp"
#include "shared/util/windows/wide_string.hpp"

namespace {

void print(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

int report_arguments(int argc, wchar_t** argv) {
  nlohmann::json crt = nlohmann::json::array();
  for (int i = 2; i < argc; ++i) crt.push_back(triage::narrow(argv[i]));
  nlohmann::json shell = nlohmann::json::array();
  int n = 0;
  if (wchar_t** split = ::CommandLineToArgvW(::GetCommandLineW(), &n)) {
    for (int i = 2; i < n; ++i) shell.push_back(triage::narrow(split[i]));
    ::LocalFree(split);
  }
  print(nlohmann::json{{"crt", crt}, {"shell32", shell}}.dump());
  return 0;
}

int report_environment() {
  nlohmann::json env = nlohmann::json::object();
  if (wchar_t* block = ::GetEnvironmentStringsW()) {
    for (const wchar_t* p = block; *p != L'\0'; p += wcslen(p) + 1) {
      const std::wstring entry(p);
      const auto eq = entry.find(L'=', 1);  // "=C:=C:\" entries start with '='
      if (eq == std::wstring::npos) continue;
      env[triage::narrow(entry.substr(0, eq))] = triage::narrow(entry.substr(eq + 1));
    }
    ::FreeEnvironmentStringsW(block);
  }
  print(env.dump());
  return 0;
}

/// Starts this program again as a sleeper that shares our output, reports both pids, sleeps.
int sleep_with_grandchild() {
  wchar_t self[MAX_PATH];
  ::GetModuleFileNameW(nullptr, self, MAX_PATH);
  std::wstring line = L"\"" + std::wstring(self) + L"\" sleep";
  STARTUPINFOW startup{};
  startup.cb = sizeof startup;
  PROCESS_INFORMATION info{};
  if (!::CreateProcessW(self, line.data(), nullptr, nullptr, TRUE, 0, nullptr, nullptr, &startup,
                        &info)) {
    print("cannot start the grandchild\n");
    return 2;
  }
  print("child " + std::to_string(::GetCurrentProcessId()) + " grandchild " +
        std::to_string(info.dwProcessId) + "\n");
  ::Sleep(INFINITE);
  return 0;
}

int write_to_handle(const wchar_t* value) {
  const auto handle =
      reinterpret_cast<HANDLE>(static_cast<std::uintptr_t>(std::wcstoull(value, nullptr, 16)));
  DWORD written = 0;
  const bool ok = ::WriteFile(handle, "LEAKED", 6, &written, nullptr);
  print(ok ? "written\n" : "not written " + std::to_string(::GetLastError()) + "\n");
  return 0;
}

int print_bytes(const wchar_t* count) {
  const std::string chunk(4096, 'x');
  for (long left = std::wcstol(count, nullptr, 10); left > 0; left -= 4096) {
    print(chunk.substr(0, static_cast<std::size_t>(std::min<long>(left, 4096))));
  }
  return 0;
}

/// The daemon's shape in miniature: wait on an io_context for the stop request, record why.
int service_body(const wchar_t* marker) {
  auto code = triage::agent::run_as_windows_service([marker] {
    boost::asio::io_context ioc;
    std::string why;
    auto stop = triage::agent::watch_stop_requests(ioc, [&](const std::string& reason) {
      why = reason;
      ioc.stop();
    });
    auto work = boost::asio::make_work_guard(ioc);
    ioc.run();
    std::ofstream(std::filesystem::path(marker)) << why;
    return 0;
  });
  return code ? *code : 3;  // 3: not started by the Service Control Manager
}

/// Copied as explorer.exe or winlogon.exe (restart_explorer_test.cpp), run without arguments as
/// the real ones are.
bool is_stand_in() {
  wchar_t self[MAX_PATH];
  const DWORD n = ::GetModuleFileNameW(nullptr, self, MAX_PATH);
  const auto name = std::filesystem::path(std::wstring(self, n)).filename().wstring();
  return _wcsicmp(name.c_str(), L"explorer.exe") == 0 ||
         _wcsicmp(name.c_str(), L"winlogon.exe") == 0;
}

/// restart-explorer in this process's own session, with `windows_dir` as the Windows directory.
int restart_explorer(const wchar_t* windows_dir) {
  triage::agent::UserSession session;
  DWORD id = 0;
  ::ProcessIdToSessionId(::GetCurrentProcessId(), &id);
  session.id = id;
  session.state = triage::agent::SessionState::kActive;
  session.user = "test";
  triage::agent::ExplorerTarget target;
  target.windows_dir = windows_dir;
  target.restart_grace = std::chrono::milliseconds(0);
  std::ostringstream out;
  std::ostringstream err;
  const int code = triage::agent::restart_explorer_in_session(session, target, out, err);
  print(out.str() + err.str());
  return code;
}

}  // namespace

int wmain(int argc, wchar_t** argv) {
  const std::wstring mode = argc > 1 ? argv[1] : L"";
  if (mode.empty() && is_stand_in()) return ::Sleep(INFINITE), 0;
  if (mode == L"args") return report_arguments(argc, argv);
  if (mode == L"env") return report_environment();
  if (mode == L"sleep") return ::Sleep(INFINITE), 0;
  if (mode == L"sleep-tree") return sleep_with_grandchild();
  if (mode == L"write-handle" && argc > 2) return write_to_handle(argv[2]);
  if (mode == L"print" && argc > 2) return print_bytes(argv[2]);
  if (mode == L"exit" && argc > 2) return std::wcstol(argv[2], nullptr, 10);
  if (mode == L"service-body" && argc > 2) return service_body(argv[2]);
  if (mode == L"restart-explorer" && argc > 2) return restart_explorer(argv[2]);
  print(
      "usage: triage_windows_test_child args|env|sleep|sleep-tree|write-handle H|print N|exit N|"
      "service-body FILE|restart-explorer WINDOWS_DIR\n");
  return 64;
}
