// The agent pipe's security descriptor and the client's check of its owner.
#include "agent/ipc/windows/pipe_security.hpp"

#include <aclapi.h>
#include <sddl.h>

#include "shared/util/windows/wide_string.hpp"

namespace triage::agent::ipc {

Result<SecurityDescriptorPtr> agent_pipe_security() {
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  if (!::ConvertStringSecurityDescriptorToSecurityDescriptorW(kAgentPipeSddl, SDDL_REVISION_1,
                                                              &descriptor, nullptr)) {
    return fail(last_error_text("the pipe's security descriptor"));
  }
  return SecurityDescriptorPtr(descriptor);
}

Result<void> check_agent_pipe_owner(HANDLE pipe) {
  PSID owner = nullptr;
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  const DWORD rc = ::GetSecurityInfo(pipe, SE_KERNEL_OBJECT, OWNER_SECURITY_INFORMATION, &owner,
                                     nullptr, nullptr, nullptr, &descriptor);
  if (rc != ERROR_SUCCESS) {
    return fail(ErrorCode::kDenied,
                "cannot read the owner of the agent's pipe: " + windows_error_text(rc));
  }
  SecurityDescriptorPtr hold(descriptor);
  if (owner != nullptr && (::IsWellKnownSid(owner, WinLocalSystemSid) ||
                           ::IsWellKnownSid(owner, WinBuiltinAdministratorsSid))) {
    return {};
  }
  std::string who = "another account";
  wchar_t* text = nullptr;
  if (owner != nullptr && ::ConvertSidToStringSidW(owner, &text)) {
    who = narrow(text);
    ::LocalFree(text);
  }
  return fail(ErrorCode::kDenied, "the pipe is owned by " + who +
                                      ", not by SYSTEM or Administrators: it is not the "
                                      "triage agent's");
}

}  // namespace triage::agent::ipc
