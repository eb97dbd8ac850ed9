#pragma once
// Raw bytes to standard output, for a process whose stdout is a data channel (the snapshot
// helper writes a serialized Snapshot there for the daemon). This header is the interface;
// each platform has one implementation (posix/standard_output.cpp: write(2) on descriptor 1;
// windows/standard_output.cpp: the same after switching it to binary mode, so no "\n" becomes
// "\r\n").

#include <string_view>

namespace triage {

/// Writes all of `bytes` to standard output unchanged; false (errno set) when that failed.
bool write_standard_output(std::string_view bytes);

}  // namespace triage
