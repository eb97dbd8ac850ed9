#pragma once
// `triage-agent kill-process --pid N --name NAME`: the endpoint side of the kill-process
// action. Sends SIGTERM only if /proc/N/comm is exactly NAME at that moment, so a pid reused
// since the technician looked is never hit. Exit 0 sent; 3 name differs; 4 no such process;
// 2 refused (pid 1, the agent itself) or failed.

#include <ostream>
#include <string>

#include "shared/util/fs_root.hpp"

namespace triage::agent {

int run_kill_process(const FsRoot& root, long pid, const std::string& expected_name,
                     std::ostream& out, std::ostream& err);

}  // namespace triage::agent
