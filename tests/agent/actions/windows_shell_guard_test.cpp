// restart-explorer-windows' own rules, decided without Windows: which account names it takes,
// which signed-in session it picks for one (or why none), and which images are Explorer and
// Winlogon. (The Win32 side runs under Wine: tests/windows/restart_explorer_test.cpp.)

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "agent/actions/windows_shell_guard.hpp"

using namespace triage;
using namespace triage::agent;

namespace {

WindowsAccount account(const std::string& text) {
  auto parsed = parse_windows_account(text);
  INFO(text);
  REQUIRE(parsed);
  return *parsed;
}

UserSession session(std::uint32_t id, SessionState state, std::string domain, std::string user) {
  return UserSession{id, state, std::move(domain), std::move(user)};
}

constexpr auto kActive = SessionState::kActive;
constexpr auto kDisconnected = SessionState::kDisconnected;
constexpr auto kOther = SessionState::kOther;

}  // namespace

TEST_CASE("restart-explorer reads bare and domain-qualified account names") {
  auto bare = account("alice");
  CHECK(bare.domain.empty());
  CHECK(bare.user == "alice");
  CHECK(bare.shown() == "alice");
  auto qualified = account("CONTOSO\\John Smith");
  CHECK(qualified.domain == "CONTOSO");
  CHECK(qualified.user == "John Smith");
  CHECK(qualified.shown() == "CONTOSO\\John Smith");
  CHECK(account("PC-01\\j.doe_2").user == "j.doe_2");
  CHECK(account("ABCDEFGHIJKLMNO\\abcdefghijklmnopqrst").user.size() == 20);
}

TEST_CASE("restart-explorer refuses malformed account names as invalid") {
  const std::string text =
      GENERATE("", "\\alice", "alice\\", "a\\b\\c", " alice", "alice ", "alice.", "-alice",
               ".\\alice", "alice@contoso.com", "CONTOSO/alice", "x\"y", "a;b", "a|b", "a*",
               "%USERNAME%", "alice\n", std::string("ali\0ce", 6), "J\xc3\xb6rg",
               "abcdefghijklmnopqrstu", "ABCDEFGHIJKLMNOP\\alice", std::string(5000, 'a'));
  INFO(text);
  auto r = parse_windows_account(text);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kInvalid);
  CHECK_THAT(r.error().message, Catch::Contains("is not an account name"));
  // Quoted for a log line: cut short, nothing unprintable.
  CHECK(r.error().message.size() < 300);
  for (char c : r.error().message) CHECK(static_cast<unsigned char>(c) >= 0x20);
}

TEST_CASE("restart-explorer refuses system and service accounts") {
  const std::string text = GENERATE(
      "SYSTEM", "system", "LocalSystem", "LOCAL SERVICE", "LocalService", "NETWORK SERVICE",
      "NetworkService", "NT AUTHORITY\\SYSTEM", "nt authority\\local service",
      "NT SERVICE\\TrustedInstaller", "Window Manager\\DWM-1", "DWM-12", "UMFD-0",
      "Font Driver Host\\UMFD-3", "IIS APPPOOL\\DefaultAppPool", "CONTOSO\\PC01$",
      "ANONYMOUS LOGON", "BUILTIN\\Administrators");
  INFO(text);
  auto r = parse_windows_account(text);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kDenied);
  CHECK_THAT(r.error().message, Catch::Contains("restart-explorer refuses"));
  CHECK_THAT(r.error().message, Catch::Contains("system or service account"));
  // Names that only look alike are people.
  CHECK(parse_windows_account("DWM-users"));
  CHECK(parse_windows_account("systemadmin"));
}

TEST_CASE("restart-explorer picks the one session of the named account") {
  const std::vector<UserSession> sessions = {
      session(0, kDisconnected, "", ""),  // services
      session(1, kActive, "CONTOSO", "alice"),
      session(2, kDisconnected, "PC01", "bob"),
      session(3, kOther, "", ""),      // the logon screen of a new connection
      session(65536, kOther, "", ""),  // the RDP listener
  };
  auto alice = choose_user_session(account("Alice"), sessions);
  REQUIRE(alice);
  CHECK(alice->id == 1);
  CHECK(alice->domain == "CONTOSO");
  auto bob = choose_user_session(account("pc01\\BOB"), sessions);
  REQUIRE(bob);
  CHECK(bob->id == 2);
  // Disconnected sessions count: the user comes back to the same desktop.
  CHECK(bob->state == kDisconnected);
}

