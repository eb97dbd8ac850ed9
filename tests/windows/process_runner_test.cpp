// The Windows process runner, run for real: CreateProcessW, the Job object, the inherited
// handle list, the environment, the caps and the refusals.
#include "shared/util/process_runner.hpp"

#include "shared/util/windows/windows_api.hpp"

#include <cctype>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "agent/actions/cancel_event.hpp"
#include "shared/util/windows/unique_handle.hpp"
#include "shared/util/windows/wide_string.hpp"
#include "tests/windows/windows_test_support.hpp"

using triage::narrow;
using triage::run_process;
using triage::RunRequest;
using triage::UniqueHandle;
using triage::testing::test_child;

namespace {

RunRequest child_request(std::vector<std::string> args) {
  RunRequest request;
  request.argv = {narrow(test_child().wstring())};
  request.argv.insert(request.argv.end(), args.begin(), args.end());
  request.timeout = std::chrono::seconds(30);
  return request;
}

/// True once process `pid` no longer runs (or never existed).
bool process_gone(DWORD pid) {
  UniqueHandle process(::OpenProcess(SYNCHRONIZE, FALSE, pid));
  if (!process.valid()) return true;
  return ::WaitForSingleObject(process.get(), 0) == WAIT_OBJECT_0;
}

}  // namespace

TEST_CASE("Windows process runner: awkward arguments reach the program exactly") {
  const std::vector<std::string> awkward = {"plain",
                                            "two words",
                                            "say \"hi\"",
                                            "trailing\\",
                                            "dir with space\\",
                                            "",
                                            "\\\\server\\share\\",
                                            "a\\\\\"b",
                                            "tab\there",
                                            "ünïcode ✓ 日本",
                                            "%PATH% & | < > ^ !x!",
                                            "\"",
                                            "\\",
                                            "  leading and trailing  "};
  std::vector<std::string> args = {"args"};
  args.insert(args.end(), awkward.begin(), awkward.end());
  auto result = run_process(child_request(args));
  REQUIRE(result);
  INFO(result->stdout_text << result->stderr_text);
  REQUIRE(result->succeeded());
  const auto reported = nlohmann::json::parse(result->stdout_text);
  CHECK(reported["crt"].get<std::vector<std::string>>() == awkward);
  CHECK(reported["shell32"].get<std::vector<std::string>>() == awkward);
}

TEST_CASE("Windows process runner: a timeout ends the program and the program it started") {
  auto request = child_request({"sleep-tree"});
  request.timeout = std::chrono::milliseconds(1500);
  auto result = run_process(request);
  REQUIRE(result);
  INFO(result->stdout_text << result->stderr_text);
  CHECK(result->timed_out);
  CHECK_FALSE(result->exit_code);
  CHECK_FALSE(result->succeeded());
  CHECK(result->describe().rfind("timed out after", 0) == 0);
  std::istringstream words(result->stdout_text);
  std::string child_word, grandchild_word;
  DWORD child = 0, grandchild = 0;
  words >> child_word >> child >> grandchild_word >> grandchild;
  REQUIRE(grandchild_word == "grandchild");
  REQUIRE(grandchild != 0);
  CHECK(triage::testing::poll_until([&] { return process_gone(child); }));
  CHECK(triage::testing::poll_until([&] { return process_gone(grandchild); }));
}

TEST_CASE("Windows process runner: a cancel ends the program tree and says cancelled") {
  UniqueHandle event(::CreateEventW(nullptr, TRUE, FALSE, nullptr));
  REQUIRE(event.valid());
  auto request = child_request({"sleep-tree"});
  std::string seen;
  // Cancelled as soon as the whole tree runs: no timing involved.
  request.on_output = [&](triage::OutputStream, std::string_view chunk) {
    seen += chunk;
    if (seen.find('\n') != std::string::npos) ::SetEvent(event.get());
  };
  request.cancel_fd = ::HandleToLong(event.get());
  auto result = run_process(request);
  REQUIRE(result);
  CHECK(result->cancelled);
  CHECK_FALSE(result->timed_out);
  CHECK(result->wall_time < std::chrono::seconds(30));
  CHECK(result->describe().rfind("cancelled after", 0) == 0);
  std::istringstream words(result->stdout_text);
  std::string w1, w2;
  DWORD child = 0, grandchild = 0;
  words >> w1 >> child >> w2 >> grandchild;
  CHECK(triage::testing::poll_until([&] { return process_gone(grandchild); }));
}

