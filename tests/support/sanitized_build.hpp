#pragma once
// Whether this build runs under a sanitizer: the test executables and the product binaries
// they start are built with the same flags (make sanitize, make tsan).

namespace triage::testing {

// g++ and clang define these under -fsanitize=address and -fsanitize=thread.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitizedBuild = true;
#else
inline constexpr bool kSanitizedBuild = false;
#endif

}  // namespace triage::testing
