#pragma once
// Programs that run other programs from text: shells, script interpreters, and wrappers that
// exec whatever follows them. An action whose argv[0] is one of these would turn the signed,
// typed catalog back into "run this string", so neither the catalog nor the agent accepts it.

#include <string_view>

namespace triage {

/// True when `program` (a path or a bare name) names a shell, a script interpreter or an exec
/// wrapper, by its file name with any version suffix dropped (`python3.11` is `python`).
bool is_command_interpreter(std::string_view program);

}  // namespace triage
