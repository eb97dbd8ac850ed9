#pragma once
// Windows command lines: one string that the program itself splits into arguments (the
// CommandLineToArgvW rules), so redaction, which works on arguments, splits it first.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace triage::agent {

/// The arguments of `line` as CommandLineToArgvW splits them: the program name up to its
/// closing quote or the first blank; then blank-separated arguments where "..." groups,
/// 2n backslashes before a quote are n backslashes, 2n+1 are n and a literal quote.
std::vector<std::string> split_windows_command_line(std::string_view line);

/// `line` with its secrets redacted (redact_argv on its arguments), arguments that hold blanks
/// quoted again, at most `max_len` bytes.
std::string redact_windows_command_line(std::string_view line, std::size_t max_len = 512);

}  // namespace triage::agent
