#include "agent/collectors/collect_context.hpp"

#include <algorithm>

namespace triage::agent {

Result<RunResult> CollectContext::run(std::vector<std::string> argv,
                                      std::chrono::milliseconds timeout, std::size_t output_cap) {
  RunRequest request;
  request.argv = std::move(argv);
  auto left = meter_.budget().wall - meter_.wall_used();
  request.timeout = std::clamp(std::min(timeout, left), std::chrono::milliseconds(1), timeout);
  request.kill_grace = std::chrono::milliseconds(200);
  request.output_cap = output_cap;
  auto result = host_.run(request);
  if (result) meter_.add_child_cpu(result->cpu_time);
  return result;
}

void CollectContext::note(std::string text) {
  if (!notes_.empty()) notes_ += "; ";
  notes_ += std::move(text);
}

void CollectContext::unavailable(std::string why) {
  unavailable_ = true;
  note(std::move(why));
}

}  // namespace triage::agent
