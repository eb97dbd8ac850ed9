#include "collector/findings/rules/largest_process.hpp"

#include "collector/findings/evidence_format.hpp"

namespace triage::collector::rules {

const v1::Process* largest_process(const v1::SoftwareInfo& software) {
  const v1::Process* best = nullptr;
  for (const auto& p : software.top_processes()) {
    if (p.rss_bytes() > 0 && (best == nullptr || p.rss_bytes() > best->rss_bytes())) best = &p;
  }
  return best;
}

std::string describe_memory_use(const v1::Process& process) {
  std::string text = process.name() + " (pid " + std::to_string(process.pid());
  if (!process.user().empty()) text += ", user " + process.user();
  return text + ") " + format_bytes(process.rss_bytes()) + " resident";
}

}  // namespace triage::collector::rules
