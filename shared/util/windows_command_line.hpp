#pragma once
// Windows passes a program one command-line string, not an argv: the program's C runtime (or
// CommandLineToArgvW) splits it again. Building that string is the one place where an argument
// with a space, a quote or a trailing backslash could turn into two arguments, or lose a
// character, so it is done here, as pure functions tested on every platform. The rules are the
// Microsoft C runtime's ("Parsing C command-line arguments"): whitespace separates arguments
// outside quotes, 2n backslashes before a quote are n backslashes and the quote delimits,
// 2n+1 backslashes before a quote are n backslashes and a literal quote, other backslashes are
// literal.

#include <string>
#include <string_view>
#include <vector>

#include "shared/util/result.hpp"

namespace triage {

/// `argument` written so that the Microsoft C runtime and CommandLineToArgvW read back exactly
/// `argument` (any bytes but NUL; UTF-8 passes through unchanged). Arguments without a space,
/// tab, newline, vertical tab or quote are returned as they are; the empty string is `""`.
std::string quote_windows_argument(std::string_view argument);

/// The command line for `argv`: argv[0] (the program's path) always in quotes, since the
/// runtime reads the program name without backslash escapes, then each further argument
/// through quote_windows_argument(), separated by single spaces. Fails on an empty argv, a
/// NUL in any element, or a quote in argv[0] (no Windows path contains one).
Result<std::string> windows_command_line(const std::vector<std::string>& argv);

}  // namespace triage
