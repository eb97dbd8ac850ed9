// The private state folder: created with its DACL in one step, or checked and re-secured.
#include "agent/state/windows/state_directory.hpp"

#include "agent/state/windows/trusted_account.hpp"

#include "shared/util/windows/windows_api.hpp"

#include <aclapi.h>
#include <sddl.h>

#include <memory>

#include "shared/util/windows/unique_handle.hpp"
#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {

namespace {

struct LocalFreeDeleter {
  void operator()(void* p) const { ::LocalFree(p); }
};

std::string display(const std::filesystem::path& p) { return narrow(p.wstring()); }

}  // namespace

Result<void> prepare_state_directory(const std::filesystem::path& dir) {
  PSECURITY_DESCRIPTOR raw = nullptr;
  if (!::ConvertStringSecurityDescriptorToSecurityDescriptorW(kStateDirectorySddl, SDDL_REVISION_1,
                                                              &raw, nullptr)) {
    return fail(last_error_text("the state folder's security descriptor"));
  }
  std::unique_ptr<void, LocalFreeDeleter> descriptor(raw);
  SECURITY_ATTRIBUTES attributes{sizeof(SECURITY_ATTRIBUTES), descriptor.get(), FALSE};
  if (::CreateDirectoryW(dir.c_str(), &attributes)) return {};
  if (::GetLastError() != ERROR_ALREADY_EXISTS) {
    return fail(last_error_text("cannot create " + display(dir)));
  }

  // It was there before us: open the folder itself, not what a junction points to.
  UniqueHandle folder(
      ::CreateFileW(dir.c_str(), READ_CONTROL | WRITE_DAC | WRITE_OWNER,
                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_EXISTING,
                    FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
  if (!folder.valid()) return fail(last_error_text("cannot open " + display(dir)));
  BY_HANDLE_FILE_INFORMATION info{};
  if (!::GetFileInformationByHandle(folder.get(), &info)) {
    return fail(last_error_text("cannot read " + display(dir)));
  }
  if ((info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) == 0 ||
      (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0) {
    return fail(ErrorCode::kDenied, display(dir) +
                                        " is a file, a junction or a link, not a folder; remove it "
                                        "and start the agent again");
  }
  PSID owner = nullptr;
  PSECURITY_DESCRIPTOR current = nullptr;
  const DWORD rc = ::GetSecurityInfo(folder.get(), SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION,
                                     &owner, nullptr, nullptr, nullptr, &current);
  if (rc != ERROR_SUCCESS) {
    return fail("cannot read the owner of " + display(dir) + ": " + windows_error_text(rc));
  }
  std::unique_ptr<void, LocalFreeDeleter> hold(current);
  if (!trusted_account(owner)) {
    return fail(ErrorCode::kDenied, display(dir) +
                                        " was created by another account; it is not used for the "
                                        "agent's keys: an administrator should remove it");
  }
  PACL dacl = nullptr;
  BOOL present = FALSE;
  BOOL defaulted = FALSE;
  if (!::GetSecurityDescriptorDacl(descriptor.get(), &present, &dacl, &defaulted)) {
    return fail(last_error_text("the state folder's DACL"));
  }
  const DWORD set = ::SetSecurityInfo(
      folder.get(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
      nullptr, nullptr, dacl, nullptr);
  if (set != ERROR_SUCCESS) {
    return fail("cannot restrict " + display(dir) + ": " + windows_error_text(set));
  }
  return {};
}

}  // namespace triage::agent
