#include "agent/state/windows/trusted_account.hpp"

#include <sddl.h>

#include <memory>

#include "shared/util/windows/unique_handle.hpp"

namespace triage::agent {

namespace {

/// NT SERVICE\TrustedInstaller, which owns what Windows itself installs.
bool trusted_installer(PSID sid) {
  PSID installer = nullptr;
  if (!::ConvertStringSidToSidW(L"S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464",
                                &installer)) {
    return false;
  }
  const bool same = ::EqualSid(sid, installer) != FALSE;
  ::LocalFree(installer);
  return same;
}

bool own_user(PSID sid) {
  HANDLE raw = nullptr;
  if (!::OpenProcessToken(::GetCurrentProcess(), TOKEN_QUERY, &raw)) return false;
  UniqueHandle token(raw);
  unsigned char buffer[SECURITY_MAX_SID_SIZE + sizeof(TOKEN_USER)];
  DWORD size = 0;
  if (!::GetTokenInformation(token.get(), TokenUser, buffer, sizeof buffer, &size)) return false;
  return ::EqualSid(sid, reinterpret_cast<TOKEN_USER*>(buffer)->User.Sid) != FALSE;
}

}  // namespace

bool trusted_account(PSID sid) {
  if (sid == nullptr || !::IsValidSid(sid)) return false;
  return ::IsWellKnownSid(sid, WinLocalSystemSid) ||
         ::IsWellKnownSid(sid, WinBuiltinAdministratorsSid) || trusted_installer(sid) ||
         own_user(sid);
}

}  // namespace triage::agent
