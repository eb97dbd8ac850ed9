// restart-explorer under Wine. The commands' refusals run for real: malformed names, system
// accounts, a user without a session (Wine lists no sessions, so every name ends there). The
// work in a session runs on this test's own session against a private "Windows directory" of
// stand-ins (triage_windows_test_child copied as explorer.exe and System32\winlogon.exe), never
// against the prefix's own explorer.exe: only the stand-ins are ended, a same-named program
// elsewhere is left, Explorer is started again under the stand-in Winlogon, or not when
// "Winlogon" already did, and the one it starts outlives the job the agent runs the action in.
#include "shared/util/windows/windows_api.hpp"

#include <tlhelp32.h>

#include <atomic>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>

#include "agent/actions/windows/restart_explorer.hpp"
#include "agent/actions/windows_action_commands.hpp"
#include "shared/util/process_runner.hpp"
#include "shared/util/windows/unique_handle.hpp"
#include "shared/util/windows/wide_string.hpp"
#include "tests/windows/windows_test_support.hpp"

namespace ta = triage::agent;
using triage::narrow;
using triage::UniqueHandle;

namespace {

struct Output {
  std::ostringstream out, err;
  std::string text() const { return out.str() + err.str(); }
};

UniqueHandle open_process(DWORD pid,
                          DWORD access = SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION) {
  return UniqueHandle(::OpenProcess(access, FALSE, pid));
}

bool running(HANDLE process) { return ::WaitForSingleObject(process, 0) == WAIT_TIMEOUT; }

std::wstring image_of(HANDLE process) {
  wchar_t image[MAX_PATH * 4];
  DWORD size = static_cast<DWORD>(std::size(image));
  if (!::QueryFullProcessImageNameW(process, 0, image, &size)) return {};
  return std::wstring(image, size);
}

/// Each running process: pid and parent pid.
std::vector<PROCESSENTRY32W> process_table() {
  std::vector<PROCESSENTRY32W> table;
  UniqueHandle snapshot(::CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0));
  PROCESSENTRY32W entry{};
  entry.dwSize = sizeof entry;
  for (bool more = ::Process32FirstW(snapshot.get(), &entry); more;
       more = ::Process32NextW(snapshot.get(), &entry)) {
    table.push_back(entry);
  }
  return table;
}

/// The pids of running processes whose image is `image` (compared without case).
std::vector<DWORD> pids_of(const std::filesystem::path& image) {
  std::vector<DWORD> pids;
  for (const auto& entry : process_table()) {
    auto process = open_process(entry.th32ProcessID);
    if (process.valid() && running(process.get()) &&
        _wcsicmp(image_of(process.get()).c_str(), image.c_str()) == 0) {
      pids.push_back(entry.th32ProcessID);
    }
  }
  return pids;
}

DWORD parent_of(DWORD pid) {
  for (const auto& entry : process_table()) {
    if (entry.th32ProcessID == pid) return entry.th32ParentProcessID;
  }
  return 0;
}

/// A private Windows directory with the stand-ins, and every process started from it ended when
/// the test ends (what the action started too).
class StandInWindows {
 public:
  StandInWindows() {
    std::filesystem::create_directories(dir() / L"System32");
    std::filesystem::copy_file(triage::testing::test_child(), explorer());
    std::filesystem::copy_file(triage::testing::test_child(), winlogon());
  }
  ~StandInWindows() {
    for (const auto& image : {explorer(), winlogon(), decoy_dir_.path() / L"explorer.exe",
                              decoy_dir_.path() / L"other.exe"}) {
      for (DWORD pid : pids_of(image)) {
        auto process = open_process(pid, PROCESS_TERMINATE | SYNCHRONIZE);
        ::TerminateProcess(process.get(), 9);
        ::WaitForSingleObject(process.get(), 5000);
      }
    }
  }

  const std::filesystem::path& dir() const { return dir_.path(); }
  std::filesystem::path explorer() const { return dir() / L"explorer.exe"; }
  std::filesystem::path winlogon() const { return dir() / L"System32" / L"winlogon.exe"; }

  /// Starts `image` as the system starts it (no arguments) or with `mode`; an empty handle when
  /// it cannot (callable off the test's thread).
  static UniqueHandle launch(const std::filesystem::path& image, DWORD* pid = nullptr,
                             const wchar_t* mode = nullptr) {
    std::wstring line = L"\"" + image.wstring() + L"\"";
    if (mode != nullptr) line += std::wstring(L" ") + mode;
    STARTUPINFOW startup{};
    startup.cb = sizeof startup;
    PROCESS_INFORMATION info{};
    if (!::CreateProcessW(image.c_str(), line.data(), nullptr, nullptr, FALSE, CREATE_NO_WINDOW,
                          nullptr, nullptr, &startup, &info)) {
      return UniqueHandle();
    }
    ::CloseHandle(info.hThread);
    if (pid != nullptr) *pid = info.dwProcessId;
    return UniqueHandle(info.hProcess);
  }

