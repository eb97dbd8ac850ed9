#include "agent/collectors/live_host_base.hpp"

#include <chrono>
#include <cstdlib>

namespace triage::agent {

std::int64_t LiveHostBase::now_unix_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string LiveHostBase::environment(std::string_view name) const {
  const char* v = std::getenv(std::string(name).c_str());
  return v ? std::string(v) : std::string();
}

bool LiveHostBase::has_program(std::string_view name) const {
  return find_program(name).has_value();
}

Result<RunResult> LiveHostBase::run(const RunRequest& request) { return run_process(request); }

HostPtr make_host(const FsRoot& fs) {
  return fs.is_live() ? make_live_host() : make_fixture_host(fs);
}

}  // namespace triage::agent
