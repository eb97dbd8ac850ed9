// `triage-agent.exe restart-explorer --user NAME` and `explorer-running --user NAME`: the
// restart-explorer-windows action and its post-check. The name is checked here as well as
// before the order runs (order_content.cpp). Only processes whose image is explorer.exe of the
// Windows directory, in the user's session and owned by the user, are ended; Explorer is started
// again with the user's token (WTSQueryUserToken) under the session's Winlogon, no shell.
#include "agent/actions/windows/restart_explorer.hpp"

#include "shared/util/windows/windows_api.hpp"

#include <algorithm>
#include <thread>

#include "agent/actions/windows/session_explorer.hpp"
#include "agent/actions/windows/user_sessions.hpp"
#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {

namespace {

constexpr std::string_view kExplorer = "explorer.exe";
constexpr std::string_view kWinlogon = "System32\\winlogon.exe";
constexpr auto kPollEvery = std::chrono::milliseconds(200);

Result<std::wstring> windows_directory(const ExplorerTarget& target) {
  std::wstring dir = target.windows_dir.wstring();
  if (dir.empty()) {
    wchar_t buffer[MAX_PATH];
    const UINT n = ::GetSystemWindowsDirectoryW(buffer, MAX_PATH);
    if (n == 0 || n >= MAX_PATH) return fail(last_error_text("GetSystemWindowsDirectoryW"));
    dir.assign(buffer, n);
  }
  while (!dir.empty() && (dir.back() == L'\\' || dir.back() == L'/')) dir.pop_back();
  return dir;
}

std::string where(const UserSession& session) {
  return (session.domain.empty() ? session.user : session.domain + "\\" + session.user) +
         " in session " + std::to_string(session.id);
}

std::string pid_list(const std::vector<SessionProcess>& processes) {
  std::string text;
  for (const auto& p : processes) text += (text.empty() ? "" : ", ") + std::to_string(p.pid);
  return text;
}

std::chrono::milliseconds left_until(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? left : std::chrono::milliseconds(0);
}

/// The first Explorer of the session's user found before `wait` passes; 0 when none comes up.
Result<DWORD> wait_for_explorer(const UserSession& session, const std::wstring& windows_dir,
                                PSID owner, std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    auto shells = find_session_processes(session.id, windows_dir, kExplorer, 0, owner);
    if (!shells) return tl::unexpected(shells.error());
    if (!shells->found.empty()) return shells->found.front().pid;
    if (std::chrono::steady_clock::now() >= deadline) return DWORD{0};
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(kPollEvery, wait));
  }
}

Result<UserSession> resolve_session(const std::string& name) {
  auto account = parse_windows_account(name);
  if (!account) return tl::unexpected(account.error());
  auto sessions = list_user_sessions();
  if (!sessions) return fail("cannot list the sessions: " + sessions.error().message);
  return choose_user_session(*account, *sessions);
}

}  // namespace

