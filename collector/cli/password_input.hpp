#pragma once
// A password typed or piped to an administration command: from standard input, never from
// the command line (where `ps` and the shell's history would keep it).

#include <string>
#include <string_view>

namespace triage::collector {

/// One line of standard input without its line ending. On a terminal, `prompt` goes to
/// standard error and the typed characters are not echoed.
std::string read_password_line(std::string_view prompt);

}  // namespace triage::collector
