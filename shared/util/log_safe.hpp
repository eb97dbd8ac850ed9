#pragma once
// Text from peers and users (login names, agent hostnames, URLs, remote error messages) made safe
// to put in a log line: no CR/LF to forge lines, no ESC or other control characters to drive a
// terminal, no bidi overrides to disguise text, bounded length.

#include <cstddef>
#include <string>
#include <string_view>

namespace triage {

/// `text` with backslash, C0/C1 control characters, DEL, bidi controls and invalid UTF-8
/// escaped (`\\`, `\n`, `\r`, `\t`, `\x1b`, `\u202e`); cut to `max_bytes` of input with "..."
/// appended. Printable text, including non-ASCII UTF-8, is unchanged.
std::string log_safe(std::string_view text, std::size_t max_bytes = 256);

/// Only the `scheme://host[:port]` of a URL, for logs: user info, path, query and fragment can
/// carry secrets (webhook paths, tokens). "(not a URL)" when there is no "scheme://".
std::string log_url(std::string_view url);

}  // namespace triage