TEST_CASE("Windows process runner: a handle the agent holds is not inherited") {
  SECURITY_ATTRIBUTES inheritable{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  HANDLE read_raw = nullptr, write_raw = nullptr;
  REQUIRE(::CreatePipe(&read_raw, &write_raw, &inheritable, 0));
  UniqueHandle read_end(read_raw), write_end(write_raw);
  char value[32];
  std::snprintf(value, sizeof value, "%llx",
                static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(write_raw)));

  auto result = run_process(child_request({"write-handle", value}));
  REQUIRE(result);
  INFO(result->stdout_text);
  CHECK(result->stdout_text.rfind("not written", 0) == 0);

  // Control: the same program started the plain way (inherit everything) does write to it,
  // so the check above can see a leak.
  std::wstring line = L"\"" + test_child().wstring() + L"\" write-handle " +
                      std::wstring(value, value + std::strlen(value));
  STARTUPINFOW startup{};
  startup.cb = sizeof startup;
  PROCESS_INFORMATION info{};
  REQUIRE(::CreateProcessW(test_child().c_str(), line.data(), nullptr, nullptr, TRUE,
                           CREATE_NO_WINDOW, nullptr, nullptr, &startup, &info));
  ::WaitForSingleObject(info.hProcess, 30'000);
  ::CloseHandle(info.hProcess);
  ::CloseHandle(info.hThread);
  write_end.reset();
  std::string leaked;
  char buf[64];
  DWORD n = 0;
  while (::ReadFile(read_end.get(), buf, sizeof buf, &n, nullptr) && n > 0) leaked.append(buf, n);
  CHECK(leaked == "LEAKED");  // only the control run wrote
}

TEST_CASE("Windows process runner: the environment is scrubbed") {
  ::SetEnvironmentVariableW(L"TRIAGE_TEST_SECRET", L"do-not-pass");
  auto request = child_request({"env"});
  request.env = {{"TRIAGE_GIVEN", "yes"}, {"temp", "C:\\given-temp"}};
  auto result = run_process(request);
  REQUIRE(result);
  INFO(result->stdout_text);
  const auto env = nlohmann::json::parse(result->stdout_text);
  CHECK_FALSE(env.contains("TRIAGE_TEST_SECRET"));
  CHECK_FALSE(env.contains("ComSpec"));
  CHECK_FALSE(env.contains("PATHEXT"));
  CHECK(env.value("TRIAGE_GIVEN", "") == "yes");
  CHECK(env.value("temp", "") == "C:\\given-temp");
  CHECK_FALSE(env.contains("TEMP"));  // replaced, names ignore case
  REQUIRE(env.contains("SystemRoot"));
  REQUIRE(env.contains("PATH"));
  CHECK(env["PATH"].get<std::string>().find(env["SystemRoot"].get<std::string>()) == 0);
  ::SetEnvironmentVariableW(L"TRIAGE_TEST_SECRET", nullptr);
}

TEST_CASE("Windows process runner: output over the cap is read, cut and flagged") {
  auto request = child_request({"print", "200000"});
  request.output_cap = 1000;
  auto result = run_process(request);
  REQUIRE(result);
  CHECK(result->succeeded());
  CHECK(result->stdout_text.size() == 1000);
  CHECK(result->stdout_truncated);
  CHECK_FALSE(result->stderr_truncated);
}

TEST_CASE("Windows process runner: the exit code is reported") {
  auto result = run_process(child_request({"exit", "7"}));
  REQUIRE(result);
  REQUIRE(result->exit_code);
  CHECK(*result->exit_code == 7);
  CHECK(result->describe() == "exit 7");
  CHECK_FALSE(result->timed_out);
}

TEST_CASE("Windows process runner: interpreters and scripts are refused by the resolved file") {
  triage::testing::WindowsTempDir dir;
  const auto script = dir.path() / L"fix.bat";
  std::ofstream(script) << "@echo off\r\necho ran\r\n";
  wchar_t system[MAX_PATH];
  ::GetSystemDirectoryW(system, MAX_PATH);
  const std::string cmd = narrow(system) + "\\cmd.exe";
  std::string upper = cmd;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const std::string& program : {narrow(script.wstring()), cmd, upper, std::string("cmd"),
                                     std::string("cmd.exe"), cmd + "."}) {
    INFO(program);
    RunRequest request;
    request.argv = {program, "/c", "echo ran"};
    auto result = run_process(request);
    if (result) FAIL("ran: " << result->stdout_text);
    CHECK((result.error().code == triage::ErrorCode::kDenied ||
           triage::is_not_installed(result.error())));
  }
  // cmd.exe is there: its refusal is a refusal, not "not installed".
  RunRequest request;
  request.argv = {cmd, "/c", "echo ran"};
  auto result = run_process(request);
  REQUIRE_FALSE(result);
  CHECK(result.error().code == triage::ErrorCode::kDenied);
}

TEST_CASE("Windows process runner: a program that is not there is reported as not installed") {
  RunRequest request;
  request.argv = {"definitely-not-a-program-triage"};
  auto result = run_process(request);
  REQUIRE_FALSE(result);
  CHECK(triage::is_not_installed(result.error()));
  CHECK_FALSE(triage::find_program("..\\x.exe"));
  CHECK_FALSE(triage::find_program("C:x.exe"));
  CHECK(triage::find_program("ipconfig"));
}

TEST_CASE(
    "Windows order cancel: the order runner's CancelEvent, raised, ends the running program "
    "tree") {
  triage::agent::CancelEvent cancel;
  auto request = child_request({"sleep-tree"});
  std::string seen;
  request.on_output = [&](triage::OutputStream, std::string_view chunk) {
    seen += chunk;
    if (seen.find('\n') != std::string::npos) cancel.raise();
  };
  request.cancel_fd = cancel.run_request_fd();
  REQUIRE(request.cancel_fd != -1);
  auto result = run_process(request);
  REQUIRE(result);
  CHECK(result->cancelled);
  CHECK_FALSE(result->timed_out);
  CHECK(cancel.wait_for(std::chrono::milliseconds(0)));
  cancel.clear();
  CHECK_FALSE(cancel.wait_for(std::chrono::milliseconds(0)));
}
