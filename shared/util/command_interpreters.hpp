#pragma once
// Programs that run other programs from text: shells, script interpreters, and wrappers that
// exec whatever follows them. An action whose argv[0] is one of these would turn the signed,
// typed catalog back into "run this string", so neither the catalog nor the agent accepts it.
// The list covers Linux and Windows and is applied on every platform: a name is compared
// without its directory (`/` or `\`), case-insensitively, without the `.exe`/`.com` extension
// and without what Windows ignores or reads as a stream (trailing dots and spaces, `:stream`).

#include <string_view>

namespace triage {

/// True when `program` (a path or a bare name) names a shell, a script interpreter or an exec
/// wrapper, by its file name with any version suffix dropped (`python3.11` is `python`), or a
/// script Windows hands to an interpreter by its extension (`.bat` and `.cmd` run in cmd.exe,
/// `.ps1`, `.vbs`, `.js`, `.hta`, `.msi`, ...).
bool is_command_interpreter(std::string_view program);

}  // namespace triage
