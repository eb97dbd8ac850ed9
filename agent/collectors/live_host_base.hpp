#pragma once
// What every platform's live Host does alike: it is live, reads the wall clock and the agent's
// own environment, and finds and runs programs through shared/util's process runner. Each
// platform's live_host.cpp derives from it and adds the system calls.

#include "agent/collectors/host.hpp"

namespace triage::agent {

/// The platform-neutral part of make_live_host()'s Host.
class LiveHostBase : public Host {
 public:
  bool live() const override { return true; }
  std::int64_t now_unix_ms() const override;
  std::string environment(std::string_view name) const override;
  bool has_program(std::string_view name) const override;
  Result<RunResult> run(const RunRequest& request) override;
};

}  // namespace triage::agent