int restart_explorer_in_session(const UserSession& session, const ExplorerTarget& target,
                                std::ostream& out, std::ostream& err) {
  const auto refuse = [&](const std::string& why) {
    err << "restart-explorer: " << why << "; nothing done\n";
    return 2;
  };
  auto dir = windows_directory(target);
  if (!dir) return refuse(dir.error().message);
  const std::wstring explorer = *dir + L"\\explorer.exe";
  const DWORD attributes = ::GetFileAttributesW(explorer.c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES || (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0) {
    return refuse(narrow(explorer) + " is missing, so Explorer could not be started again");
  }
  // Everything needed to start Explorer again is in hand before any process is ended.
  auto user = SessionUserToken::query(session.id);
  if (!user) return refuse(user.error().message);
  // The new shell's parent: the session's Winlogon, outside the job the agent runs the action
  // in (closing that job ends every process in it).
  auto winlogon =
      find_session_processes(session.id, *dir, kWinlogon, PROCESS_CREATE_PROCESS, nullptr);
  if (!winlogon) return refuse(winlogon.error().message);
  if (winlogon->found.empty()) {
    return refuse("no Winlogon (" + narrow(*dir) + "\\" + std::string(kWinlogon) +
                  ") runs in session " + std::to_string(session.id));
  }
  auto shells = find_session_processes(session.id, *dir, kExplorer, PROCESS_TERMINATE | SYNCHRONIZE,
                                       user->sid());
  if (!shells) return refuse(shells.error().message);

  std::vector<std::string> left = shells->skipped;
  std::vector<SessionProcess> ended;
  for (auto& shell : shells->found) {
    if (::TerminateProcess(shell.process.get(), 1) ||
        ::WaitForSingleObject(shell.process.get(), 0) == WAIT_OBJECT_0) {
      ended.push_back(std::move(shell));
    } else {
      left.push_back("process " + std::to_string(shell.pid) + ": " +
                     last_error_text("TerminateProcess"));
    }
  }
  if (ended.empty() && !shells->found.empty()) {
    return refuse("could not end Explorer of " + where(session) + ": " + left.front());
  }
  if (ended.empty()) {
    out << "no Explorer ran for " << where(session) << "\n";
  } else {
    out << "ended Explorer of " << where(session) << ": process(es) " << pid_list(ended) << "\n";
  }

  const auto exit_deadline = std::chrono::steady_clock::now() + target.exit_wait;
  std::vector<SessionProcess> exiting;
  for (auto& shell : ended) {
    const auto wait = static_cast<DWORD>(left_until(exit_deadline).count());
    if (::WaitForSingleObject(shell.process.get(), wait) != WAIT_OBJECT_0) {
      exiting.push_back({shell.pid, UniqueHandle()});
    }
  }
  if (!exiting.empty()) {
    err << "restart-explorer: process(es) " << pid_list(exiting) << " still exiting after "
        << target.exit_wait.count() / 1000 << " s; Explorer was not started again: run the "
        << "action again, or the user signs out and in\n";
    return 1;
  }

  const auto finish = [&](int code) {
    for (const auto& why : left) err << "restart-explorer: left " << why << "\n";
    return left.empty() ? code : 1;
  };
  // Winlogon starts the shell again by itself when AutoRestartShell is on (the default). The
  // ended processes' handles are still held, so their pids are not reused by what comes up.
  if (!ended.empty() && target.restart_grace.count() > 0) {
    auto restarted = wait_for_explorer(session, *dir, user->sid(), target.restart_grace);
    if (!restarted) {
      err << "restart-explorer: " << restarted.error().message << "\n";
      return 1;
    }
    if (*restarted != 0) {
      out << "Windows started Explorer again itself (process " << *restarted << ")\n";
      return finish(0);
    }
  }
  auto started = start_as_session_user(*user, explorer, winlogon->found.front().process.get());
  if (!started) {
    err << "restart-explorer: " << (ended.empty() ? "" : "Explorer was ended but ")
        << "could not be started again: " << started.error().message
        << "; the user can start it from Task Manager (Ctrl+Shift+Esc, Run new task, explorer) "
           "or sign out and in\n";
    return ended.empty() ? 2 : 1;
  }
  out << "started " << narrow(explorer) << " for " << where(session) << " (process " << *started
      << ")\n";
  return finish(0);
}

int explorer_running_in_session(const UserSession& session, const ExplorerTarget& target,
                                std::ostream& out, std::ostream& err) {
  auto dir = windows_directory(target);
  if (!dir) {
    err << "explorer-running: " << dir.error().message << "\n";
    return 2;
  }
  auto running = wait_for_explorer(session, *dir, nullptr, target.running_wait);
  if (!running) {
    err << "explorer-running: " << running.error().message << "\n";
    return 2;
  }
  if (*running == 0) {
    out << "Explorer does not run for " << where(session) << "\n";
    return 1;
  }
  out << "Explorer runs for " << where(session) << " (process " << *running << ")\n";
  return 0;
}

int run_restart_windows_explorer(const std::string& user, const ExplorerTarget& target,
                                 std::ostream& out, std::ostream& err) {
  auto session = resolve_session(user);
  if (!session) {
    const auto& message = session.error().message;
    err << (message.rfind("restart-explorer", 0) == 0 ? "" : "restart-explorer: ") << message
        << "; nothing done\n";
    return 2;
  }
  return restart_explorer_in_session(*session, target, out, err);
}

int run_windows_explorer_running(const std::string& user, const ExplorerTarget& target,
                                 std::ostream& out, std::ostream& err) {
  auto session = resolve_session(user);
  if (!session) {
    // Signed out meanwhile: Explorer does not run for them, which is an answer.
    const bool answer = session.error().code == ErrorCode::kNotFound;
    (answer ? out : err) << "explorer-running: " << session.error().message << "\n";
    return answer ? 1 : 2;
  }
  return explorer_running_in_session(*session, target, out, err);
}

}  // namespace triage::agent
