#include "collector/audit/cli_actor.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

namespace triage::collector {

namespace {

std::string effective_user_name() {
  const uid_t uid = geteuid();
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  return "uid " + std::to_string(uid);
}

}  // namespace

AuditEvent cli_audit_event(std::string type, std::string target, TimePoint now) {
  AuditEvent e;
  e.at = now;
  e.actor = "cli:" + effective_user_name();
  e.actor_kind = AuditActorKind::kCli;
  e.source = "local";
  e.type = std::move(type);
  e.target = std::move(target);
  // Informational only: the environment is the caller's to set.
  if (const char* sudo_user = std::getenv("SUDO_USER"); sudo_user && *sudo_user) {
    e.details["sudo_user"] = std::string(sudo_user).substr(0, 64);
  }
  return e;
}

}  // namespace triage::collector
