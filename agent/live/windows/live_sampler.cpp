// The Windows agent has no live sampler in this version: a live view asked of it is refused
// with this reason (the collector shows it to the technician).

#include "agent/live/live_sampler.hpp"

namespace triage::agent {

Result<std::unique_ptr<LiveSampler>> make_live_sampler(const std::string&) {
  return fail(ErrorCode::kFailed, "the live view is not available on Windows in this version");
}

}  // namespace triage::agent
