// Windows: the token file must be a plain file (not a link or junction) owned by a trusted
// account (agent/state/windows/trusted_account.hpp) whose DACL lets no other account write it,
// change its ACL or take it over.
#include "agent/service/token_file_permissions.hpp"

#include "shared/util/windows/windows_api.hpp"

#include <aclapi.h>
#include <sddl.h>

#include <memory>
#include <string>

#include "agent/state/windows/trusted_account.hpp"
#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {

namespace {

struct LocalFreeDeleter {
  void operator()(void* p) const { ::LocalFree(p); }
};

constexpr ACCESS_MASK kWriteRights = FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_EA |
                                     FILE_WRITE_ATTRIBUTES | WRITE_DAC | WRITE_OWNER | DELETE |
                                     GENERIC_WRITE | GENERIC_ALL;

std::string sid_text(PSID sid) {
  wchar_t* text = nullptr;
  if (!::ConvertSidToStringSidW(sid, &text)) return "an unknown account";
  std::unique_ptr<void, LocalFreeDeleter> hold(text);
  return narrow(text);
}

}  // namespace

// The token enrolls a device in the fleet: a file another local user could have written would
// let them choose which token (and so which enrollment) this SYSTEM service uses.
Result<void> check_token_file_permissions(const std::filesystem::path& path) {
  const std::string name = "token file " + narrow(path.wstring());
  const std::string fix = " (icacls \"" + narrow(path.wstring()) +
                          "\" /inheritance:r /grant:r SYSTEM:F Administrators:F)";
  const DWORD attributes = ::GetFileAttributesW(path.c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES) return fail(last_error_text(name + ": cannot read"));
  if ((attributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT)) != 0) {
    return fail(name + ": not a regular file (a folder, link or junction)");
  }
  PSID owner = nullptr;
  PACL dacl = nullptr;
  PSECURITY_DESCRIPTOR raw = nullptr;
  const DWORD rc = ::GetNamedSecurityInfoW(path.c_str(), SE_FILE_OBJECT,
                                           OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                                           &owner, nullptr, &dacl, nullptr, &raw);
  if (rc != ERROR_SUCCESS) return fail(name + ": cannot read its ACL: " + windows_error_text(rc));
  std::unique_ptr<void, LocalFreeDeleter> descriptor(raw);
  if (!trusted_account(owner)) {
    return fail(name + ": owned by " + sid_text(owner) +
                ", expected SYSTEM or Administrators (takeown /a /f, then" + fix + ")");
  }
  if (dacl == nullptr) return fail(name + ": it has no DACL, so everyone may write it" + fix);
  for (DWORD i = 0; i < dacl->AceCount; ++i) {
    void* entry = nullptr;
    if (!::GetAce(dacl, i, &entry)) return fail(last_error_text(name + ": reading its ACL"));
    const auto* header = static_cast<const ACE_HEADER*>(entry);
    if (header->AceType != ACCESS_ALLOWED_ACE_TYPE || (header->AceFlags & INHERIT_ONLY_ACE) != 0) {
      continue;  // a deny, audit or inherit-only entry grants nothing on this file
    }
    const auto* allowed = static_cast<const ACCESS_ALLOWED_ACE*>(entry);
    PSID who = const_cast<DWORD*>(&allowed->SidStart);
    if ((allowed->Mask & kWriteRights) != 0 && !trusted_account(who)) {
      return fail(name + ": its ACL lets " + sid_text(who) + " write it" + fix);
    }
  }
  return {};
}

}  // namespace triage::agent
