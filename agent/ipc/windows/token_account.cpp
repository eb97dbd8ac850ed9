// The user of an access token: its SID, relative id and account name.
#include "agent/ipc/windows/token_account.hpp"

#include <sddl.h>

#include <vector>

#include "shared/util/windows/wide_string.hpp"

namespace triage::agent::ipc {

Result<TokenAccount> token_account(HANDLE token) {
  DWORD size = 0;
  ::GetTokenInformation(token, TokenUser, nullptr, 0, &size);
  if (size == 0) return fail(last_error_text("GetTokenInformation(TokenUser)"));
  std::vector<unsigned char> buffer(size);
  if (!::GetTokenInformation(token, TokenUser, buffer.data(), size, &size)) {
    return fail(last_error_text("GetTokenInformation(TokenUser)"));
  }
  PSID sid = reinterpret_cast<TOKEN_USER*>(buffer.data())->User.Sid;
  if (!::IsValidSid(sid)) return fail("the token's user SID is not valid");
  TokenAccount account;
  const UCHAR count = *::GetSidSubAuthorityCount(sid);
  account.rid = count > 0 ? static_cast<std::uint32_t>(*::GetSidSubAuthority(sid, count - 1)) : 0;
  wchar_t* sid_text = nullptr;
  if (::ConvertSidToStringSidW(sid, &sid_text)) {
    account.sid = narrow(sid_text);
    ::LocalFree(sid_text);
  }
  wchar_t name[256];
  wchar_t domain[256];
  DWORD name_n = 256;
  DWORD domain_n = 256;
  SID_NAME_USE use;
  if (::LookupAccountSidW(nullptr, sid, name, &name_n, domain, &domain_n, &use)) {
    account.name = domain_n > 0 ? narrow(std::wstring_view(domain, domain_n)) + "\\" +
                                      narrow(std::wstring_view(name, name_n))
                                : narrow(std::wstring_view(name, name_n));
  }
  return account;
}

}  // namespace triage::agent::ipc
