#pragma once
// The signed-in user proves their current password before changing how they sign in (password,
// second factor). The check goes through the login throttles: a stolen session cannot be used
// to guess the password faster than a login could.

#include <string_view>

#include "collector/api/api_context.hpp"

namespace triage::collector {

/// Nothing when `password` is the caller's current one; else 403 `wrong_password`, 429 when
/// throttled, or the store's error.
tl::expected<void, ApiError> prove_current_password(ApiServices& services,
                                                    const ApiRequest& request,
                                                    std::string_view password);

}  // namespace triage::collector