TEST_CASE("restart-explorer names who is signed in when the account has no session") {
  const std::vector<UserSession> sessions = {
      session(0, kActive, "NT AUTHORITY", "SYSTEM"),  // never session 0, whatever it says
      session(1, kActive, "CONTOSO", "alice"),
      session(4, kOther, "CONTOSO", "carol"),  // not active nor disconnected
  };
  for (const char* name : {"carol", "SYSTEM2", "OTHER\\alice", "bob"}) {
    INFO(name);
    auto r = choose_user_session(account(name), sessions);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kNotFound);
    CHECK_THAT(r.error().message, Catch::Contains("has no session on this PC"));
    CHECK_THAT(r.error().message, Catch::Contains("CONTOSO\\alice in session 1 (active)"));
  }
  auto nobody = choose_user_session(account("alice"), {session(0, kActive, "", "")});
  REQUIRE_FALSE(nobody);
  CHECK_THAT(nobody.error().message, Catch::Contains("nobody is signed in"));
  // The list is bounded whatever the machine holds.
  std::vector<UserSession> many;
  for (std::uint32_t i = 1; i <= 500; ++i) {
    many.push_back(session(i, kActive, "CONTOSO", "user" + std::to_string(i)));
  }
  auto crowded = choose_user_session(account("alice"), many);
  REQUIRE_FALSE(crowded);
  CHECK(crowded.error().message.size() < 1000);
}

TEST_CASE("restart-explorer refuses a bare name of several accounts and an unclear session") {
  const std::vector<UserSession> two_accounts = {
      session(1, kActive, "PC01", "alice"),
      session(2, kDisconnected, "CONTOSO", "alice"),
  };
  auto ambiguous = choose_user_session(account("alice"), two_accounts);
  REQUIRE_FALSE(ambiguous);
  CHECK(ambiguous.error().code == ErrorCode::kConflict);
  CHECK_THAT(ambiguous.error().message, Catch::Contains("several accounts"));
  CHECK_THAT(ambiguous.error().message, Catch::Contains("give DOMAIN\\user"));
  // The domain settles it.
  auto settled = choose_user_session(account("CONTOSO\\alice"), two_accounts);
  REQUIRE(settled);
  CHECK(settled->id == 2);

  // One account, several sessions (Remote Desktop allows it): the active one.
  const std::vector<UserSession> remote = {
      session(1, kDisconnected, "CONTOSO", "alice"),
      session(2, kActive, "CONTOSO", "alice"),
      session(3, kDisconnected, "CONTOSO", "ALICE"),
  };
  auto active = choose_user_session(account("alice"), remote);
  REQUIRE(active);
  CHECK(active->id == 2);
  for (SessionState other : {kDisconnected, kActive}) {
    auto unclear_sessions = remote;
    unclear_sessions[1].state = other;
    if (other == kActive) unclear_sessions[0].state = kActive;
    auto unclear = choose_user_session(account("alice"), unclear_sessions);
    REQUIRE_FALSE(unclear);
    CHECK(unclear.error().code == ErrorCode::kConflict);
    CHECK_THAT(unclear.error().message, Catch::Contains("has 3 sessions"));
  }
}

TEST_CASE("restart-explorer knows Explorer and Winlogon by full path in the Windows directory") {
  CHECK(is_windows_dir_image("C:\\Windows\\explorer.exe", "C:\\Windows", "explorer.exe"));
  CHECK(is_windows_dir_image("c:\\WINDOWS\\EXPLORER.EXE", "C:\\Windows\\", "explorer.exe"));
  CHECK(is_windows_dir_image("C:/Windows/explorer.exe", "C:\\Windows", "explorer.exe"));
  CHECK(is_windows_dir_image("D:\\WinNT\\System32\\winlogon.exe", "D:\\WinNT",
                             "System32\\winlogon.exe"));
  for (const char* image :
       {"C:\\Windows\\System32\\explorer.exe", "C:\\Windows\\SysWOW64\\explorer.exe",
        "C:\\Users\\alice\\explorer.exe", "C:\\Windows\\explorer.exe.exe",
        "C:\\Windows\\xexplorer.exe", "C:\\Windows2\\explorer.exe", "C:\\Windowsexplorer.exe",
        "C:\\Windows\\explorer.ex", "explorer.exe", "", "D:\\Windows\\explorer.exe",
        "C:\\Windows\\\\explorer.exe"}) {
    INFO(image);
    CHECK_FALSE(is_windows_dir_image(image, "C:\\Windows", "explorer.exe"));
  }
  CHECK_FALSE(
      is_windows_dir_image("C:\\Windows\\winlogon.exe", "C:\\Windows", "System32\\winlogon.exe"));
  // No Windows directory, no match.
  CHECK_FALSE(is_windows_dir_image("\\explorer.exe", "", "explorer.exe"));
  CHECK_FALSE(is_windows_dir_image("\\explorer.exe", "\\", "explorer.exe"));
}