  UniqueHandle start(const std::filesystem::path& image, DWORD* pid = nullptr,
                     const wchar_t* mode = nullptr) const {
    auto process = launch(image, pid, mode);
    REQUIRE(process.valid());
    return process;
  }

  /// A program in another folder: explorer.exe there has the name but is not Explorer.
  std::filesystem::path decoy(const wchar_t* name = L"explorer.exe") const {
    const auto path = decoy_dir_.path() / name;
    if (!std::filesystem::exists(path))
      std::filesystem::copy_file(triage::testing::test_child(), path);
    return path;
  }

  ta::ExplorerTarget target() const {
    ta::ExplorerTarget t;
    t.windows_dir = dir();
    t.restart_grace = std::chrono::milliseconds(0);
    t.running_wait = std::chrono::milliseconds(0);
    return t;
  }

 private:
  triage::testing::WindowsTempDir dir_;
  triage::testing::WindowsTempDir decoy_dir_;
};

ta::UserSession own_session() {
  DWORD id = 0;
  REQUIRE(::ProcessIdToSessionId(::GetCurrentProcessId(), &id));
  ta::UserSession session;
  session.id = id;
  session.state = ta::SessionState::kActive;
  session.user = "test";
  return session;
}

}  // namespace

TEST_CASE("restart-explorer refuses malformed names and system accounts and does nothing") {
  for (const char* name : {"", "a\\b\\c", "alice@contoso.com", "x\"y", "-alice", "alice "}) {
    INFO(name);
    Output o;
    CHECK(ta::run_restart_windows_explorer(name, {}, o.out, o.err) == 2);
    CHECK_THAT(o.err.str(), Catch::Contains("is not an account name"));
    CHECK(o.out.str().empty());
    Output check;
    CHECK(ta::run_windows_explorer_running(name, {}, check.out, check.err) == 2);
  }
  for (const char* name : {"SYSTEM", "NT AUTHORITY\\SYSTEM", "LocalService", "DWM-1", "PC01$"}) {
    INFO(name);
    Output o;
    CHECK(ta::run_restart_windows_explorer(name, {}, o.out, o.err) == 2);
    CHECK_THAT(o.err.str(), Catch::Contains("system or service account"));
    CHECK(o.out.str().empty());
  }
}

TEST_CASE("restart-explorer refuses a user without a session and the check says Explorer is off") {
  // Wine lists no sessions at all; on Windows this user has none.
  Output o;
  CHECK(ta::run_restart_windows_explorer("triage-nobody", {}, o.out, o.err) == 2);
  INFO(o.text());
  CHECK_THAT(o.err.str(), Catch::Contains("triage-nobody has no session on this PC"));
  CHECK_THAT(o.err.str(), Catch::Contains("nothing done"));
  CHECK(o.out.str().empty());
  Output check;
  CHECK(ta::run_windows_explorer_running("CONTOSO\\triage-nobody", {}, check.out, check.err) == 1);
  CHECK_THAT(check.out.str(), Catch::Contains("has no session"));
}

TEST_CASE("restart-explorer ends only the session's Explorer and starts it under Winlogon") {
  StandInWindows windows;
  DWORD winlogon_pid = 0;
  auto winlogon = windows.start(windows.winlogon(), &winlogon_pid);
  DWORD first_pid = 0;
  DWORD second_pid = 0;
  auto first = windows.start(windows.explorer(), &first_pid);
  auto second = windows.start(windows.explorer(), &second_pid);
  auto decoy = windows.start(windows.decoy());
  auto other = windows.start(windows.decoy(L"other.exe"), nullptr, L"sleep");
  const auto session = own_session();

  Output before;
  CHECK(ta::explorer_running_in_session(session, windows.target(), before.out, before.err) == 0);

  Output o;
  const int code = ta::restart_explorer_in_session(session, windows.target(), o.out, o.err);
  INFO(o.text());
  REQUIRE(code == 0);
  CHECK(::WaitForSingleObject(first.get(), 5000) == WAIT_OBJECT_0);
  CHECK(::WaitForSingleObject(second.get(), 5000) == WAIT_OBJECT_0);
  CHECK_THAT(o.out.str(), Catch::Contains(std::to_string(first_pid)));
  CHECK_THAT(o.out.str(), Catch::Contains(std::to_string(second_pid)));
  // Same name elsewhere, and Winlogon: untouched.
  CHECK(running(decoy.get()));
  CHECK(running(other.get()));
  CHECK(running(winlogon.get()));
  CHECK(o.err.str().empty());

  const auto started = pids_of(windows.explorer());
  REQUIRE(started.size() == 1);
  CHECK_THAT(o.out.str(), Catch::Contains("(process " + std::to_string(started[0]) + ")"));
  CHECK(parent_of(started[0]) == winlogon_pid);
  Output after;
  CHECK(ta::explorer_running_in_session(session, windows.target(), after.out, after.err) == 0);
  CHECK_THAT(after.out.str(), Catch::Contains(std::to_string(started[0])));
}

