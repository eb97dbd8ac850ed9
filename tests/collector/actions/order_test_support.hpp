#pragma once
// What the order tests share: a high-risk test action (needs a second person's approval) and a
// staff member of a given role.

#include <string>

#include "collector/storage/records.hpp"

namespace triage::testing {

/// A high-risk action: an order of it waits for a second person's approval.
inline const char* const kHighRiskAction = R"(
id = "high-test"
version = 1
title = "High"
argv = ["/bin/echo", "high"]
risk = "high"
)";

/// A staff member named `name` with `role` (a person unless `kind` says otherwise).
inline collector::User staff_user(const std::string& name, collector::Role role,
                                  collector::UserKind kind = collector::UserKind::kPerson) {
  collector::User u;
  u.name = name;
  u.role = role;
  u.kind = kind;
  return u;
}

}  // namespace triage::testing
