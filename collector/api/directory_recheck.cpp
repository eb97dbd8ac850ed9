#include "collector/api/directory_recheck.hpp"

#include <spdlog/spdlog.h>

#include "collector/api/audit_api.hpp"
#include "shared/util/log_safe.hpp"

namespace triage::collector {

namespace {

AuditEvent directory_event(const ApiRequest& request, const User& user, std::string type,
                           const Directory& directory) {
  auto event = request_audit_event(request, std::move(type), "user:" + user.name);
  event.actor = "system";
  event.actor_kind = AuditActorKind::kSystem;
  event.details["directory"] = directory.source();
  return event;
}

}  // namespace

tl::expected<User, ApiError> recheck_directory_user(ApiServices& services,
                                                    const ApiRequest& request, const User& user,
                                                    TimePoint now) {
  if (user.source != UserSource::kLdap) return user;
  Directory* directory = services.login_guard ? services.login_guard->directory() : nullptr;
  if (directory == nullptr) {
    return unauthorized(
        "you signed in with the company directory, which this collector no longer uses "
        "([auth.ldap] is not configured); ask an admin");
  }
  const TimePoint checked = user.directory_checked_at.value_or(TimePoint{});
  if (now - checked < directory->recheck_interval()) return user;

  const auto answer = directory->look_up(user.name);
  if (answer.verdict == DirectoryVerdict::kUnavailable) {
    const bool within_grace =
        now - checked < directory->recheck_interval() + directory->unreachable_grace();
    spdlog::warn("directory recheck of `{}` failed ({}): {}", user.name,
                 within_grace ? "the session goes on within the grace" : "refused until it answers",
                 log_safe(answer.detail, 512));
    if (within_grace) return user;
    return refuse(http::status::service_unavailable, "directory_unavailable",
                  "the company directory cannot be reached to confirm your account; your session "
                  "works again once it answers");
  }

  if (answer.verdict == DirectoryVerdict::kAccepted) {
    // A confirmation alone is not audited (it happens every interval); a changed role is.
    Result<void> recorded;
    if (answer.role == user.role) {
      recorded = services.store.write(
          [&](WriteTx& tx) { return tx.auth().record_directory_check(user.id, answer.role, now); });
    } else {
      auto audited = services.audit.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
        if (auto r = tx.auth().record_directory_check(user.id, answer.role, now); !r) {
          return tl::unexpected(r.error());
        }
        auto event = directory_event(request, user, "auth.directory.role_changed", *directory);
        event.details["role"] = {{"from", role_name(user.role)}, {"to", role_name(answer.role)}};
        return event;
      });
      if (!audited) recorded = tl::unexpected(audited.error());
      spdlog::info("directory user `{}`: role {} -> {} (directory groups)", user.name,
                   role_name(user.role), role_name(answer.role));
    }
    if (!recorded) return tl::unexpected(ApiError(recorded.error()));
    User after = user;
    after.role = answer.role;
    after.directory_checked_at = now;
    return after;
  }

  // kRejected (gone, or disabled: the user filter excludes the entry) or kNoRole.
  const std::string reason = answer.verdict == DirectoryVerdict::kNoRole
                                 ? "in no group mapped to a role"
                                 : "not found or disabled in the directory";
  auto ended = services.audit.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    if (auto r = tx.auth().end_user_access(user.id, now); !r) return tl::unexpected(r.error());
    auto event = directory_event(request, user, "auth.directory.revoked", *directory);
    event.details["reason"] = reason;
    event.details["sessions"] = "ended";
    event.details["api_tokens"] = "revoked";
    return event;
  });
  if (!ended) return tl::unexpected(ApiError(ended.error()));
  spdlog::warn("directory user `{}` is {}: their sessions ended and API tokens revoked", user.name,
               reason);
  return unauthorized("your company directory account is " + reason +
                      ": your sessions here have ended");
}

}  // namespace triage::collector