TEST_CASE("restart-explorer leaves the start to Winlogon when it restarted the shell itself") {
  StandInWindows windows;
  auto winlogon = windows.start(windows.winlogon());
  DWORD old_pid = 0;
  auto old_shell = windows.start(windows.explorer(), &old_pid);
  // "AutoRestartShell": as soon as the shell is gone, a new one comes up.
  std::atomic<DWORD> restarted{0};
  std::thread auto_restart([&] {
    if (::WaitForSingleObject(old_shell.get(), 60'000) != WAIT_OBJECT_0) return;
    DWORD pid = 0;
    if (StandInWindows::launch(windows.explorer(), &pid).valid()) restarted = pid;
  });
  auto target = windows.target();
  target.restart_grace = std::chrono::seconds(30);
  Output o;
  const int code = ta::restart_explorer_in_session(own_session(), target, o.out, o.err);
  // Had the action left the shell alone, the thread would wait for it.
  ::TerminateProcess(old_shell.get(), 9);
  auto_restart.join();
  INFO(o.text());
  REQUIRE(code == 0);
  REQUIRE(restarted != 0);
  CHECK_THAT(o.out.str(), Catch::Contains("Windows started Explorer again itself (process " +
                                          std::to_string(restarted.load()) + ")"));
  CHECK(pids_of(windows.explorer()) == std::vector<DWORD>{restarted.load()});
}

TEST_CASE("restart-explorer starts Explorer when none runs, and the check sees it") {
  StandInWindows windows;
  auto winlogon = windows.start(windows.winlogon());
  const auto session = own_session();
  Output off;
  CHECK(ta::explorer_running_in_session(session, windows.target(), off.out, off.err) == 1);
  CHECK_THAT(off.out.str(), Catch::Contains("Explorer does not run"));

  Output o;
  REQUIRE(ta::restart_explorer_in_session(session, windows.target(), o.out, o.err) == 0);
  INFO(o.text());
  CHECK_THAT(o.out.str(), Catch::Contains("no Explorer ran"));
  CHECK(pids_of(windows.explorer()).size() == 1);
  Output on;
  CHECK(ta::explorer_running_in_session(session, windows.target(), on.out, on.err) == 0);
}

TEST_CASE("restart-explorer ends nothing when it could not start Explorer again") {
  StandInWindows windows;
  auto shell = windows.start(windows.explorer());
  const auto session = own_session();
  // No Winlogon in the session to start the new shell under.
  Output no_winlogon;
  CHECK(ta::restart_explorer_in_session(session, windows.target(), no_winlogon.out,
                                        no_winlogon.err) == 2);
  CHECK_THAT(no_winlogon.err.str(), Catch::Contains("no Winlogon"));
  CHECK_THAT(no_winlogon.err.str(), Catch::Contains("nothing done"));
  CHECK(running(shell.get()));

  // No explorer.exe to start.
  triage::testing::WindowsTempDir empty;
  auto target = windows.target();
  target.windows_dir = empty.path();
  Output missing;
  CHECK(ta::restart_explorer_in_session(session, target, missing.out, missing.err) == 2);
  CHECK_THAT(missing.err.str(), Catch::Contains("is missing"));
  CHECK(running(shell.get()));
}

TEST_CASE("restart-explorer's new Explorer outlives the job the agent runs the action in") {
  StandInWindows windows;
  auto winlogon = windows.start(windows.winlogon());
  triage::RunRequest request;
  request.argv = {narrow(triage::testing::test_child().wstring()), "restart-explorer",
                  narrow(windows.dir().wstring())};
  request.timeout = std::chrono::seconds(60);
  auto result = triage::run_process(request);
  REQUIRE(result);
  INFO(result->stdout_text + result->stderr_text);
  REQUIRE(result->exit_code == 0);
  // run_process has closed its job, which ends whatever is still in it.
  const auto started = pids_of(windows.explorer());
  REQUIRE(started.size() == 1);
  CHECK_THAT(result->stdout_text, Catch::Contains("(process " + std::to_string(started[0]) + ")"));
  auto shell = open_process(started[0], SYNCHRONIZE | PROCESS_QUERY_INFORMATION);
  CHECK(running(shell.get()));
  // In Winlogon's job (none here), not the runner's.
  BOOL shell_in_job = TRUE;
  BOOL winlogon_in_job = FALSE;
  REQUIRE(::IsProcessInJob(shell.get(), nullptr, &shell_in_job));
  REQUIRE(::IsProcessInJob(winlogon.get(), nullptr, &winlogon_in_job));
  CHECK(shell_in_job == winlogon_in_job);
}
