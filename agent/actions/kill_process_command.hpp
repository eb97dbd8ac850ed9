#pragma once
// `triage-agent kill-process --pid N --name NAME`: the endpoint side of the kill-process
// actions. Linux (kill-process): opens a pidfd on N first, reads /proc/N/comm while holding it,
// checks the process still lives (so the name read was its own, not a successor's under a
// reused pid), and sends SIGTERM through the pidfd, so the signal can only reach the process
// whose name was checked. Windows (kill-process-windows): holds a process handle (the pid
// cannot be reused meanwhile), compares the image's file name case-insensitively and ends it
// with TerminateProcess (windows/kill_process_command.cpp).
// Exit 0 sent; 3 name differs; 4 no such process (or it ended meanwhile); 2 refused (pid 1,
// this agent, a screen locker; on Windows the critical processes) or failed.

#include <functional>
#include <ostream>
#include <string>

#include "shared/util/fs_root.hpp"

namespace triage::agent {

/// `before_signal` runs after the name check, just before SIGTERM is sent (tests).
int run_kill_process(const FsRoot& root, long pid, const std::string& expected_name,
                     std::ostream& out, std::ostream& err,
                     const std::function<void()>& before_signal = {});

}  // namespace triage::agent
