// The local user on Windows: the user of this process's token.
#include "shared/util/windows/windows_api.hpp"

#include "agent/ipc/local_user.hpp"
#include "agent/ipc/windows/token_account.hpp"
#include "shared/util/windows/unique_handle.hpp"

namespace triage::agent::ipc {

LocalUser current_local_user() {
  HANDLE raw = nullptr;
  if (!::OpenProcessToken(::GetCurrentProcess(), TOKEN_QUERY, &raw)) return {};
  UniqueHandle token(raw);
  auto account = token_account(token.get());
  if (!account) return {};
  return {account->rid, account->name};
}

}  // namespace triage::agent::ipc
