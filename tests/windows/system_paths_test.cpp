// Where the Windows agent keeps its state, and the state folder's protection.
#include "shared/util/windows/windows_api.hpp"

#include <aclapi.h>
#include <knownfolders.h>
#include <sddl.h>
#include <shlobj.h>

#include <algorithm>

#include <catch2/catch.hpp>

#include "agent/state/private_directory.hpp"
#include "agent/state/system_paths.hpp"
#include "agent/state/windows/state_directory.hpp"
#include "shared/util/windows/unique_handle.hpp"
#include "tests/windows/windows_test_support.hpp"

namespace ta = triage::agent;

namespace {

std::filesystem::path known_program_data() {
  wchar_t* folder = nullptr;
  REQUIRE(SUCCEEDED(::SHGetKnownFolderPath(FOLDERID_ProgramData, 0, nullptr, &folder)));
  std::filesystem::path path(folder);
  ::CoTaskMemFree(folder);
  return path;
}

/// The folder's DACL as SDDL, and whether it is protected from inheritance.
std::wstring dacl_sddl(const std::filesystem::path& dir) {
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  PSID owner = nullptr;
  PACL dacl = nullptr;
  REQUIRE(::GetNamedSecurityInfoW(dir.c_str(), SE_FILE_OBJECT,
                                  DACL_SECURITY_INFORMATION | OWNER_SECURITY_INFORMATION, &owner,
                                  nullptr, &dacl, nullptr, &descriptor) == ERROR_SUCCESS);
  wchar_t* text = nullptr;
  REQUIRE(::ConvertSecurityDescriptorToStringSecurityDescriptorW(
      descriptor, SDDL_REVISION_1, DACL_SECURITY_INFORMATION | OWNER_SECURITY_INFORMATION, &text,
      nullptr));
  std::wstring sddl(text);
  ::LocalFree(text);
  ::LocalFree(descriptor);
  return sddl;
}

}  // namespace

TEST_CASE("Windows system paths: state and configuration under ProgramData, the service's pipe") {
  const auto& paths = ta::system_paths();
  CHECK(paths.state_dir == known_program_data() / L"triage");
  CHECK(paths.config_file == known_program_data() / L"triage" / L"agent.toml");
  CHECK(paths.service_ipc_endpoint == std::filesystem::path(L"\\\\.\\pipe\\triage-agent"));
  CHECK_FALSE(ta::service_manager_ipc_endpoint());
}

TEST_CASE("Windows state folder: created for SYSTEM and Administrators only, nothing inherited") {
  triage::testing::WindowsTempDir temp;
  const auto dir = temp.path() / L"state";
  auto prepared = ta::prepare_state_directory(dir);
  INFO((prepared ? std::string("prepared") : prepared.error().message));
  REQUIRE(prepared);
  // Preparing it again keeps it (an upgrade, a restart).
  auto again = ta::prepare_state_directory(dir);
  INFO((again ? std::string("prepared again") : again.error().message));
  REQUIRE(again);
  const auto sddl = dacl_sddl(dir);
  INFO(std::string(sddl.begin(), sddl.end()));
  if (sddl.find(L"O:BA") != 0) {
    // Wine derives a file's security descriptor from its Unix mode and owner and keeps no
    // other: there is nothing to check here.
    WARN("this system does not keep the security descriptors of files; DACL not checked");
    return;
  }
  CHECK(sddl.find(L"D:P") != std::wstring::npos);  // protected: nothing from %ProgramData%
  CHECK(sddl.find(L"(A;OICI;FA;;;SY)") != std::wstring::npos);
  CHECK(sddl.find(L"(A;OICI;FA;;;BA)") != std::wstring::npos);
  CHECK(std::count(sddl.begin(), sddl.end(), L'(') == 2);  // exactly those two entries
}

TEST_CASE("Windows state folder: one that another account created first is refused") {
  triage::testing::WindowsTempDir temp;
  const auto dir = temp.path() / L"state";
  REQUIRE(::CreateDirectoryW(dir.c_str(), nullptr));
  // Giving a folder to another account (here: Users) takes SeRestorePrivilege, which an
  // elevated administrator may enable.
  HANDLE token_raw = nullptr;
  REQUIRE(
      ::OpenProcessToken(::GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, &token_raw));
  triage::UniqueHandle token(token_raw);
  TOKEN_PRIVILEGES privileges{1, {{{0, 0}, SE_PRIVILEGE_ENABLED}}};
  ::LookupPrivilegeValueW(nullptr, L"SeRestorePrivilege", &privileges.Privileges[0].Luid);
  ::AdjustTokenPrivileges(token.get(), FALSE, &privileges, 0, nullptr, nullptr);
  PSID users = nullptr;
  REQUIRE(::ConvertStringSidToSidW(L"S-1-5-32-545", &users));
  const DWORD set =
      ::SetNamedSecurityInfoW(const_cast<wchar_t*>(dir.c_str()), SE_FILE_OBJECT,
                              OWNER_SECURITY_INFORMATION, users, nullptr, nullptr, nullptr);
  ::LocalFree(users);
  const auto sddl = dacl_sddl(dir);
  if (set != ERROR_SUCCESS || sddl.find(L"O:BU") != 0) {
    WARN("cannot give a folder to another account here (not elevated, or Wine); not checked");
    return;
  }
  auto prepared = ta::prepare_state_directory(dir);
  REQUIRE_FALSE(prepared);
  CHECK(prepared.error().code == triage::ErrorCode::kDenied);
}

TEST_CASE(
    "Windows state folder: enrollment's private directory is the state folder's ACL, parents "
    "created") {
  triage::testing::WindowsTempDir temp;
  const auto dir = temp.path() / L"ProgramData" / L"triage";
  auto prepared = ta::ensure_private_directory(dir);
  INFO((prepared ? std::string("prepared") : prepared.error().message));
  REQUIRE(prepared);
  CHECK(std::filesystem::is_directory(dir));
  const auto sddl = dacl_sddl(dir);
  INFO(std::string(sddl.begin(), sddl.end()));
  if (sddl.find(L"O:BA") != 0) {
    WARN("this system does not keep the security descriptors of files; DACL not checked");
    return;
  }
  CHECK(sddl.find(L"D:P") != std::wstring::npos);
  CHECK(std::count(sddl.begin(), sddl.end(), L'(') == 2);
}
