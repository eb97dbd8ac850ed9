#pragma once
// The process holding the most memory among those the agent reported, for memory findings'
// evidence ("largest process: java (pid 4242) 3.1 GiB").

#include <string>

#include "triage/v1/snapshot.pb.h"

namespace triage::collector::rules {

/// The reported process with the largest resident set, or nullptr when none was reported.
const v1::Process* largest_process(const v1::SoftwareInfo& software);

/// "java (pid 4242, user alice) 3.1 GiB resident".
std::string describe_memory_use(const v1::Process& process);

}  // namespace triage::collector::rules
