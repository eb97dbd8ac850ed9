#pragma once
// The agent's state folder on Windows, private to SYSTEM and Administrators. %ProgramData% lets
// every user create folders in it, so the folder may exist before the agent does: one created
// by an ordinary user (who would then own it and could read the agent's keys or plant a spool)
// or a junction to elsewhere is refused, never adopted. Windows only.

#include <filesystem>

#include "shared/util/result.hpp"

namespace triage::agent {

/// The folder's security descriptor: owned by Administrators; SYSTEM and Administrators full
/// control, inherited by everything below; no ACE inherited from %ProgramData% (protected).
inline constexpr wchar_t kStateDirectorySddl[] = L"O:BAD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)";

/// Creates `dir` (its parent must exist) with kStateDirectorySddl, or, when it exists, checks
/// that it is a real folder (not a junction or link) owned by SYSTEM, Administrators or the
/// account this process runs as (the service: SYSTEM), and sets kStateDirectorySddl's DACL on
/// it again. Fails with kDenied for a folder another account owns.
Result<void> prepare_state_directory(const std::filesystem::path& dir);

}  // namespace triage::agent
