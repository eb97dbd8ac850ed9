#pragma once
// The second factor of a sign-in: a TOTP code of the user's authenticator, accepted once, or
// one of their recovery codes, each usable once.

#include <string>
#include <string_view>

#include "collector/storage/store.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

struct SecondFactorCheck {
  bool accepted = false;
  std::string method;   ///< accepted: "password+totp" or "password+recovery_code"
  std::string refusal;  ///< not accepted: what to tell the user
};

/// Checks `code` against the second factor of `user` (who has a TOTP secret in force) and, when
/// it is right, records its use in the store: the code's step (a code of that step or an
/// earlier one is refused from then on, on every node) or the recovery code's use.
Result<SecondFactorCheck> check_second_factor(Store& store, const User& user, std::string_view code,
                                              TimePoint now);

}  // namespace triage::collector
