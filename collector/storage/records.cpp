#include "collector/storage/records.hpp"

namespace triage::collector {

const char* role_name(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kTechnician:
      return "technician";
    case Role::kSenior:
      return "senior";
    case Role::kAdmin:
      return "admin";
  }
  return "viewer";
}

std::optional<Role> parse_role(std::string_view text) {
  if (text == "viewer") return Role::kViewer;
  if (text == "technician") return Role::kTechnician;
  if (text == "senior") return Role::kSenior;
  if (text == "admin") return Role::kAdmin;
  return std::nullopt;
}

const char* session_kind_name(SessionKind kind) {
  return kind == SessionKind::kCookie ? "cookie" : "bearer";
}

const char* user_kind_name(UserKind kind) {
  return kind == UserKind::kService ? "service" : "person";
}

std::optional<UserKind> parse_user_kind(std::string_view text) {
  if (text == "person") return UserKind::kPerson;
  if (text == "service") return UserKind::kService;
  return std::nullopt;
}

const char* user_source_name(UserSource source) {
  return source == UserSource::kLdap ? "ldap" : "local";
}

std::optional<UserSource> parse_user_source(std::string_view text) {
  if (text == "local") return UserSource::kLocal;
  if (text == "ldap") return UserSource::kLdap;
  return std::nullopt;
}

}  // namespace triage::collector
